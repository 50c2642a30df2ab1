// Markers: exact error messages, evaluation against the default target, and the places
// where this implementation differs from packaging on purpose.
#include "builder/python/marker.h"

#include <gtest/gtest.h>

namespace ignite::python {
namespace {

bool evaluate(std::string_view text, const Environment& env = Environment::target_default(),
              MarkerContext context = MarkerContext::kMetadata) {
  Result<Marker> m = Marker::parse(text);
  EXPECT_TRUE(m.ok()) << m.status().to_string();
  if (!m.ok()) return false;
  Result<bool> r = m->evaluate(env, context);
  EXPECT_TRUE(r.ok()) << r.status().to_string();
  return r.ok() && *r;
}

TEST(MarkerTest, InvalidQuotedStringsCarryPackagingsMessage) {
  // packaging's test_parses_invalid_malformed_quoted_string, message for message.
  Result<Marker> m = Marker::parse(R"(os_name == "C:\")");
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(m.status().message(),
            "invalid marker: Invalid quoted string\n    os_name == \"C:\\\"\n"
            "               ~~~~~^");
  m = Marker::parse(R"(os_name == "\x")");
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().message(),
            "invalid marker: Invalid quoted string\n    os_name == \"\\x\"\n"
            "               ~~~~^");
}

TEST(MarkerTest, SyntaxErrorsPointAtTheProblem) {
  Result<Marker> m = Marker::parse("python_version >= '3' and");
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().message(),
            "invalid marker: Expected a marker variable or quoted string\n"
            "    python_version >= '3' and\n"
            "                             ^");
  m = Marker::parse("(os_name == 'a'");
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().message(),
            "invalid marker: Expected matching RIGHT_PARENTHESIS for LEFT_PARENTHESIS, after "
            "marker expression\n    (os_name == 'a'\n    ~~~~~~~~~~~~~~~^");
}

TEST(MarkerTest, DefaultTargetIsBookwormCPython311OnLinuxX86_64) {
  EXPECT_TRUE(evaluate("python_version == '3.11'"));
  EXPECT_TRUE(evaluate("python_full_version == '3.11.2'"));
  EXPECT_TRUE(evaluate("python_version >= '3.8' and python_version < '3.12'"));
  EXPECT_TRUE(evaluate("sys_platform == 'linux' and os_name == 'posix'"));
  EXPECT_TRUE(evaluate("platform_system == 'Linux' and platform_machine == 'x86_64'"));
  EXPECT_TRUE(evaluate("implementation_name == 'cpython'"));
  EXPECT_TRUE(evaluate("platform_python_implementation == 'CPython'"));
  EXPECT_TRUE(evaluate("python_implementation == 'CPython'"));  // setuptools' spelling
  EXPECT_TRUE(evaluate("'Debian' in platform_version"));
  EXPECT_FALSE(evaluate("sys_platform == 'win32' or sys_platform == 'darwin'"));
  EXPECT_FALSE(evaluate("extra == 'test'"));  // metadata context: extra is ""
}

TEST(MarkerTest, AndBindsTighterThanOr) {
  EXPECT_TRUE(evaluate("os_name == 'x' and os_name == 'y' or os_name == 'posix'"));
  EXPECT_FALSE(evaluate("os_name == 'x' and (os_name == 'y' or os_name == 'posix')"));
}

TEST(MarkerTest, VersionVariablesCompareAsVersions) {
  Environment env = Environment::target_default();
  env.set("python_full_version", "3.11.10");
  EXPECT_TRUE(evaluate("python_full_version > '3.11.9'", env));  // as strings it would be false
  EXPECT_TRUE(evaluate("python_version ~= '3.8'"));
  // Not a version on the right: string rules, where < and > are always false.
  EXPECT_FALSE(evaluate("python_version > 'dog'"));
  // os_name is a string variable: >= behaves as ==.
  EXPECT_TRUE(evaluate("os_name >= 'posix'"));
}

TEST(MarkerTest, ExtrasAreComparedNormalized) {
  Environment env = Environment::target_default();
  env.set("extra", "Foo_Bar");
  EXPECT_TRUE(evaluate("extra == 'foo.bar'", env));
  Result<Marker> m = Marker::parse("extra == 'Foo_Bar' and python_version >= '3'");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->to_string(), R"(extra == "foo-bar" and python_version >= "3")");
}

TEST(MarkerTest, UndefinedComparisonIsAnError) {
  Result<Marker> m = Marker::parse("'2.7.0' ~= os_name");
  ASSERT_TRUE(m.ok());
  Result<bool> r = m->evaluate(Environment::target_default());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(r.status().message(),
            "evaluating marker '\"2.7.0\" ~= os_name': undefined comparison '2.7.0' ~= 'posix' "
            "('os_name' is not compared as a PEP 440 version here)");
}

TEST(MarkerTest, SetValuedVariablesNeedTheLockFileContextOrAValue) {
  Result<Marker> m = Marker::parse("'foo' in extras");
  ASSERT_TRUE(m.ok());
  Result<bool> r = m->evaluate(Environment::target_default());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "evaluating marker '\"foo\" in extras': the environment has no value for 'extras'");
  r = m->evaluate(Environment::target_default(), MarkerContext::kLockFile);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(*r);
  Environment env = Environment::target_default();
  env.set_names("extras", {"Foo", "bar"});
  EXPECT_TRUE(evaluate("'foo' in extras and 'baz' not in extras", env));
}

TEST(MarkerTest, ValuesThatPackagingWouldPrintUnreadablyAreEscaped) {
  Result<Marker> m = Marker::parse(R"(os_name == "a\\b" or os_name == 'tab\there')");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->to_string(), "os_name == \"a\\\\b\" or os_name == \"tab\there\"");
  Result<Marker> again = Marker::parse(m->to_string());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *m);
  // A value holding a double quote is printed in single quotes, as packaging does.
  m = Marker::parse(R"('say "hi"' == os_name)");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->to_string(), R"('say "hi"' == os_name)");
}

TEST(MarkerTest, RedundantParenthesesKeepTheirMeaning) {
  Result<Marker> m = Marker::parse("os_name == 'a' and ((os_name == 'b' or os_name == 'c'))");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->to_string(), R"(os_name == "a" and (os_name == "b" or os_name == "c"))");
  m = Marker::parse("((os_name == 'a'))");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->to_string(), R"(os_name == "a")");
}

TEST(MarkerTest, DeepNestingIsRefused) {
  std::string text = std::string(kMaxMarkerDepth + 1, '(') + "os_name == 'a'" +
                     std::string(kMaxMarkerDepth + 1, ')');
  Result<Marker> m = Marker::parse(text);
  ASSERT_FALSE(m.ok());
  EXPECT_TRUE(m.status().message().starts_with(
      "invalid marker: Marker expression nested deeper than 64 parentheses\n"));
  text = std::string(kMaxMarkerDepth, '(') + "os_name == 'a'" + std::string(kMaxMarkerDepth, ')');
  EXPECT_TRUE(Marker::parse(text).ok());
}

}  // namespace
}  // namespace ignite::python
