// Edge cases of PEP 440 versions beyond the shared vectors: huge numbers, error messages,
// local-segment order, building from parts.
#include "builder/python/version.h"

#include <gtest/gtest.h>

#include <unordered_set>

namespace ignite::python {
namespace {

Version v(std::string_view text) {
  Result<Version> parsed = Version::parse(text);
  EXPECT_TRUE(parsed.ok()) << parsed.status().to_string();
  return std::move(parsed).value();
}

TEST(VersionTest, HugeReleaseNumbersCompareAsNumbers) {
  // Far past 2^64: compared as digit strings, never truncated.
  EXPECT_LT(v("1.99999999999999999999999999999999"), v("1.100000000000000000000000000000000"));
  EXPECT_LT(v("18446744073709551616"), v("18446744073709551617"));
  EXPECT_EQ(v("0000018446744073709551616.0").to_string(), "18446744073709551616.0");
  EXPECT_EQ(v("99999999999999999999999!1.0").epoch(), "99999999999999999999999");
  EXPECT_GT(v("1.0.post100000000000000000000"), v("1.0.post99999999999999999999"));
}

TEST(VersionTest, TrailingZerosDoNotChangeEqualityOrHash) {
  EXPECT_EQ(v("1.0"), v("1.0.0.0"));
  EXPECT_EQ(v("1"), v("1.0"));
  EXPECT_EQ(v("1.0").hash(), v("1.0.0.0").hash());
  EXPECT_EQ(v("1.0a1"), v("1.0.0a1"));
  EXPECT_NE(v("1.0"), v("1.0.1"));
  std::unordered_set<Version> set = {v("2.0"), v("2.0.0"), v("2")};
  EXPECT_EQ(set.size(), 1u);
  // ... but the text keeps what was written.
  EXPECT_EQ(v("1.0.0").to_string(), "1.0.0");
}

TEST(VersionTest, AlternateSpellingsNormalize) {
  EXPECT_EQ(v("1.0-1").to_string(), "1.0.post1");
  EXPECT_EQ(v("1.0_ALPHA_2").to_string(), "1.0a2");
  EXPECT_EQ(v("1.0.preview3").to_string(), "1.0rc3");
  EXPECT_EQ(v("1.0pre").to_string(), "1.0rc0");
  EXPECT_EQ(v("1.0c1").to_string(), "1.0rc1");
  EXPECT_EQ(v("V1.0-rev_2").to_string(), "1.0.post2");
  EXPECT_EQ(v("1.0a.dev").to_string(), "1.0a0.dev0");
  // A separator after a label is taken even without a number (packaging's possessive
  // "[._-]?+"): "1.0a." is 1.0a0 and "1.0a..dev" is 1.0a0.dev0, but "1.0-" stays invalid.
  EXPECT_EQ(v("1.0a.").to_string(), "1.0a0");
  EXPECT_EQ(v("1.0a..dev").to_string(), "1.0a0.dev0");
  EXPECT_EQ(v("1.0.post.").to_string(), "1.0.post0");
  EXPECT_FALSE(Version::parse("1.0-").ok());
  EXPECT_EQ(v("1.0+Ubuntu-01_a").to_string(), "1.0+ubuntu.1.a");
  EXPECT_EQ(v(" \t1.0\n").to_string(), "1.0");
}

TEST(VersionTest, OrderAroundOneRelease) {
  // dev < pre < final < post; .devN before what it is attached to; local after public.
  std::vector<std::string> ordered = {
      "1.0.dev1", "1.0a1.dev1", "1.0a1", "1.0a1.post1.dev1", "1.0a1.post1", "1.0b1",      "1.0rc1",
      "1.0",      "1.0+abc",    "1.0+1", "1.0.post1.dev1",   "1.0.post1",   "1.0.1.dev0", "1!0.1"};
  for (std::size_t i = 0; i + 1 < ordered.size(); ++i) {
    EXPECT_LT(v(ordered[i]), v(ordered[i + 1])) << ordered[i] << " < " << ordered[i + 1];
  }
}

TEST(VersionTest, LocalSegmentsNumericAboveAlphaAndByValue) {
  EXPECT_LT(v("1.0+abc"), v("1.0+0"));
  EXPECT_LT(v("1.0+2"), v("1.0+10"));
  EXPECT_LT(v("1.0+a"), v("1.0+b"));
  EXPECT_LT(v("1.0+1"), v("1.0+1.0"));
  EXPECT_EQ(v("1.0+01"), v("1.0+1"));
  EXPECT_EQ(v("1.0+ubuntu.1").local(), "ubuntu.1");
  EXPECT_EQ(v("1.0+ubuntu.1").public_version(), "1.0");
}

TEST(VersionTest, Accessors) {
  Version x = v("2!3.4.5.6rc7.post8.dev9+x.10");
  EXPECT_EQ(x.epoch(), "2");
  EXPECT_EQ(x.release(), (std::vector<std::string>{"3", "4", "5", "6"}));
  EXPECT_EQ(x.major(), "3");
  EXPECT_EQ(x.minor(), "4");
  EXPECT_EQ(x.micro(), "5");
  EXPECT_EQ(v("7").minor(), "0");
  EXPECT_EQ(x.pre(), (PreRelease{"rc", "7"}));
  EXPECT_EQ(x.post(), "8");
  EXPECT_EQ(x.dev(), "9");
  EXPECT_EQ(x.local_segments(), (std::vector<std::string>{"x", "10"}));
  EXPECT_EQ(x.base_version(), "2!3.4.5.6");
  EXPECT_EQ(x.public_version(), "2!3.4.5.6rc7.post8.dev9");
  EXPECT_TRUE(x.is_prerelease());
  EXPECT_TRUE(x.is_postrelease());
  EXPECT_TRUE(x.is_devrelease());
  EXPECT_EQ(x.without_local().to_string(), "2!3.4.5.6rc7.post8.dev9");
  EXPECT_EQ(x.base().to_string(), "2!3.4.5.6");
}

TEST(VersionTest, ErrorsNameTheTextAndTheCause) {
  auto error = [](std::string_view text) { return Version::parse(text).status(); };
  EXPECT_EQ(error("1.0x").code(), Code::kInvalidArgument);
  EXPECT_EQ(error("1.0x").message(), "invalid version '1.0x': unexpected 'x' after '1.0'");
  EXPECT_EQ(error("").message(), "invalid version '': empty");
  EXPECT_EQ(error("   ").message(), "invalid version '   ': empty");
  EXPECT_EQ(error("abc").message(), "invalid version 'abc': expected a release number such as 1.0");
  EXPECT_EQ(error("1.0+").message(),
            "invalid version '1.0+': empty or invalid local version segment");
  EXPECT_EQ(error("1.0\n2").message(), "invalid version '1.0\\n2': unexpected '\\n2' after '1.0'");
  // Non-ASCII digits and letters are not PEP 440 (packaging matches ASCII only).
  EXPECT_FALSE(Version::parse("\xd9\xa1.0").ok());
  EXPECT_FALSE(Version::parse("1.0+\xc4\xb0").ok());
}

TEST(VersionTest, FromPartsValidatesAndNormalizes) {
  VersionParts parts;
  parts.release = {"01", "002"};
  parts.pre = PreRelease{"rc", "03"};
  parts.local = {"abc", "007"};
  Result<Version> built = Version::from_parts(parts);
  ASSERT_TRUE(built.ok()) << built.status().to_string();
  EXPECT_EQ(built->to_string(), "1.2rc3+abc.7");
  EXPECT_EQ(built->parts().release, (std::vector<std::string>{"1", "2"}));

  parts.pre = PreRelease{"c", "1"};
  EXPECT_EQ(Version::from_parts(parts).status().message(),
            "building a version: pre-release label 'c' is not one of 'a', 'b', 'rc'");
  parts.pre.reset();
  parts.release = {};
  EXPECT_EQ(Version::from_parts(parts).status().message(),
            "building a version: the release has no segment");
  parts.release = {"1", "x"};
  EXPECT_EQ(Version::from_parts(parts).status().message(),
            "building a version: release segment 'x' is not a number");
  parts.release = {"1"};
  parts.local = {"Abc"};
  EXPECT_EQ(Version::from_parts(parts).status().message(),
            "building a version: local segment 'Abc' is not lowercase [a-z0-9]+");
}

TEST(VersionTest, DigitHelpers) {
  EXPECT_EQ(increment_digits("0"), "1");
  EXPECT_EQ(increment_digits("9"), "10");
  EXPECT_EQ(increment_digits("1299"), "1300");
  EXPECT_EQ(increment_digits("99999999999999999999"), "100000000000000000000");
  EXPECT_EQ(compare_digits("10", "9"), std::strong_ordering::greater);
  EXPECT_EQ(compare_digits("123", "124"), std::strong_ordering::less);
  EXPECT_EQ(compare_digits("7", "7"), std::strong_ordering::equal);
}

TEST(VersionTest, CanonicalizeVersion) {
  EXPECT_EQ(canonicalize_version("1.0.0"), "1");
  EXPECT_EQ(canonicalize_version("1.0.0", TrailingZeros::kKeep), "1.0.0");
  EXPECT_EQ(canonicalize_version("0.0"), "0");
  EXPECT_EQ(canonicalize_version("2!1.0.post0"), "2!1.post0");
  EXPECT_EQ(canonicalize_version("not a version"), "not a version");
}

}  // namespace
}  // namespace ignite::python
