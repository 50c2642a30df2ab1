// Atomic writes: the whole new file or the old one, with its mode, and no temporary file left
// behind on success or failure. Trees removed whatever their directories' modes.
#include "builder/util/file_io.h"

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>

#include <gtest/gtest.h>

#include "tests/testing/temp_dir.h"

namespace ignite {
namespace {

std::vector<std::string> names_in(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    out.push_back(e.path().filename().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(FileIoTest, WritesReplacesAndKeepsTheMode) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/f";
  for (Durability d : {Durability::kSynced, Durability::kUnsynced}) {
    ASSERT_TRUE(write_file_atomic(path, "one", 0600, d).ok());
    ASSERT_TRUE(write_file_atomic(path, "two", 0640, d).ok());
    EXPECT_EQ(*read_file(path), "two");
    struct stat st {};
    ASSERT_EQ(::stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0640u);
    EXPECT_EQ(names_in(dir.path()), std::vector<std::string>{"f"});
  }
}

TEST(FileIoTest, AFailedWriteLeavesTheOldFileAndNoTemporary) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/f";
  ASSERT_TRUE(write_file_atomic(path, "old").ok());
  // Renaming a file over a directory fails after the temporary file was written.
  const std::string blocked = dir.path() + "/d";
  std::filesystem::create_directories(blocked + "/inside");
  Status s = write_file_atomic(blocked, "new");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("renaming to " + blocked), std::string::npos) << s.message();
  EXPECT_EQ(names_in(dir.path()), (std::vector<std::string>{"d", "f"}));
  EXPECT_EQ(*read_file(path), "old");

  Status missing = write_file_atomic(dir.path() + "/no/such/dir/f", "x");
  EXPECT_FALSE(missing.ok());
  EXPECT_NE(missing.message().find("creating a temporary file beside"), std::string::npos);
}

TEST(FileIoTest, SyncDirectoryNamesAMissingDirectory) {
  testing::TempDir dir;
  EXPECT_TRUE(sync_directory(dir.path()).ok());
  Status s = sync_directory(dir.path() + "/missing");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), Code::kNotFound);
  EXPECT_NE(s.message().find(dir.path() + "/missing"), std::string::npos);
}

// An unpacked image's tree (read-only directories, a symlink out of it) goes whole; what the
// symlink points to stays.
TEST(FileIoTest, RemoveTreeRemovesReadOnlyDirectoriesAndFollowsNoSymlink) {
  testing::TempDir dir;
  dir.write("keep/outside.txt", "kept");
  dir.write("tree/usr/lib/a.txt", "a");
  dir.write("tree/usr/b.txt", "b");
  dir.symlink("tree/usr/out", "../../keep");
  ASSERT_EQ(::chmod((dir / "tree/usr/lib").c_str(), 0555), 0);
  ASSERT_EQ(::chmod((dir / "tree/usr").c_str(), 0500), 0);
  remove_tree(dir / "tree");
  EXPECT_FALSE(std::filesystem::exists(dir / "tree"));
  EXPECT_EQ(*read_file(dir / "keep/outside.txt"), "kept");
  remove_tree(dir / "nothing");  // absent: nothing to do
}

}  // namespace
}  // namespace ignite
