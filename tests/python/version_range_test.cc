// The cut and range algebra under the specifiers: cuts compare as the sets of versions
// below them, so a range is empty exactly when lower >= upper.
#include "builder/python/version_range.h"

#include <gtest/gtest.h>

namespace ignite::python {
namespace {

Version v(std::string_view text) { return Version::parse(text).value(); }

TEST(VersionRangeTest, DerivedCutsHaveOneSpelling) {
  EXPECT_EQ(VersionCut::after_locals(v("1.0")), VersionCut::before(v("1.0.post0.dev0")));
  EXPECT_EQ(VersionCut::after_locals(v("1.0.post3")), VersionCut::before(v("1.0.post4.dev0")));
  EXPECT_EQ(VersionCut::after_locals(v("1.0.dev3")), VersionCut::before(v("1.0.dev4")));
  EXPECT_EQ(VersionCut::after_locals(v("1.0+abc")), VersionCut::before(v("1.0.post0.dev0")));
  EXPECT_EQ(VersionCut::after_posts(v("1.0a1")), VersionCut::before(v("1.0a2.dev0")));
  EXPECT_EQ(VersionCut::bottom(), VersionCut::before(v("0.0.dev0")));
}

TEST(VersionRangeTest, CutsOfDifferentKindsOrderByWhatLiesBelow) {
  // after(V) < before(W) exactly when V < W: versions are dense above V (V+0a, V+00a...).
  EXPECT_LT(VersionCut::after(v("1.0")), VersionCut::before(v("1.0+a")));
  EXPECT_LT(VersionCut::before(v("1.0")), VersionCut::after(v("1.0")));
  EXPECT_GT(VersionCut::before(v("1.0.1")), VersionCut::after(v("1.0")));
  // after_release(1.0) lies above every 1.0 version and below every longer release.
  EXPECT_GT(VersionCut::after_release(v("1.0")), VersionCut::after(v("1.0.post99+zzz")));
  EXPECT_LT(VersionCut::after_release(v("1.0")), VersionCut::before(v("1.0.0.0.1.dev0")));
  EXPECT_LT(VersionCut::after(v("99!1")), VersionCut::top());
  EXPECT_TRUE(VersionCut::after_release(v("1.0")).below(v("1.0.post5+x")));
  EXPECT_FALSE(VersionCut::after_release(v("1.0")).below(v("1.0.0.1")));
}

TEST(VersionRangeTest, EmptinessAndFinals) {
  VersionRange only_pres{VersionCut::before(v("1.0a1")), VersionCut::before(v("1.0"))};
  EXPECT_FALSE(only_pres.empty());
  EXPECT_FALSE(only_pres.has_final());
  VersionRange up_to_final{VersionCut::before(v("1.0rc1")), VersionCut::after(v("1.0"))};
  EXPECT_TRUE(up_to_final.has_final());
  VersionRange locals_only{VersionCut::after(v("1.0")), VersionCut::before(v("1.0.post0.dev0"))};
  EXPECT_FALSE(locals_only.empty());  // 1.0+anything
  EXPECT_TRUE(locals_only.has_final());
  VersionRange none{VersionCut::after_posts(v("1.0a1")), VersionCut::before(v("1.0a2.dev0"))};
  EXPECT_TRUE(none.empty());
}

TEST(VersionRangeTest, ComplementAndIntersection) {
  VersionRanges r = {{VersionCut::before(v("1.0")), VersionCut::before(v("2.0"))}};
  VersionRanges c = complement(r);
  ASSERT_EQ(c.size(), 2u);
  EXPECT_TRUE(ranges_contain(c, v("0.9")));
  EXPECT_TRUE(ranges_contain(c, v("2.0")));
  EXPECT_FALSE(ranges_contain(c, v("1.5")));
  EXPECT_TRUE(intersect(r, c).empty());
  EXPECT_EQ(complement(c).size(), 1u);
  EXPECT_TRUE(ranges_contain(complement(c), v("1.5")));
  EXPECT_TRUE(complement(all_versions()).empty());
  EXPECT_TRUE(ranges_are_prerelease_only({}));
}

}  // namespace
}  // namespace ignite::python
