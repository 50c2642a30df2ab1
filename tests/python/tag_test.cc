// Tags, tag sets, targets other than the default, and choosing the best wheel.
#include "builder/python/tag.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "builder/python/platform_tags.h"
#include "builder/python/wheel_selection.h"

namespace ignite::python {
namespace {

std::vector<std::string> strings(const std::vector<Tag>& tags) {
  std::vector<std::string> out;
  for (const Tag& t : tags) out.push_back(t.to_string());
  return out;
}

TEST(TagTest, ParseOneAndCompressed) {
  Result<Tag> t = Tag::parse("Py3-None-Any");
  ASSERT_TRUE(t.ok()) << t.status().to_string();
  EXPECT_EQ(t->to_string(), "py3-none-any");
  EXPECT_EQ(Tag::parse("py2.py3-none-any").status().message(),
            "invalid tag 'py2.py3-none-any': it is a compressed set of 2 tags, not one tag");
  Result<std::vector<Tag>> set =
      parse_tag_set("cp311-abi3-manylinux_2_17_x86_64.manylinux2014_x86_64");
  ASSERT_TRUE(set.ok());
  EXPECT_EQ(strings(*set), (std::vector<std::string>{"cp311-abi3-manylinux2014_x86_64",
                                                     "cp311-abi3-manylinux_2_17_x86_64"}));
  EXPECT_EQ(compress_tag_set(*set), "cp311-abi3-manylinux2014_x86_64.manylinux_2_17_x86_64");
}

TEST(TagTest, ParseErrors) {
  EXPECT_EQ(parse_tag_set("py3-none").status().message(),
            "invalid tag 'py3-none': expected three parts, interpreter-abi-platform, found 2");
  EXPECT_EQ(parse_tag_set("3-none-any").status().message(),
            "invalid tag '3-none-any': interpreter '3' is not an identifier");
  EXPECT_EQ(parse_tag_set("py3.py2-none-any", TagOrder::kSorted).status().message(),
            "invalid tag 'py3.py2-none-any': component 'py3.py2' is not in sorted order as PEP "
            "425 requires");
  Result<std::vector<Tag>> big = parse_tag_set("a.b.c-d.e.f-g.h.i", TagOrder::kAny, 20);
  EXPECT_EQ(big.status().code(), Code::kResourceExhausted);
  EXPECT_EQ(big.status().message(),
            "invalid tag 'a.b.c-d.e.f-g.h.i': the compressed set expands to more than 20 tags");
}

TEST(PlatformTagsTest, ManylinuxForOtherArchitectures) {
  std::vector<std::string> aarch64 = manylinux_platforms(2, 19, "aarch64");
  EXPECT_EQ(aarch64, (std::vector<std::string>{"manylinux_2_19_aarch64", "manylinux_2_18_aarch64",
                                               "manylinux_2_17_aarch64", "manylinux2014_aarch64"}));
  EXPECT_TRUE(manylinux_platforms(2, 36, "sparc").empty());
  // A glibc 3 would still accept every glibc 2 wheel (packaging assumes 2.50 was last).
  std::vector<std::string> glibc3 = manylinux_platforms(3, 1, "x86_64");
  EXPECT_EQ(glibc3[0], "manylinux_3_1_x86_64");
  EXPECT_EQ(glibc3[2], "manylinux_2_50_x86_64");
}

TEST(PlatformTagsTest, OtherTargets) {
  PythonTarget target;
  target.python_minor = 12;
  target.abi = "cp312";
  target.glibc_minor = 28;
  target.arch = "aarch64";
  std::vector<std::string> tags = strings(target_tags(target));
  EXPECT_EQ(tags.front(), "cp312-cp312-manylinux_2_28_aarch64");
  EXPECT_EQ(tags.back(), "py30-none-any");
  EXPECT_NE(std::find(tags.begin(), tags.end(), "cp312-cp312-linux_aarch64"), tags.end());
  EXPECT_EQ(std::find(tags.begin(), tags.end(), "cp312-cp312-manylinux_2_29_aarch64"), tags.end());
  // 12 manylinux platforms (2.28 down to 2.17, plus manylinux2014) and linux_aarch64.
  EXPECT_EQ(linux_platforms(target).size(), 14u);

  PythonTarget threaded;
  threaded.python_minor = 13;
  threaded.abi = "cp313t";
  std::vector<std::string> t = strings(target_tags(threaded));
  EXPECT_EQ(t[0], "cp313-cp313t-manylinux_2_36_x86_64");
  EXPECT_EQ(std::count(t.begin(), t.end(), "cp313-abi3-manylinux_2_36_x86_64"), 0);
  EXPECT_EQ(std::count(t.begin(), t.end(), "cp313-abi3t-manylinux_2_36_x86_64"), 1);
}

WheelFilename wheel(std::string_view name) { return WheelFilename::parse(name).value(); }

TEST(WheelSelectionTest, BestTagWins) {
  TagPriority priority(target_tags(PythonTarget{}));
  std::vector<WheelFilename> wheels = {
      wheel("numpy-1.26.4-py3-none-any.whl"),
      wheel("numpy-1.26.4-cp311-cp311-musllinux_1_1_x86_64.whl"),
      wheel("numpy-1.26.4-cp311-abi3-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"),
      wheel("numpy-1.26.4-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"),
      wheel("numpy-1.26.4-cp311-cp311-manylinux_2_38_x86_64.whl"),
      wheel("numpy-1.26.4-cp312-cp312-manylinux_2_17_x86_64.whl"),
  };
  EXPECT_EQ(select_best_wheel(wheels, priority), 3u);
  wheels.erase(wheels.begin() + 3);
  EXPECT_EQ(select_best_wheel(wheels, priority), 2u);  // abi3 before pure Python
  wheels.erase(wheels.begin() + 2);
  EXPECT_EQ(select_best_wheel(wheels, priority), 0u);
  wheels.erase(wheels.begin());
  // Only musllinux, a too new glibc and another Python are left: nothing fits.
  EXPECT_EQ(select_best_wheel(wheels, priority), std::nullopt);
  EXPECT_EQ(priority.rank(Tag::make("cp311", "cp311", "manylinux_2_36_x86_64")), 0u);
  EXPECT_EQ(priority.rank(Tag::make("py3", "none", "any")).has_value(), true);
}

TEST(WheelSelectionTest, TiesGoToTheHigherBuildTag) {
  TagPriority priority(target_tags(PythonTarget{}));
  std::vector<WheelFilename> wheels = {
      wheel("foo-1.0-py3-none-any.whl"), wheel("foo-1.0-2-py3-none-any.whl"),
      wheel("foo-1.0-10-py3-none-any.whl"), wheel("foo-1.0-3-py3-none-any.whl")};
  EXPECT_EQ(select_best_wheel(wheels, priority), 2u);
}

}  // namespace
}  // namespace ignite::python
