#include "builder/util/path_text.h"

#include <gtest/gtest.h>

namespace ignite {
namespace {

using Parts = std::vector<std::string>;

TEST(PathTextTest, SplitKeepsEmptyComponents) {
  EXPECT_EQ(split_path("a/b/c"), (Parts{"a", "b", "c"}));
  EXPECT_EQ(split_path("a//b"), (Parts{"a", "", "b"}));
  EXPECT_EQ(split_path("a/"), (Parts{"a", ""}));
  EXPECT_EQ(split_path("/a"), (Parts{"", "a"}));
  EXPECT_EQ(split_path(""), (Parts{""}));
}

TEST(PathTextTest, ParentBaseAndJoin) {
  EXPECT_EQ(path_parent("a/b/c"), "a/b");
  EXPECT_EQ(path_parent("a"), "");
  EXPECT_EQ(path_base("a/b/c"), "c");
  EXPECT_EQ(path_base("c"), "c");
  EXPECT_EQ(path_base("a/"), "");
  EXPECT_EQ(join_path("", "x"), "x");
  EXPECT_EQ(join_path("a/b", "x"), "a/b/x");
  for (std::string p : {"a/b/c", "x", "site-packages/six.py"}) {
    EXPECT_EQ(join_path(path_parent(p), path_base(p)), p);
  }
}

}  // namespace
}  // namespace ignite
