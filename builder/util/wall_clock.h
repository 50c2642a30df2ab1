// The wall clock as the store and the wire spell time: whole milliseconds or seconds since the
// Unix epoch (queue and catalog rows, leases, event timestamps, token expiry). Callers that must
// be testable take a `now` function defaulting to these.
#pragma once

#include <chrono>
#include <cstdint>

namespace ignite {

inline std::int64_t unix_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

inline std::int64_t unix_now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace ignite
