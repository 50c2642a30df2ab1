// Archive metadata never changes the codeHash; content, names, owner-exec and link targets do.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>

#include "builder/source/code_hash.h"
#include "builder/source/intake.h"
#include "tests/testing/archive_writer.h"
#include "tests/testing/temp_dir.h"

namespace ignite {
namespace {

using testing::ArchiveFormat;
using testing::TestEntry;

// One tree, described with metadata that must not matter.
std::vector<TestEntry> tree_entries(int variant) {
  std::vector<TestEntry> e{
      TestEntry::file("handler.py", "import lib.util\ndef handler(p, c):\n    return lib.util.X\n"),
      TestEntry::dir("lib"),
      TestEntry::file("lib/util.py", "X = 'caf\xC3\xA9'\n"),
      TestEntry::file("lib/__init__.py", ""),
      TestEntry::file("bin/run me.sh", "#!/bin/sh\necho hi\n", 0744),
      TestEntry::file("caf\xC3\xA9/\xE6\x97\xA5.txt", "unicode\n"),
      TestEntry::symlink("util.py", "lib/util.py"),
  };
  for (std::size_t i = 0; i < e.size(); ++i) {
    auto& t = e[i];
    t.mtime = 1000000 * variant + static_cast<std::int64_t>(i);
    t.uid = variant * 1000;
    t.gid = variant * 7;
    t.uname = variant ? "someone" : "";
    // Group and other bits vary; the owner-exec bit stays.
    if (t.type == TestEntry::Type::kFile) t.mode = (t.mode & 0700) | (variant ? 077 : 0);
  }
  if (variant % 2) std::reverse(e.begin(), e.end());
  return e;
}

std::string hash_of(ArchiveFormat f, int variant) {
  auto tree = read_archive_bytes(testing::write_archive(f, tree_entries(variant)), "t", {});
  EXPECT_TRUE(tree.ok()) << tree.status().to_string();
  return tree.ok() ? code_hash(*tree).to_string() : "";
}

TEST(IntakeEquivalenceTest, FormatsAndMetadataDoNotMatter) {
  const std::string expected = hash_of(ArchiveFormat::kPaxTar, 0);
  for (auto f : {ArchiveFormat::kPaxTar, ArchiveFormat::kUstarTar, ArchiveFormat::kGnuTar,
                 ArchiveFormat::kTarGz, ArchiveFormat::kZip, ArchiveFormat::kZipUtf8}) {
    for (int variant : {0, 1, 2, 3}) {
      EXPECT_EQ(hash_of(f, variant), expected) << "format " << static_cast<int>(f) << " variant " << variant;
    }
  }
}

TEST(IntakeEquivalenceTest, DirectoryUnderAnotherUmaskMatches) {
  const std::string expected = hash_of(ArchiveFormat::kPaxTar, 0);
  testing::TempDir dir;
  mode_t old = ::umask(0077);
  for (const auto& t : tree_entries(0)) {
    if (t.type == TestEntry::Type::kFile) dir.write(t.path, t.data, t.mode & 0700);
    if (t.type == TestEntry::Type::kSymlink) dir.symlink(t.path, t.data);
    if (t.type == TestEntry::Type::kDir) dir.mkdir(t.path);
  }
  ::umask(old);
  auto tree = read_source_path(dir.path(), {});
  ASSERT_TRUE(tree.ok()) << tree.status().to_string();
  EXPECT_EQ(code_hash(*tree).to_string(), expected);
}

TEST(IntakeEquivalenceTest, LeadingDotSlashIsTheSameTree) {
  auto entries = tree_entries(0);
  for (auto& t : entries) t.path = "./" + t.path;
  entries.insert(entries.begin(), TestEntry::dir("./"));
  auto tree = read_archive_bytes(testing::write_archive(ArchiveFormat::kTarGz, entries), "t", {});
  ASSERT_TRUE(tree.ok()) << tree.status().to_string();
  EXPECT_EQ(code_hash(*tree).to_string(), hash_of(ArchiveFormat::kPaxTar, 0));
}

TEST(IntakeEquivalenceTest, ContentNameExecAndTargetChangeIt) {
  const std::string expected = hash_of(ArchiveFormat::kPaxTar, 0);
  auto changed = [&](auto mutate) {
    auto entries = tree_entries(0);
    mutate(entries);
    auto tree = read_archive_bytes(testing::write_archive(ArchiveFormat::kZip, entries), "t", {});
    EXPECT_TRUE(tree.ok()) << tree.status().to_string();
    return tree.ok() ? code_hash(*tree).to_string() : expected;
  };
  EXPECT_NE(changed([](auto& e) { e[2].data += "#"; }), expected);               // a byte
  EXPECT_NE(changed([](auto& e) { e[3].path = "lib/__init__.pyi"; }), expected);   // a name
  EXPECT_NE(changed([](auto& e) { e[4].mode = 0644; }), expected);                 // owner-exec
  EXPECT_NE(changed([](auto& e) { e[0].mode = 0755; }), expected);                 // owner-exec
  EXPECT_NE(changed([](auto& e) { e[6].data = "./lib/util.py"; }), expected);      // link target
  EXPECT_EQ(changed([](auto& e) { e[4].mode = 0700; }), expected);                 // group/other only
}

TEST(IntakeEquivalenceTest, SingleFileIsHandlerPy) {
  testing::TempDir dir;
  dir.write("my_function.py", "def handler(p, c):\n    return 1\n");
  auto from_path = read_source_path(dir / "my_function.py", {});
  ASSERT_TRUE(from_path.ok()) << from_path.status().to_string();
  ASSERT_EQ(from_path->entries().size(), 1u);
  EXPECT_EQ(from_path->entries().begin()->first, "handler.py");
  auto from_bytes = read_source_bytes("def handler(p, c):\n    return 1\n", {});
  ASSERT_TRUE(from_bytes.ok());
  EXPECT_EQ(code_hash(*from_path), code_hash(*from_bytes));
}

}  // namespace
}  // namespace ignite
