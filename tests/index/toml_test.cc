// TOML in and out of the lock: the writer's one string spelling (toml_quote.h), and what
// read_pylock makes of TOML through toml++: every spelling of the same lock reads the same,
// what TOML refuses is refused with its line and column, a field of the wrong type is named.
#include "builder/index/toml_quote.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "builder/index/pylock.h"

namespace ignite::index {
namespace {

const std::string kHead = "lock-version = \"1.0\"\n";
const std::string kSha = std::string(64, 'a');

std::string error_of(std::string_view text) {
  auto lock = read_pylock(text, "pylock.toml");
  if (lock.ok()) return "ok";
  EXPECT_EQ(lock.status().code(), Code::kInvalidArgument);
  return lock.status().message();
}

// The message of a TOML error starts with where it is, and says what is wrong; the wording
// after the position is toml++'s, so only its gist is checked.
void expect_toml_error(std::string_view text, std::string_view where, std::string_view gist) {
  const std::string message = error_of(text);
  EXPECT_TRUE(message.starts_with("pylock.toml: " + std::string(where) + ": ")) << message;
  EXPECT_NE(message.find(gist), std::string::npos) << message;
}

TEST(TomlTest, QuotesEscapesAndControlCharacters) {
  const std::string nasty = "a\"b\\c\nd\te\x01 \xc3\xa9";
  EXPECT_EQ(toml::quote(nasty), "\"a\\\"b\\\\c\\nd\\te\\u0001 \xc3\xa9\"");
  EXPECT_EQ(toml::quote("\b\f\r\x1f\x7f"), "\"\\b\\f\\r\\u001F\\u007F\"");
  EXPECT_EQ(toml::quote(std::string_view("\0", 1)), "\"\\u0000\"");
  EXPECT_EQ(toml::quote(""), "\"\"");
  EXPECT_EQ(toml::quote("'single' and \xe6\x97\xa5\xe6\x9c\xac"),
            "\"'single' and \xe6\x97\xa5\xe6\x9c\xac\"");
}

TEST(TomlTest, QuotesSoThatTheReaderGetsTheSameText) {
  const std::string nasty = "a\"b\\c\nd\te\x01 \xc3\xa9";
  auto lock = read_pylock(kHead + "created-by = " + toml::quote(nasty) + "\n", "pylock.toml");
  ASSERT_TRUE(lock.ok()) << lock.status().message();
  EXPECT_EQ(lock->created_by, nasty);
}

TEST(TomlTest, RoundTripsOddStrings) {
  Lock lock;
  lock.created_by = "tool \"quoted\" C:\\path\\ tab\there cr\rlf\n bell\x07 del\x7f";
  LockedPackage p;
  p.name = "demo";
  p.version = "1.0";
  p.wheels = {{"demo-1.0-py3-none-any.whl", "",
               "/w\xc3\xa9irdo/\xe6\x97\xa5\xe6\x9c\xac \"q\" \\b/" + std::string("nul\0here", 8) +
                   "/demo-1.0-py3-none-any.whl",
               kSha}};
  p.required_by = {"requested: demo ; python_version >= \"3\"", "x\b\f\x1b[31m",
                   "\xf0\x9f\x90\x8d"};
  lock.packages = {p};
  const std::string bytes = write_pylock(lock);
  auto back = read_pylock(bytes, "pylock.toml");
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->created_by, lock.created_by);
  ASSERT_EQ(back->packages.size(), 1u);
  EXPECT_EQ(back->packages[0].wheels[0].path, p.wheels[0].path);
  std::vector<std::string> sorted = p.required_by;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(back->packages[0].required_by, sorted);
  EXPECT_EQ(write_pylock(*back), bytes);
}

TEST(TomlTest, ReadsEverySpellingOfTheSameLock) {
  // The lock ignite-builder writes, and the same lock in literal, multi-line and escaped
  // strings, dotted keys, [[packages.wheels]] tables and comments.
  Lock lock;
  lock.created_by = "me";
  lock.packages = {{"demo",
                    "1.0",
                    std::nullopt,
                    ">=3.9",
                    "",
                    {{"demo-1.0-py3-none-any.whl", "", "/w/d", kSha}},
                    {"because"}}};
  const std::string spelled = kHead + R"(# a comment
created-by = 'me'  # a literal string
[[packages]]
"name" = """
demo"""
version = '''1.0'''
requires-python = ">=\u0033.9"
tool.ignite.required-by = [
  """be\
     cause""",  # a line-ending backslash
]
[[packages.wheels]]
name = "demo-1.0-py3-none-any.whl"
path = '/w/d'
size = 0x10
upload-time = 2025-08-25T13:48:20Z
hashes.sha256 = ")" + kSha + "\"\n";
  auto canonical = read_pylock(write_pylock(lock), "canonical");
  auto other = read_pylock(spelled, "spelled");
  ASSERT_TRUE(canonical.ok()) << canonical.status().message();
  ASSERT_TRUE(other.ok()) << other.status().message();
  EXPECT_EQ(write_pylock(*other), write_pylock(*canonical));
}

TEST(TomlTest, ReadsNonAsciiWhereTomlppLooksForWhitespace) {
  // toml++ 3.3.0 had undefined behaviour on both (tomlplusplus.h says how).
  auto lock =
      read_pylock(kHead + "created-by = \"\"\"\\\n   \xc2\xa7 \xcc\xaa\"\"\"\n", "pylock.toml");
  ASSERT_TRUE(lock.ok()) << lock.status().message();
  EXPECT_EQ(lock->created_by, "\xc2\xa7 \xcc\xaa");
  expect_toml_error(kHead + "\xcc\xaa = 1\n", "line 2, column 1", "");
}

TEST(TomlTest, RefusesWhatTomlRefusesWithLineAndColumn) {
  expect_toml_error(kHead + "created-by = \"open\n", "line 2, column 19", "control character");
  expect_toml_error(kHead + "created-by = \"a\"\ncreated-by = \"b\"\n", "line 3, column 14",
                    "redefine");
  expect_toml_error(kHead + "[[packages]]\nname = \"a\"\n[packages.tool]\n[packages.tool]\n",
                    "line 5, column 1", "redefine existing table");
  expect_toml_error(kHead + "tool = { x = 1 }\n[tool]\n", "line 3, column 1",
                    "redefine existing table");
  expect_toml_error(kHead + "size = 01\n", "line 2, column 10", "leading zero");
  expect_toml_error(kHead + "created-by = \"a\" x = 1\n", "line 2, column 18", "");
  expect_toml_error(kHead + "created-by = \"\\q\"\n", "line 2, column 16", "escape");
  expect_toml_error(kHead + "created-by = \"\xff\"\n", "line 2, column 14", "utf-8");
  // toml++ 3.3.0 broke its own precondition on this one (tomlplusplus.h says how): an error
  // here, not an abort or undefined behaviour.
  expect_toml_error(kHead + "[[[packages]]]\n", "line 2, column 3", "expected bare key");
}

TEST(TomlTest, NamesAFieldOfTheWrongTypeAndItsType) {
  EXPECT_EQ(error_of("lock-version = 1\n"),
            "pylock.toml: lock-version: lock-version must be a string, not a integer");
  EXPECT_EQ(error_of(kHead + "created-by = [\"me\"]\n"),
            "pylock.toml: created-by: created-by must be a string, not a array");
  EXPECT_EQ(error_of(kHead + "requires-python = 3.11\n"),
            "pylock.toml: requires-python: requires-python must be a string, not a float");
  const std::string package = kHead + "[[packages]]\nname = \"a\"\n";
  EXPECT_EQ(error_of(package + "version = 2024-01-01\n"),
            "pylock.toml: packages[0] (a): version must be a string, not a date");
  EXPECT_EQ(error_of(package + "version = \"1\"\nmarker = 1979-05-27T07:32:00Z\n"),
            "pylock.toml: packages[0] (a): marker must be a string, not a date-time");
  EXPECT_EQ(error_of(package + "version = \"1\"\nindex = 07:32:00\n"),
            "pylock.toml: packages[0] (a): index must be a string, not a time");
  EXPECT_EQ(error_of(package + "version = \"1\"\nrequires-python = true\n"),
            "pylock.toml: packages[0] (a): requires-python must be a string, not a boolean");
  EXPECT_EQ(error_of(package + "version = \"1\"\nwheels = [{ url = { a = 1 } }]\n"),
            "pylock.toml: packages[0] (a).wheels[0]: url must be a string, not a table");
  EXPECT_EQ(error_of(kHead + "packages = { a = 1 }\n"),
            "pylock.toml: packages: must be an array of tables");
  EXPECT_EQ(error_of(kHead + "packages = [1]\n"), "pylock.toml: packages[0]: must be a table");
  EXPECT_EQ(error_of(kHead + "environments = \"x\"\n"),
            "pylock.toml: environments: must be an array of markers");
}

TEST(TomlTest, RefusesKeysNestedDeeperThanTheBoundBeforeParsing) {
  // 100,000 parts in 200 KB: toml++ alone would overflow the stack.
  std::string deep = "lock-version = \"1.0\"\n";
  for (int i = 0; i < 100000; ++i) deep += "a.";
  deep += "b = 1\n";
  auto r = read_pylock(deep, "pylock.toml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(r.status().message(), "pylock.toml: line 2: a key of more than 128 parts");

  std::string header = "lock-version = \"1.0\"\n[";
  for (int i = 0; i < 200; ++i) header += "t.";
  header += "u]\n";
  EXPECT_EQ(read_pylock(header, "l").status().message(), "l: line 2: a key of more than 128 parts");

  // Within the bound, and dots in strings, comments and values, are the parser's business.
  std::string fine = "lock-version = \"1.0\"\n";
  for (int i = 0; i < 100; ++i) fine += "k.";
  fine += "z = 1.5\ncreated-by = \"" + std::string(1000, '.') + "\"  # " + std::string(1000, '.') +
          "\nx = '''\n" + std::string(1000, '.') + "'''\n";
  auto ok = read_pylock(fine, "l");
  ASSERT_TRUE(ok.ok()) << ok.status().message();
  EXPECT_EQ(ok->created_by, std::string(1000, '.'));
}

}  // namespace
}  // namespace ignite::index
