#include "builder/net/clock.h"

#include <thread>

namespace ignite::net {

Clock::TimePoint SystemClock::now() { return std::chrono::steady_clock::now(); }

void SystemClock::sleep_for(std::chrono::milliseconds duration) {
  std::this_thread::sleep_for(duration);
}

}  // namespace ignite::net
