#include "builder/util/fault.h"

#include <csignal>
#include <cstdlib>
#include <string>

namespace ignite {

void fault_point(std::string_view stage) {
  const char* spec = std::getenv("IGNITE_FAULT");
  if (spec == nullptr) return;
  constexpr std::string_view kKillAfter = "kill-after:";
  constexpr std::string_view kStopAfter = "stop-after:";
  std::string_view s(spec);
  if (s.starts_with(kKillAfter) && s.substr(kKillAfter.size()) == stage) std::raise(SIGKILL);
  // SIGSTOP stops every thread (the lease's heartbeat too) until a SIGCONT.
  if (s.starts_with(kStopAfter) && s.substr(kStopAfter.size()) == stage) std::raise(SIGSTOP);
}

}  // namespace ignite
