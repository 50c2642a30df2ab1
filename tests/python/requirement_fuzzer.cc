// Fuzzes PEP 508 requirement parsing: any bytes give a requirement or a clean error, and
// a parsed requirement's printed form is a fixed point: it parses back to an equal
// requirement with the same text and hash. Its marker is evaluated against the default
// target (an error is fine, a crash is not). A broken round trip aborts.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "builder/python/requirement.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using ignite::python::Requirement;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  ignite::Result<Requirement> r = Requirement::parse(text);
  if (!r.ok()) return 0;
  std::string printed = r->to_string();
  ignite::Result<Requirement> again = Requirement::parse(printed);
  if (!again.ok() || !(*again == *r) || again->to_string() != printed ||
      again->hash() != r->hash()) {
    std::abort();
  }
  if (r->marker()) {
    (void)r->marker()->evaluate(ignite::python::Environment::target_default());
  }
  return 0;
}
