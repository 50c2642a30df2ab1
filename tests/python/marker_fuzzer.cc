// Fuzzes marker parsing and evaluation: any bytes give a marker or a clean error; a parsed
// marker's printed form parses back to an equal marker, and both evaluate alike against
// the default target in every context. A difference aborts.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "builder/python/marker.h"

namespace {

bool same(const ignite::Result<bool>& a, const ignite::Result<bool>& b) {
  if (a.ok() != b.ok()) return false;
  return a.ok() ? *a == *b : a.status().code() == b.status().code();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using ignite::python::Environment;
  using ignite::python::Marker;
  using ignite::python::MarkerContext;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  ignite::Result<Marker> m = Marker::parse(text);
  if (!m.ok()) return 0;
  ignite::Result<Marker> again = Marker::parse(m->to_string());
  if (!again.ok() || !(*again == *m) || again->to_string() != m->to_string()) std::abort();
  Environment env = Environment::target_default();
  env.set("extra", "Test_Extra");
  env.set_names("dependency_groups", {"dev"});
  for (MarkerContext context :
       {MarkerContext::kMetadata, MarkerContext::kLockFile, MarkerContext::kRequirement}) {
    if (!same(m->evaluate(env, context), again->evaluate(env, context))) std::abort();
  }
  return 0;
}
