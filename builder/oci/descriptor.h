// Descriptor: a reference to a blob by media type, digest and size (OCI image-spec
// descriptor.md), as manifests and index.json carry them.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "builder/util/digest.h"

namespace ignite::oci {

struct Platform {
  std::string architecture;  // "amd64"
  std::string os;            // "linux"
  std::string variant;       // "" when absent
  friend bool operator==(const Platform&, const Platform&) = default;
};

struct Descriptor {
  std::string media_type;
  Digest digest;
  std::int64_t size = 0;
  std::map<std::string, std::string> annotations;  // omitted from JSON when empty
  std::optional<Platform> platform;                // index entries only
  friend bool operator==(const Descriptor&, const Descriptor&) = default;
};

}  // namespace ignite::oci
