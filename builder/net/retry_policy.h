// When the builder's HTTP callers try again: after a connection fault, a 5xx (other than 501
// and 505), 408 or 429, with exponential backoff. The registry client (whose retried upload
// starts over from HEAD, see builder/registry/registry_blobs.cc) and the package index client
// (builder/index/http_client.cc) share the policy and the loop, with_retries().
#pragma once

#include <algorithm>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "builder/net/clock.h"
#include "builder/util/status.h"

namespace ignite::net {

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

// What one attempt tells the loop besides its result.
struct AttemptState {
  std::optional<std::chrono::milliseconds> retry_after;  // the server's, for the next wait
  bool give_up = false;  // an UNAVAILABLE that retrying cannot mend (a probe that failed)
};

inline const Status& status_of(const Status& s) { return s; }
template <typename T>
const Status& status_of(const Result<T>& r) {
  return r.status();
}

// Runs `attempt(AttemptState&)` until it succeeds, fails with a code other than UNAVAILABLE,
// sets give_up, or `policy.max_attempts` are spent ("gave up after N attempts: <last error>"),
// sleeping on `clock` between attempts. Before each wait, `on_retry(error, delay, next_attempt,
// attempts)` is called, for progress lines and counters.
template <typename Attempt, typename OnRetry>
auto with_retries(const RetryPolicy& policy, Clock& clock, Attempt&& attempt, OnRetry&& on_retry)
    -> decltype(attempt(std::declval<AttemptState&>())) {
  const int attempts = std::max(1, policy.max_attempts);
  for (int i = 1;; ++i) {
    AttemptState state;
    auto result = attempt(state);
    const Status& status = status_of(result);
    if (status.ok() || status.code() != Code::kUnavailable || state.give_up) return result;
    if (i >= attempts) {
      return Status(Code::kUnavailable,
                    "gave up after " + std::to_string(attempts) + " attempts: " + status.message());
    }
    const std::chrono::milliseconds delay = policy.delay_before(i + 1, state.retry_after);
    on_retry(status, delay, i + 1, attempts);
    clock.sleep_for(delay);
  }
}

}  // namespace ignite::net
