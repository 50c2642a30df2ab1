#include "builder/util/fault.h"

#include <csignal>
#include <cstdlib>
#include <string>

namespace ignite {

void fault_point(std::string_view stage) {
  const char* spec = std::getenv("IGNITE_FAULT");
  if (spec == nullptr) return;
  constexpr std::string_view kKillAfter = "kill-after:";
  std::string_view s(spec);
  if (s.starts_with(kKillAfter) && s.substr(kKillAfter.size()) == stage) std::raise(SIGKILL);
}

}  // namespace ignite
