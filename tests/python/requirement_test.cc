// Requirements: the forms the resolver meets in real metadata, and the printed form.
#include "builder/python/requirement.h"

#include <gtest/gtest.h>

namespace ignite::python {
namespace {

TEST(RequirementTest, OldParenthesizedForm) {
  Result<Requirement> r = Requirement::parse("zope.interface (>=3.6.0,<4)");
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->name(), "zope.interface");
  EXPECT_EQ(r->canonical_name(), "zope-interface");
  EXPECT_EQ(r->to_string(), "zope.interface<4,>=3.6.0");
  EXPECT_TRUE(r->specifier().contains(std::string_view("3.8")));
  EXPECT_FALSE(r->specifier().contains(std::string_view("4.0")));
}

TEST(RequirementTest, UrlAndMarkerPrintWithTheSpaceBeforeTheSemicolon) {
  Result<Requirement> r = Requirement::parse(
      "Pkg[B,a] @ https://host/pkg-1.0-py3-none-any.whl ; python_version<'3.12'");
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->to_string(),
            R"(Pkg[B,a] @ https://host/pkg-1.0-py3-none-any.whl ; python_version < "3.12")");
  Result<Requirement> again = Requirement::parse(r->to_string());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *r);
  EXPECT_EQ(again->hash(), r->hash());
}

TEST(RequirementTest, WithMarkerReplacesTheMarker) {
  Result<Requirement> r = Requirement::parse("pkg>=1; os_name == 'nt'");
  Result<Marker> m = Marker::parse("sys_platform == 'linux'");
  ASSERT_TRUE(r.ok() && m.ok());
  EXPECT_EQ(r->with_marker(*m).to_string(), R"(pkg>=1; sys_platform == "linux")");
  EXPECT_EQ(r->with_marker(std::nullopt).to_string(), "pkg>=1");
}

TEST(RequirementTest, TrailingCommaInSpecifierIsAcceptedAsByPackaging) {
  Result<Requirement> r = Requirement::parse("name>=1.0,");
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->to_string(), "name>=1.0");
}

TEST(RequirementTest, ErrorsAreInvalidArgumentWithPackagingsText) {
  Result<Requirement> r = Requirement::parse("name >= 1.0 <= 2.0");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(r.status().message(),
            "invalid requirement: Expected comma (within version specifier), semicolon (after "
            "version specifier) or end\n    name >= 1.0 <= 2.0\n         ~~~~~~~^");
  r = Requirement::parse("name>=1.0+local");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "invalid requirement: Local version label can only be used with `==` or `!=` "
            "operators\n    name>=1.0+local\n        ~~~~~^");
}

TEST(RequirementTest, NonAsciiTextCountsCharactersInTheCaretLine) {
  Result<Requirement> r = Requirement::parse("caf\xC3\xA9");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "invalid requirement: Expected package name at the start of dependency specifier\n"
            "    caf\xC3\xA9\n    ^");
}

}  // namespace
}  // namespace ignite::python
