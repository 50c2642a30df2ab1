// Fuzzes PEP 440 specifier sets: any bytes give a set or a clean error; a parsed set's
// text parses back to an equal set that answers the same for a few versions. A broken
// round trip aborts.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "builder/python/specifier.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using ignite::python::SpecifierSet;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)ignite::python::Specifier::parse(text);
  ignite::Result<SpecifierSet> set = SpecifierSet::parse(text);
  if (!set.ok()) return 0;
  std::string normal = set->to_string();
  ignite::Result<SpecifierSet> again = SpecifierSet::parse(normal);
  if (!again.ok() || !(*again == *set) || again->to_string() != normal) std::abort();

  static const char* const kProbes[] = {"0",        "1.0",   "1.0a1",  "1.0.post1", "1.0+local",
                                        "2.0.dev3", "1!1.0", "3.11.4", "foobar"};
  std::vector<std::string> probes(std::begin(kProbes), std::end(kProbes));
  for (const std::string& probe : probes) {
    if (set->contains(probe) != again->contains(probe)) std::abort();
  }
  if (set->filter(probes) != again->filter(probes)) std::abort();
  if (set->is_unsatisfiable() != again->is_unsatisfiable()) std::abort();
  // Set relations agree with themselves: a satisfiable set meets itself and every set
  // contains itself.
  if (!set->is_subset_of(*set)) std::abort();
  if (!set->is_unsatisfiable() && set->is_disjoint_from(*set)) std::abort();
  return 0;
}
