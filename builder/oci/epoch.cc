#include "builder/oci/epoch.h"

#include "builder/util/rfc3339.h"

namespace ignite::oci {

Result<Epoch> Epoch::from_seconds(std::int64_t seconds) {
  if (seconds < 0 || seconds > kMaxSeconds) {
    return invalid_argument("epoch " + std::to_string(seconds) + " is outside 0.." +
                            std::to_string(kMaxSeconds) + " (what a tar header can hold)");
  }
  return Epoch(seconds);
}

Result<Epoch> Epoch::parse(std::string_view text) {
  auto refuse = [&](std::string_view why) {
    return invalid_argument("SOURCE_DATE_EPOCH \"" + std::string(text.substr(0, 40)) + "\" " +
                            std::string(why));
  };
  if (text.empty()) return refuse("is empty");
  if (text.size() > 12) return refuse("is too large (at most " + std::to_string(kMaxSeconds) + ")");
  std::int64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return refuse("must be decimal seconds since 1970-01-01 UTC");
    v = v * 10 + (c - '0');
  }
  if (v > kMaxSeconds) return refuse("is too large (at most " + std::to_string(kMaxSeconds) + ")");
  return Epoch(v);
}

Result<Epoch> Epoch::from_environment_value(const char* value) {
  if (value == nullptr || *value == '\0') return zero();
  return parse(value);
}

std::string Epoch::rfc3339() const { return rfc3339_utc(seconds_); }

}  // namespace ignite::oci
