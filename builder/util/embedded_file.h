// A file compiled into the binary (cmake/EmbedFiles.cmake), e.g. the runtime host.
#pragma once

#include <string>

namespace ignite {

struct EmbeddedFile {
  std::string path;  // relative, '/'-separated
  std::string data;
  bool executable;   // owner-exec bit
};

}  // namespace ignite
