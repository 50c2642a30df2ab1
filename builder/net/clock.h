// The HTTP callers' view of time: when a registry's bearer token expires and how long to wait
// before retrying. Behind an interface so tests can check token reuse and backoff without
// waiting.
#pragma once

#include <chrono>

namespace ignite::net {

class Clock {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  virtual ~Clock() = default;
  virtual TimePoint now() = 0;
  virtual void sleep_for(std::chrono::milliseconds duration) = 0;
};

// Steady time and a real sleep.
class SystemClock final : public Clock {
 public:
  TimePoint now() override;
  void sleep_for(std::chrono::milliseconds duration) override;
};

}  // namespace ignite::net
