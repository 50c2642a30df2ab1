#include "builder/net/retry_policy.h"

#include <gtest/gtest.h>

#include <vector>

namespace ignite::net {
namespace {

using std::chrono::milliseconds;

TEST(RetryPolicyTest, DefaultsDoubleFromTheBaseUpToTheCap) {
  const RetryPolicy p;
  EXPECT_EQ(p.max_attempts, 5);
  EXPECT_EQ(p.delay_before(2, std::nullopt), milliseconds(250));
  EXPECT_EQ(p.delay_before(3, std::nullopt), milliseconds(500));
  EXPECT_EQ(p.delay_before(4, std::nullopt), milliseconds(1000));
  EXPECT_EQ(p.delay_before(5, std::nullopt), milliseconds(2000));
  EXPECT_EQ(p.delay_before(9, std::nullopt), milliseconds(8000));
  EXPECT_EQ(p.delay_before(1000, std::nullopt), milliseconds(8000));
}

TEST(RetryPolicyTest, RetryAfterLengthensButNeverPassesTheCap) {
  const RetryPolicy p;
  EXPECT_EQ(p.delay_before(2, milliseconds(3000)), milliseconds(3000));
  EXPECT_EQ(p.delay_before(5, milliseconds(100)), milliseconds(2000));
  EXPECT_EQ(p.delay_before(2, milliseconds(3600000)), milliseconds(8000));
}

TEST(RetryPolicyTest, RetryableStatuses) {
  for (long s : {408L, 429L, 500L, 502L, 503L, 504L, 599L})
    EXPECT_TRUE(is_retryable_http_status(s)) << s;
  for (long s : {200L, 201L, 400L, 401L, 403L, 404L, 416L, 501L, 505L}) {
    EXPECT_FALSE(is_retryable_http_status(s)) << s;
  }
}

TEST(RetryPolicyTest, RetryAfterInSecondsOnly) {
  EXPECT_EQ(parse_retry_after("3"), milliseconds(3000));
  EXPECT_EQ(parse_retry_after(" 0 "), milliseconds(0));
  EXPECT_EQ(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), std::nullopt);
  EXPECT_EQ(parse_retry_after("-1"), std::nullopt);
  EXPECT_EQ(parse_retry_after("1234567890"), std::nullopt);
  EXPECT_EQ(parse_retry_after(""), std::nullopt);
}

// A clock that records the waits instead of sleeping.
class RecordingClock final : public Clock {
 public:
  TimePoint now() override { return TimePoint{}; }
  void sleep_for(milliseconds d) override { waits.push_back(d); }
  std::vector<milliseconds> waits;
};

TEST(WithRetriesTest, RetriesUnavailableUntilItSucceeds) {
  RecordingClock clock;
  int calls = 0;
  std::vector<int> announced;
  Result<int> r = with_retries(
      RetryPolicy{}, clock,
      [&](AttemptState&) -> Result<int> {
        if (++calls < 3) return unavailable("connection refused");
        return 42;
      },
      [&](const Status& s, milliseconds, int next, int of) {
        EXPECT_EQ(s.message(), "connection refused");
        EXPECT_EQ(of, 5);
        announced.push_back(next);
      });
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(*r, 42);
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(announced, (std::vector<int>{2, 3}));
  EXPECT_EQ(clock.waits, (std::vector<milliseconds>{milliseconds(250), milliseconds(500)}));
}

TEST(WithRetriesTest, GivesUpAfterTheLastAttemptNamingTheLastError) {
  RecordingClock clock;
  int calls = 0;
  RetryPolicy policy;
  policy.max_attempts = 3;
  Status s = with_retries(
      policy, clock,
      [&](AttemptState&) {
        ++calls;
        return unavailable("HTTP 503 attempt " + std::to_string(calls));
      },
      [](const Status&, milliseconds, int, int) {});
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(s.code(), Code::kUnavailable);
  EXPECT_EQ(s.message(), "gave up after 3 attempts: HTTP 503 attempt 3");
  EXPECT_EQ(clock.waits.size(), 2u);
}

TEST(WithRetriesTest, OtherErrorsAndGiveUpAreNotRetried) {
  RecordingClock clock;
  int calls = 0;
  Status s = with_retries(
      RetryPolicy{}, clock,
      [&](AttemptState&) {
        ++calls;
        return not_found("HTTP 404");
      },
      [](const Status&, milliseconds, int, int) {});
  EXPECT_EQ(s.code(), Code::kNotFound);
  EXPECT_EQ(calls, 1);
  s = with_retries(
      RetryPolicy{}, clock,
      [&](AttemptState& state) {
        ++calls;
        state.give_up = true;
        return unavailable("no registry there");
      },
      [](const Status&, milliseconds, int, int) {});
  EXPECT_EQ(s.message(), "no registry there");
  EXPECT_EQ(calls, 2);
  EXPECT_TRUE(clock.waits.empty());
}

TEST(WithRetriesTest, TheServersRetryAfterLengthensTheWait) {
  RecordingClock clock;
  int calls = 0;
  Result<int> r = with_retries(
      RetryPolicy{}, clock,
      [&](AttemptState& state) -> Result<int> {
        if (++calls == 1) {
          state.retry_after = milliseconds(3000);
          return unavailable("HTTP 429");
        }
        return 1;
      },
      [](const Status&, milliseconds, int, int) {});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(clock.waits, (std::vector<milliseconds>{milliseconds(3000)}));
}

}  // namespace
}  // namespace ignite::net
