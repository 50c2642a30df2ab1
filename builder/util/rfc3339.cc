#include "builder/util/rfc3339.h"

#include <chrono>
#include <cstdio>

#include "builder/util/ascii.h"

namespace ignite {
namespace {

// The decimal value of text[from, from + n), all digits (checked by the caller's pattern).
int digits_at(std::string_view text, std::size_t from, std::size_t n) {
  int v = 0;
  for (std::size_t i = from; i < from + n; ++i) v = v * 10 + (text[i] - '0');
  return v;
}

}  // namespace

std::string rfc3339_utc(std::int64_t seconds) {
  namespace chr = std::chrono;
  const chr::sys_seconds t{chr::seconds(seconds)};
  const chr::sys_days day = chr::floor<chr::days>(t);
  const chr::year_month_day ymd{day};
  const chr::hh_mm_ss hms{t - day};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
  return buf;
}

std::optional<std::int64_t> parse_rfc3339_utc(std::string_view text) {
  // "D" marks a digit; every other byte of the pattern must be itself.
  constexpr std::string_view kPattern = "DDDD-DD-DDTDD:DD:DDZ";
  if (text.size() != kPattern.size()) return std::nullopt;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (kPattern[i] == 'D' ? !is_ascii_digit(text[i]) : text[i] != kPattern[i]) {
      return std::nullopt;
    }
  }
  namespace chr = std::chrono;
  const chr::year_month_day ymd{chr::year(digits_at(text, 0, 4)),
                                chr::month(static_cast<unsigned>(digits_at(text, 5, 2))),
                                chr::day(static_cast<unsigned>(digits_at(text, 8, 2)))};
  const int hours = digits_at(text, 11, 2);
  const int minutes = digits_at(text, 14, 2);
  const int seconds = digits_at(text, 17, 2);
  if (!ymd.ok() || hours > 23 || minutes > 59 || seconds > 59) return std::nullopt;
  const chr::sys_seconds t =
      chr::sys_days(ymd) + chr::hours(hours) + chr::minutes(minutes) + chr::seconds(seconds);
  return t.time_since_epoch().count();
}

}  // namespace ignite
