// Durations in messages and events, for a person: "900 s", "1.5 s", "250 ms".
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace ignite {

// Whole seconds as "N s"; past a second, tenths ("1.5 s", cut, not rounded); below, "N ms".
inline std::string duration_text(std::chrono::milliseconds d) {
  const std::int64_t ms = d.count();
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + " s";
  if (ms > 1000) return std::to_string(ms / 1000) + "." + std::to_string(ms % 1000 / 100) + " s";
  return std::to_string(ms) + " ms";
}

}  // namespace ignite
