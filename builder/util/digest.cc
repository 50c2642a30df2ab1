#include "builder/util/digest.h"

namespace ignite {

Result<Digest> Digest::parse(std::string_view text) {
  constexpr std::string_view kPrefix = "sha256:";
  if (!text.starts_with(kPrefix)) {
    return invalid_argument("digest \"" + std::string(text.substr(0, 80)) +
                            "\" does not start with \"sha256:\"");
  }
  std::string_view hex = text.substr(kPrefix.size());
  if (!is_sha256_hex(hex)) {
    return invalid_argument("digest \"" + std::string(text.substr(0, 80)) +
                            "\" must be \"sha256:\" and 64 lowercase hex digits");
  }
  return Digest(std::string(hex));
}

Digest Digest::of(std::string_view data) { return Digest(sha256_hex(data)); }

Digest Digest::from_bytes(const Sha256Bytes& bytes) { return Digest(to_hex(bytes)); }

}  // namespace ignite
