// Edge cases of specifiers beyond the shared vectors: what each operator admits at the
// boundaries, the pre-release rules, error messages, set operations.
#include "builder/python/specifier.h"

#include <gtest/gtest.h>

namespace ignite::python {
namespace {

Specifier spec(std::string_view text, std::optional<bool> pre = std::nullopt) {
  Result<Specifier> s = Specifier::parse(text, pre);
  EXPECT_TRUE(s.ok()) << s.status().to_string();
  return std::move(s).value();
}

SpecifierSet set(std::string_view text, std::optional<bool> pre = std::nullopt) {
  Result<SpecifierSet> s = SpecifierSet::parse(text, pre);
  EXPECT_TRUE(s.ok()) << s.status().to_string();
  return std::move(s).value();
}

TEST(SpecifierTest, ExclusiveOrderedComparisonsFollowPep440) {
  // <V (V final) excludes V's pre-releases; >V excludes V's post-releases and locals.
  EXPECT_FALSE(spec("<2.0").contains("2.0a1"));
  EXPECT_FALSE(spec("<2.0").contains("2.0.dev0"));
  EXPECT_TRUE(spec("<2.0").contains("1.9.9"));
  EXPECT_TRUE(spec("<2.0rc1").contains("2.0b1"));
  EXPECT_FALSE(spec(">1.0").contains("1.0.post1"));
  EXPECT_FALSE(spec(">1.0").contains("1.0+local"));
  EXPECT_TRUE(spec(">1.0").contains("1.0.0.1"));
  EXPECT_TRUE(spec(">1.0.post1").contains("1.0.post2"));
  EXPECT_FALSE(spec(">1.0.post1").contains("1.0.post1+local"));
  EXPECT_TRUE(spec(">1.0.dev1").contains("1.0.dev2"));
  EXPECT_TRUE(spec(">1.0a1").contains("1.0a2.dev0"));
  EXPECT_FALSE(spec(">1.0a1").contains("1.0a1.post3"));
}

TEST(SpecifierTest, EqualityLocalsAndWildcards) {
  EXPECT_TRUE(spec("==1.0").contains("1.0+anything"));
  EXPECT_TRUE(spec("==1.0").contains("1.0.0"));
  EXPECT_FALSE(spec("==1.0+a").contains("1.0"));
  EXPECT_TRUE(spec("==1.0+a").contains("1.0+a"));
  EXPECT_FALSE(spec("!=1.0").contains("1.0+local"));
  EXPECT_TRUE(spec("==1.*").contains("1.9.9"));
  EXPECT_TRUE(spec("==1.*").contains("1"));
  EXPECT_FALSE(spec("==1.*").contains("2.0.dev0"));
  EXPECT_TRUE(spec("==1.0.*").contains("1.0.5.post1"));
  EXPECT_FALSE(spec("!=1.0.*").contains("1.0rc1"));
  EXPECT_TRUE(spec("<=1.0").contains("1.0+local"));
  EXPECT_FALSE(spec("<=1.0").contains("1.0.post0"));
}

TEST(SpecifierTest, CompatibleRelease) {
  EXPECT_TRUE(spec("~=1.4.2").contains("1.4.9"));
  EXPECT_FALSE(spec("~=1.4.2").contains("1.5"));
  EXPECT_FALSE(spec("~=1.4.2").contains("1.5.dev0"));
  EXPECT_FALSE(spec("~=1.4.2").contains("1.4.1"));
  EXPECT_TRUE(spec("~=2.2.post3").contains("2.9"));
  EXPECT_FALSE(spec("~=2.2.post3").contains("2.2"));
  EXPECT_TRUE(spec("~=1!1.0").contains("1!1.5"));
  EXPECT_FALSE(spec("~=1!1.0").contains("1.5"));
}

TEST(SpecifierTest, HugeNumbers) {
  EXPECT_TRUE(spec(">=1.99999999999999999999999").contains("1.100000000000000000000000"));
  EXPECT_TRUE(spec("==1.100000000000000000000000.*").contains("1.100000000000000000000000.7"));
  EXPECT_FALSE(spec("==1.100000000000000000000000.*").contains("1.100000000000000000000001"));
  EXPECT_TRUE(spec("~=1.99999999999999999999").contains("1.999999999999999999999"));
  EXPECT_FALSE(spec("~=1.99999999999999999999").contains("2.0"));
}

TEST(SpecifierTest, PrereleaseRulesOfPackaging26) {
  // One version has no alternative: a matching pre-release is accepted by default.
  EXPECT_TRUE(spec(">=1.0").contains("2.0a1"));
  EXPECT_FALSE(spec(">=1.0", false).contains("2.0a1"));
  EXPECT_FALSE(spec(">=1.0").contains("2.0a1", false));
  EXPECT_TRUE(spec(">=1.0", false).contains("2.0a1", true));
  // filter(): pre-releases only when no final release matches.
  EXPECT_EQ(spec(">=1.0").filter({"1.0", "2.0a1"}), (std::vector<std::string>{"1.0"}));
  EXPECT_EQ(spec(">=1.0").filter({"0.5", "2.0a1"}), (std::vector<std::string>{"2.0a1"}));
  EXPECT_EQ(spec(">=1.0").filter({"2.0a1", "1.0"}, true),
            (std::vector<std::string>{"2.0a1", "1.0"}));
  EXPECT_EQ(set(">=1.0,<3").filter({"2.0a1", "2.0", "nonsense"}),
            (std::vector<std::string>{"2.0"}));
  // A clause on a pre-release opts in.
  EXPECT_EQ(spec(">=2.0a1").prereleases(), true);
  EXPECT_EQ(set(">=1.0,<3.0a1").filter({"1.5", "2.0b1"}),
            (std::vector<std::string>{"1.5", "2.0b1"}));
  // Installed pre-releases are accepted even when pre-releases are off.
  EXPECT_FALSE(set(">=1.0", false).contains("2.0a1"));
  EXPECT_TRUE(set(">=1.0", false).contains("2.0a1", std::nullopt, Installed::kYes));
}

TEST(SpecifierTest, ArbitraryEqualityComparesText) {
  EXPECT_TRUE(spec("===foobar").contains("FooBar"));
  EXPECT_FALSE(spec("===1.0").contains("1.0.0"));
  EXPECT_TRUE(spec("===1.0").contains(Version::parse("1.0").value()));
  EXPECT_EQ(spec("===foo").prereleases(), std::nullopt);
  EXPECT_EQ(spec("===foo").filter({"foo", "bar", "FOO"}), (std::vector<std::string>{"foo", "FOO"}));
}

TEST(SpecifierTest, ParseErrorsSayWhy) {
  auto error = [](std::string_view text) { return Specifier::parse(text).status(); };
  EXPECT_EQ(error("=>2.0").code(), Code::kInvalidArgument);
  EXPECT_EQ(error("=>2.0").message(),
            "invalid specifier '=>2.0': expected an operator (~=, ==, !=, <=, >=, <, >, ===) "
            "before the version");
  EXPECT_EQ(error("==").message(), "invalid specifier '==': missing version after '=='");
  EXPECT_EQ(error(">=1.0+local").message(),
            "invalid specifier '>=1.0+local': a local version (+...) is only allowed with == "
            "and !=");
  EXPECT_EQ(error("~=1").message(),
            "invalid specifier '~=1': ~= needs a release of at least two numbers, as in ~=1.4");
  EXPECT_EQ(error(">=1.0.*").message(),
            "invalid specifier '>=1.0.*': a wildcard (.*) is only allowed with == and !=");
  EXPECT_EQ(error("==1.0a1.*").message(),
            "invalid specifier '==1.0a1.*': a wildcard (.*) may only follow a release number, "
            "as in ==1.4.*");
  EXPECT_EQ(error(">=1.0x").message(),
            "invalid specifier '>=1.0x': invalid version '1.0x': unexpected 'x' after '1.0'");
  EXPECT_EQ(error("=== a b").message(),
            "invalid specifier '=== a b': the version after === may not hold whitespace, ';' "
            "or ')'");
  EXPECT_EQ(SpecifierSet::parse(">=1.0, foo").status().message(),
            "in specifier set '>=1.0, foo': invalid specifier 'foo': expected an operator (~=, "
            "==, !=, <=, >=, <, >, ===) before the version");
}

TEST(SpecifierTest, TextFormsAndEquality) {
  EXPECT_EQ(spec("  >=  1.0 ").to_string(), ">=1.0");
  EXPECT_EQ(set(">=1.0 , !=1.3.*,<2,, ").to_string(), "!=1.3.*,<2,>=1.0");
  EXPECT_EQ(set("").to_string(), "");
  EXPECT_EQ(spec("==1.0"), spec("==1.0.0"));
  EXPECT_FALSE(spec("~=1.0") == spec("~=1.0.0"));
  EXPECT_EQ(set(">=1,<2"), set("<2.0,>=1.0,>=1"));
  // to_string() parses back to an equal set.
  SpecifierSet s = set("~=1.4.2, !=1.4.5, <1.4.9");
  EXPECT_EQ(set(s.to_string()), s);
}

TEST(SpecifierTest, CombineAndSetRelations) {
  Result<SpecifierSet> both = set(">=1.0").combine(set("<2.0"));
  ASSERT_TRUE(both.ok());
  EXPECT_TRUE(both->contains("1.5"));
  EXPECT_FALSE(both->contains("2.0"));
  EXPECT_EQ(set(">=1", true).combine(set("<2", false)).status().message(),
            "combining specifier sets '>=1' and '<2': one allows pre-releases and the other "
            "refuses them");
  EXPECT_TRUE(set("~=1.4.2").is_subset_of(set(">=1.4,<2")));
  EXPECT_FALSE(set(">=1.4,<2").is_subset_of(set("~=1.4.2")));
  EXPECT_TRUE(set("==1.4.*").is_disjoint_from(set(">=1.5")));
  EXPECT_TRUE(set("!=1.0").is_superset_of(set("==1.1")));
  EXPECT_TRUE(set(">=2,<1").is_unsatisfiable());
  EXPECT_FALSE(set(">=1.0,<1.0.post0").is_unsatisfiable());  // 1.0 and 1.0+local
  EXPECT_TRUE(set(">=1.0a1,<1.0", false).is_unsatisfiable());
}

}  // namespace
}  // namespace ignite::python
