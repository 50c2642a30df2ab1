// Fuzzes PEP 440 version parsing: any bytes give a version or a clean error, and a parsed
// version's normal form is a fixed point: it parses back to an equal version with the
// same text and hash. A broken round trip aborts.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "builder/python/version.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using ignite::python::Version;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  ignite::Result<Version> v = Version::parse(text);
  (void)ignite::python::canonicalize_version(text);
  if (!v.ok()) return 0;
  std::string normal = v->to_string();
  ignite::Result<Version> again = Version::parse(normal);
  if (!again.ok() || *again != *v || again->to_string() != normal || again->hash() != v->hash()) {
    std::abort();
  }
  // The derived forms are valid versions too, and order consistently.
  ignite::Result<Version> base = Version::parse(v->base_version());
  ignite::Result<Version> pub = Version::parse(v->public_version());
  if (!base.ok() || !pub.ok() || *pub > *v) std::abort();
  return 0;
}
