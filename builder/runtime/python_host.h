// The Python runtime host (templates/python/), compiled into the binary so that the host layer
// is fixed by the builder's version. The image carries these files under /opt/ignite/host/.
#pragma once

#include <string>
#include <vector>

#include "builder/util/embedded_file.h"

namespace ignite::runtime {

// Every file of templates/python/, sorted by path.
const std::vector<EmbeddedFile>& python_host_files();

// Where the host lives in the image, without a leading '/'.
inline constexpr const char* kPythonHostDir = "opt/ignite/host";

// The image's entrypoint: -I isolates the host from PYTHON* variables and the user site
// directory; the host itself puts /app first on sys.path (templates/python/README.md).
inline const std::vector<std::string>& python_host_entrypoint() {
  static const std::vector<std::string> kEntrypoint = {"/usr/bin/python3", "-I",
                                                       "/opt/ignite/host/host.py"};
  return kEntrypoint;
}

}  // namespace ignite::runtime
