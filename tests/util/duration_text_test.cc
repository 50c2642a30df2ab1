#include "builder/util/duration_text.h"

#include <gtest/gtest.h>

namespace ignite {
namespace {

TEST(DurationTextTest, WholeSecondsTenthsAndMilliseconds) {
  using std::chrono::milliseconds;
  EXPECT_EQ(duration_text(milliseconds(900'000)), "900 s");
  EXPECT_EQ(duration_text(milliseconds(0)), "0 s");
  EXPECT_EQ(duration_text(milliseconds(1'599)), "1.5 s");
  EXPECT_EQ(duration_text(milliseconds(250)), "250 ms");
  EXPECT_EQ(duration_text(milliseconds(1'000)), "1 s");
}

}  // namespace
}  // namespace ignite
