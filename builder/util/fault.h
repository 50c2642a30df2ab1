// A test-only fault hook: IGNITE_FAULT=kill-after:<stage> makes the process kill itself with
// SIGKILL when it reaches fault_point("<stage>"), as a machine dying mid-build would. The crash
// tests use it to prove that every stage leaves the store consistent. IGNITE_FAULT=
// stop-after:<stage> stops the process there (SIGSTOP, as a frozen VM or a long GC pause would)
// until it gets SIGCONT: the fencing tests resume it after its lease was taken over. Unset, it
// costs one getenv per stage. (IGNITE_FAULT=throw, read by src/main.cc, throws inside main's guard instead.)
#pragma once

#include <string_view>

namespace ignite {

void fault_point(std::string_view stage);

}  // namespace ignite
