// Finding a wheel's .dist-info directory: exactly one at the top of the zip, named
// "<name>-<version>.dist-info" with the wheel file name's project and version.
#pragma once

#include <string>
#include <vector>

#include "builder/python/dist_filename.h"
#include "builder/util/status.h"
#include "builder/wheel/wheel_zip.h"

namespace ignite::wheel {

struct DistInfo {
  std::string dir;      // "Flask-3.1.3.dist-info"
  std::string name;     // "Flask": as the directory spells it
  std::string version;  // "3.1.3": as the directory spells it
};

// INVALID_ARGUMENT when there is no top-level *.dist-info, more than one, or its name part does
// not canonicalize to the file name's project (pip's check), or its version is not the file
// name's (as PEP 440 versions: "1.0" matches "1.0.0").
Result<DistInfo> find_dist_info(const std::vector<ZipMember>& members,
                                const python::WheelFilename& filename);

}  // namespace ignite::wheel
