// The WHEEL file and the member name rules.
#include <gtest/gtest.h>

#include "builder/wheel/member_path.h"
#include "builder/wheel/wheel_info.h"

namespace ignite::wheel {
namespace {

TEST(WheelInfoTest, ReadsVersionAndPurelib) {
  auto w = parse_wheel_info(
      "Wheel-Version: 1.0\nGenerator: setuptools (80.9.0)\nRoot-Is-Purelib: false\n"
      "Tag: cp311-cp311-manylinux_2_17_x86_64\n\nbody is ignored\n");
  ASSERT_TRUE(w.ok()) << w.status().to_string();
  EXPECT_EQ(w->major, 1);
  EXPECT_EQ(w->minor, 0);
  EXPECT_FALSE(w->root_is_purelib);
  // Any case for keys and the boolean, CRLF, continuation lines, a later minor version.
  w = parse_wheel_info(
      "wheel-version:1.9\r\nGenerator: a\r\n  continued\r\nROOT-IS-PURELIB: True\r\n");
  ASSERT_TRUE(w.ok()) << w.status().to_string();
  EXPECT_EQ(w->minor, 9);
  EXPECT_TRUE(w->root_is_purelib);
}

TEST(WheelInfoTest, RefusesMalformedOrUnsupported) {
  struct Case {
    const char* text;
    const char* message;
  };
  const Case cases[] = {
      {"Wheel-Version: 2.0\nRoot-Is-Purelib: true\n",
       "Wheel-Version 2.0 is not supported (only 1.x is)"},
      {"Wheel-Version: 1.x\nRoot-Is-Purelib: true\n", "Wheel-Version \"1.x\" is not MAJOR.MINOR"},
      {"Root-Is-Purelib: true\n", "no Wheel-Version"},
      {"Wheel-Version: 1.0\n", "no Root-Is-Purelib"},
      {"Wheel-Version: 1.0\nRoot-Is-Purelib: yes\n",
       "Root-Is-Purelib \"yes\" is neither true nor false"},
      {"Wheel-Version: 1.0\nWheel-Version: 1.0\nRoot-Is-Purelib: true\n",
       "Wheel-Version appears twice"},
      {"Wheel-Version: 1.0\nthis line has no colon\n",
       "line 2 is not \"Key: value\": \"this line has no colon\""},
      {" leading continuation\n", "line 1 continues a header that is not there"},
      {"Wheel-Version: 1.0\nGenerator: \xe9t\xe9\nRoot-Is-Purelib: true\n",
       "not valid UTF-8 (at byte 30)"},
      {"", "no Wheel-Version"},
  };
  for (const Case& c : cases) {
    auto w = parse_wheel_info(c.text);
    ASSERT_FALSE(w.ok()) << c.text;
    EXPECT_EQ(w.status().code(), Code::kInvalidArgument);
    EXPECT_EQ(w.status().message(), c.message);
  }
}

TEST(WheelMemberPathTest, AcceptsPlainRelativePaths) {
  EXPECT_EQ(*check_member_name("pkg/__init__.py", false), "pkg/__init__.py");
  EXPECT_EQ(*check_member_name("pkg/sub/", true), "pkg/sub");
  EXPECT_EQ(*check_member_name("caf\xc3\xa9/x y.py", false), "caf\xc3\xa9/x y.py");
  EXPECT_EQ(*check_member_name("pkg/a:b", false), "pkg/a:b");  // only "X:" at the start is a drive
}

TEST(WheelMemberPathTest, RefusesEscapesAndAmbiguities) {
  struct Case {
    std::string name;
    bool dir;
    const char* message;
  };
  const Case cases[] = {
      {"/etc/passwd", false, "absolute path"},
      {"../x", false, "path has a \"..\" component"},
      {"a/../../x", false, "path has a \"..\" component"},
      {"a/./x", false, "path has a \".\" component"},
      {"a//x", false, "path has an empty component"},
      {"pkg/", false, "path has an empty component"},  // a file with a trailing slash
      {"", false, "empty path"},
      {"/", true, "empty path"},
      {"..\\..\\x", false, "path holds a backslash"},
      {"C:\\Windows\\x", false, "path holds a backslash"},
      {"C:/Windows/x", false, "path starts with a drive letter"},
      {std::string("a\0b", 3), false, "path holds the control byte 0x00"},
      {"a\nb", false, "path holds the control byte 0x0A"},
      {"a\x7f", false, "path holds the control byte 0x7F"},
      {"a\xff", false, "path is not valid UTF-8 (at byte 1)"},
      {"\xc0\xaf", false, "path is not valid UTF-8 (at byte 0)"},  // overlong '/'
  };
  for (const Case& c : cases) {
    auto r = check_member_name(c.name, c.dir);
    ASSERT_FALSE(r.ok()) << quote_member(c.name);
    EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
    EXPECT_EQ(r.status().message(), c.message) << quote_member(c.name);
  }
}

}  // namespace
}  // namespace ignite::wheel
