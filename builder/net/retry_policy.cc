#include "builder/net/retry_policy.h"

#include <algorithm>

namespace ignite::net {

std::chrono::milliseconds RetryPolicy::delay_before(
    int next_attempt, std::optional<std::chrono::milliseconds> retry_after) const {
  std::chrono::milliseconds delay = base_delay;
  for (int i = 2; i < next_attempt && delay < max_delay; ++i) delay *= 2;
  if (retry_after && *retry_after > delay) delay = *retry_after;
  return std::min(delay, max_delay);
}

bool is_retryable_http_status(long status) {
  if (status == 429 || status == 408) return true;
  return status >= 500 && status <= 599 && status != 501 && status != 505;
}

std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  if (value.empty() || value.size() > 9) return std::nullopt;
  long long seconds = 0;
  for (char c : value) {
    if (c < '0' || c > '9') return std::nullopt;
    seconds = seconds * 10 + (c - '0');
  }
  return std::chrono::milliseconds(seconds * 1000);
}

}  // namespace ignite::net
