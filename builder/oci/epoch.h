// Epoch: the one timestamp of an image, from SOURCE_DATE_EPOCH (else 0).
//
// Every tar mtime, the config's `created` and every history entry's `created` use it, so
// a build never reads the clock and the same inputs give the same bytes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "builder/util/status.h"

namespace ignite::oci {

class Epoch {
 public:
  // The largest value a ustar mtime field holds (11 octal digits, year 2242).
  static constexpr std::int64_t kMaxSeconds = 077777777777;

  static Epoch zero() { return Epoch(0); }
  // Seconds since 1970-01-01T00:00:00Z, from 0 to kMaxSeconds.
  static Result<Epoch> from_seconds(std::int64_t seconds);
  // Decimal digits only, as the reproducible-builds spec defines SOURCE_DATE_EPOCH.
  static Result<Epoch> parse(std::string_view text);
  // The value of the SOURCE_DATE_EPOCH variable as getenv returns it: null or empty is 0.
  // The caller reads the environment; this module never does.
  static Result<Epoch> from_environment_value(const char* value);

  std::int64_t seconds() const { return seconds_; }
  // The inverse of parse: decimal seconds.
  std::string to_string() const { return std::to_string(seconds_); }
  // RFC 3339 in UTC with no fraction, e.g. "1970-01-01T00:00:00Z". Independent of TZ.
  std::string rfc3339() const;

  friend bool operator==(const Epoch&, const Epoch&) = default;

 private:
  explicit Epoch(std::int64_t seconds) : seconds_(seconds) {}
  std::int64_t seconds_;
};

}  // namespace ignite::oci
