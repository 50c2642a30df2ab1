#include "builder/util/ascii.h"

#include <gtest/gtest.h>

namespace ignite {
namespace {

TEST(AsciiTest, ClassesAreAsciiOnly) {
  EXPECT_TRUE(is_ascii_alpha('a') && is_ascii_alpha('Z'));
  EXPECT_TRUE(is_ascii_alnum('7'));
  EXPECT_FALSE(is_ascii_alpha('\xe9'));  // é in Latin-1: never a letter here
  EXPECT_FALSE(is_ascii_alnum('\xc3'));
  EXPECT_FALSE(is_ascii_digit('a'));
  EXPECT_TRUE(is_ascii_upper('Q') && !is_ascii_upper('q'));
}

TEST(AsciiTest, LowerFoldsOnlyAsciiLetters) {
  EXPECT_EQ(ascii_lower("Content-Type"), "content-type");
  EXPECT_EQ(ascii_lower("\xc3\x89T\xc3\x89"), "\xc3\x89t\xc3\x89");  // ÉTÉ keeps its É
  EXPECT_EQ(ascii_lower(""), "");
}

TEST(AsciiTest, HexDigits) {
  EXPECT_EQ(hex_digit_value('0'), 0);
  EXPECT_EQ(hex_digit_value('a'), 10);
  EXPECT_EQ(hex_digit_value('F'), 15);
  EXPECT_EQ(hex_digit_value('g'), -1);
  EXPECT_TRUE(is_lower_hex_digit('f'));
  EXPECT_FALSE(is_lower_hex_digit('F'));
}

TEST(AsciiTest, TrimBlanks) {
  EXPECT_EQ(trim_blanks(" \tName: value \t\r\n"), "Name: value");
  EXPECT_EQ(trim_blanks("\r\nx"), "\r\nx");  // leading CR/LF are not blanks of a line
  EXPECT_EQ(trim_blanks("   "), "");
}

}  // namespace
}  // namespace ignite
