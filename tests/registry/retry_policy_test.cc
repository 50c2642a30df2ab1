#include "builder/registry/retry_policy.h"

#include <gtest/gtest.h>

namespace ignite::registry {
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

}  // namespace
}  // namespace ignite::registry
