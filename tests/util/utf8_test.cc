#include "builder/util/utf8.h"

#include <gtest/gtest.h>

namespace ignite {
namespace {

TEST(Utf8Test, AcceptsValid) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("plain ascii"));
  EXPECT_TRUE(is_valid_utf8("caf\xC3\xA9"));               // é
  EXPECT_TRUE(is_valid_utf8("\xE6\x97\xA5\xE6\x9C\xAC"));  // 日本
  EXPECT_TRUE(is_valid_utf8("\xF0\x9F\x94\xA5"));          // 🔥
}

TEST(Utf8Test, RejectsInvalidAndSaysWhere) {
  EXPECT_EQ(find_invalid_utf8("ab\xFF"), 2u);
  EXPECT_EQ(find_invalid_utf8("\xC0\xAF"), 0u);          // overlong '/'
  EXPECT_EQ(find_invalid_utf8("x\xED\xA0\x80"), 1u);     // surrogate U+D800
  EXPECT_EQ(find_invalid_utf8("\xF4\x90\x80\x80"), 0u);  // past U+10FFFF
  EXPECT_EQ(find_invalid_utf8("\xE6\x97"), 0u);          // truncated
  EXPECT_EQ(find_invalid_utf8("\x80"), 0u);              // lone continuation
}

}  // namespace
}  // namespace ignite
