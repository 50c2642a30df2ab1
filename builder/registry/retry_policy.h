// When the registry client tries again: after a connection fault, a 5xx (other than 501 and
// 505) or 429, with exponential backoff. A retried upload starts over from HEAD (see
// blob_push.cc), so a fault never leaves half a blob behind a session that is reused.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace ignite::registry {

// Attempts per operation, the first included.
inline constexpr int kDefaultMaxAttempts = 5;
// The wait before the second attempt; it doubles for each further one ...
inline constexpr std::chrono::milliseconds kDefaultBaseDelay{250};
// ... up to this cap, which also bounds a server's Retry-After.
inline constexpr std::chrono::milliseconds kDefaultMaxDelay{8000};

struct RetryPolicy {
  int max_attempts = kDefaultMaxAttempts;
  std::chrono::milliseconds base_delay = kDefaultBaseDelay;
  std::chrono::milliseconds max_delay = kDefaultMaxDelay;

  // The wait before attempt `next_attempt` (2, 3, ...): base_delay * 2^(next_attempt - 2),
  // or the server's Retry-After when that is longer; never more than max_delay.
  std::chrono::milliseconds delay_before(
      int next_attempt, std::optional<std::chrono::milliseconds> retry_after) const;
};

// 429, 408 and 5xx except 501 (Not Implemented) and 505 (HTTP Version Not Supported).
bool is_retryable_http_status(long status);

// A Retry-After header in seconds ("120"); nullopt for an HTTP date or anything else.
std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value);

}  // namespace ignite::registry
