// TargetTree never writes through a symlink or over an existing file.
#include <gtest/gtest.h>

#include "builder/wheel/target_tree.h"
#include "tests/wheel/wheel_builder.h"

namespace ignite::wheel {
namespace {

using testing::TempDir;

TEST(WheelTargetTreeTest, CreatesFilesAndParents) {
  TempDir tmp;
  auto tree = TargetTree::open(tmp / "t");
  ASSERT_TRUE(tree.ok()) << tree.status().to_string();
  auto fd = tree->create_file("a/b/c.txt", 0755);
  ASSERT_TRUE(fd.ok()) << fd.status().to_string();
  ASSERT_TRUE(write_all(fd->get(), "hi", "c.txt").ok());
  ASSERT_TRUE(close_file(std::move(*fd), "c.txt").ok());
  EXPECT_EQ(testing::slurp(tmp / "t/a/b/c.txt"), "hi");
  EXPECT_EQ(testing::mode_of(tmp / "t/a/b/c.txt"), 0755);
  EXPECT_EQ(testing::mode_of(tmp / "t/a/b"), 0755);
  auto again = tree->create_file("a/b/c.txt", 0644);
  EXPECT_EQ(again.status().code(), Code::kAlreadyExists) << again.status().to_string();
}

TEST(WheelTargetTreeTest, NeverFollowsASymlinkPlantedInTheTarget) {
  TempDir tmp;
  auto tree = TargetTree::open(tmp / "t");
  ASSERT_TRUE(tree.ok());
  tmp.mkdir("outside");
  tmp.symlink("t/pkg", "../outside");         // a directory swapped for a link
  tmp.symlink("t/file.txt", "../outside/f");  // a file name taken by a dangling link
  auto through_dir = tree->create_file("pkg/x.py", 0644);
  EXPECT_EQ(through_dir.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(through_dir.status().message(),
            "\"pkg/x.py\" would be written through the symlink \"pkg\"");
  auto onto_link = tree->create_file("file.txt", 0644);
  EXPECT_FALSE(onto_link.ok());
  EXPECT_EQ(testing::list_files(tmp / "outside"), std::vector<std::string>{});
  tmp.write("t/plain", "");
  auto below_file = tree->create_file("plain/x", 0644);
  EXPECT_EQ(below_file.status().message(), "\"plain/x\" would be written below the file \"plain\"");
}

TEST(WheelTargetTreeTest, RefusesANonEmptyTarget) {
  TempDir tmp;
  tmp.write("t/x", "");
  auto tree = TargetTree::open(tmp / "t");
  EXPECT_EQ(tree.status().code(), Code::kFailedPrecondition);
  tmp.write("file", "");
  EXPECT_EQ(TargetTree::open(tmp / "file").status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(TargetTree::open(tmp / "no/parent").status().code(), Code::kNotFound);
}

}  // namespace
}  // namespace ignite::wheel
