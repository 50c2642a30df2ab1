#include "builder/source/source_path.h"

#include <gtest/gtest.h>

namespace ignite {
namespace {

TEST(SourcePathTest, AcceptsOrdinaryPaths) {
  for (const char* p : {"handler.py", "lib/util.py", "a b/c d.txt", "caf\xC3\xA9/\xE6\x97\xA5.py",
                        ".hidden", "a/..b", "a/b..", "x/.../y"}) {
    EXPECT_TRUE(validate_source_path(p).ok()) << p;
  }
}

TEST(SourcePathTest, RefusesWithReason) {
  struct Case {
    std::string path;
    std::string message;
  };
  const Case cases[] = {
      {"", "empty path"},
      {"/etc/passwd", "absolute path"},
      {"a/../b", "path has a \"..\" component"},
      {"..", "path has a \"..\" component"},
      {"a/./b", "path has a \".\" component"},
      {"a//b", "path has an empty component"},
      {"a/", "path has an empty component"},
      {std::string("a\nb"), "path holds the control byte 0x0A"},
      {std::string("a\x7F"), "path holds the control byte 0x7F"},
      {std::string("a\0b", 3), "path holds the control byte 0x00"},
      {"bad\xFF.py", "path is not valid UTF-8 (at byte 3)"},
      {std::string(5000, 'a'), "path is longer than 4096 bytes"},
  };
  for (const auto& c : cases) {
    Status s = validate_source_path(c.path);
    EXPECT_EQ(s.code(), Code::kInvalidArgument) << c.path;
    EXPECT_EQ(s.message(), c.message) << c.path;
  }
}

TEST(SourcePathTest, NormalizesMemberNames) {
  EXPECT_EQ(normalize_member_name("./handler.py"), "handler.py");
  EXPECT_EQ(normalize_member_name("././a/b"), "a/b");
  EXPECT_EQ(normalize_member_name("./"), "");
  EXPECT_EQ(normalize_member_name("."), "");
  EXPECT_EQ(normalize_member_name("lib/"), "lib");
  EXPECT_EQ(normalize_member_name("a/./b"), "a/./b");  // left for validation to refuse
}

TEST(SourcePathTest, QuotesSafely) {
  EXPECT_EQ(quote_path("a b"), "\"a b\"");
  EXPECT_EQ(quote_path("a\nb"), "\"a\\x0Ab\"");
  EXPECT_EQ(quote_path("x\xFF"), "\"x\\xFF\"");
  EXPECT_EQ(quote_path("caf\xC3\xA9"), "\"caf\xC3\xA9\"");
  EXPECT_EQ(quote_path("q\""), "\"q\\\"\"");
}

}  // namespace
}  // namespace ignite
