// Every refusal of safe intake, each with its code and its exact message.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "builder/source/intake.h"
#include "tests/testing/archive_writer.h"
#include "tests/testing/temp_dir.h"

namespace ignite {
namespace {

using testing::ArchiveFormat;
using testing::TestEntry;
using testing::write_archive;

const TestEntry kHandler = TestEntry::file("handler.py", "def handler(p, c):\n    return p\n");

Status intake(ArchiveFormat format, std::vector<TestEntry> entries, IntakeOptions options = {}) {
  return read_archive_bytes(write_archive(format, entries), "draft", options).status();
}

void expect_refused(const Status& s, Code code, const std::string& message) {
  EXPECT_EQ(s.code(), code) << s.to_string();
  EXPECT_EQ(s.message(), "reading archive draft: " + message);
}

TEST(IntakeRefusalTest, AbsolutePath) {
  expect_refused(intake(ArchiveFormat::kPaxTar, {kHandler, TestEntry::file("/etc/cron.d/x", "")}),
                 Code::kInvalidArgument, "entry \"/etc/cron.d/x\": absolute path");
}

TEST(IntakeRefusalTest, DotDot) {
  expect_refused(intake(ArchiveFormat::kPaxTar, {kHandler, TestEntry::file("lib/../../evil.py", "")}),
                 Code::kInvalidArgument, "entry \"lib/../../evil.py\": path has a \"..\" component");
}

TEST(IntakeRefusalTest, SymlinkOutOfTree) {
  expect_refused(intake(ArchiveFormat::kPaxTar, {kHandler, TestEntry::symlink("up", "../secret")}),
                 Code::kInvalidArgument, "entry \"up\": symlink to \"../secret\" leaves the source tree");
}

TEST(IntakeRefusalTest, SymlinkAbsolute) {
  expect_refused(intake(ArchiveFormat::kZip, {kHandler, TestEntry::symlink("pw", "/etc/passwd")}),
                 Code::kInvalidArgument, "entry \"pw\": symlink to \"/etc/passwd\" points to an absolute path");
}

TEST(IntakeRefusalTest, SymlinkEscapesThroughAnotherLink) {
  // sub/up -> .. stays inside (the root); x -> sub/up is the root too; y -> x/.. leaves.
  auto entries = std::vector<TestEntry>{kHandler, TestEntry::dir("sub"), TestEntry::symlink("sub/up", ".."),
                                        TestEntry::symlink("x", "sub/up")};
  EXPECT_TRUE(intake(ArchiveFormat::kPaxTar, entries).ok());
  entries.push_back(TestEntry::symlink("y", "x/.."));
  expect_refused(intake(ArchiveFormat::kPaxTar, entries), Code::kInvalidArgument,
                 "entry \"y\": symlink to \"x/..\" leaves the source tree");
}

TEST(IntakeRefusalTest, SymlinkLoop) {
  expect_refused(intake(ArchiveFormat::kPaxTar,
                        {kHandler, TestEntry::symlink("a", "b"), TestEntry::symlink("b", "a")}),
                 Code::kInvalidArgument, "entry \"a\": symlink to \"b\" is part of a symlink loop");
}

TEST(IntakeRefusalTest, WrittenThroughSymlink) {
  expect_refused(intake(ArchiveFormat::kPaxTar, {kHandler, TestEntry::dir("lib"), TestEntry::symlink("l", "lib"),
                                                 TestEntry::file("l/evil.py", "x")}),
                 Code::kInvalidArgument, "entry \"l/evil.py\": written through the symlink \"l\"");
}

TEST(IntakeRefusalTest, DeviceFile) {
  TestEntry dev{"null", TestEntry::Type::kCharDevice};
  expect_refused(intake(ArchiveFormat::kPaxTar, {kHandler, dev}), Code::kInvalidArgument,
                 "entry \"null\": a character device is not allowed (only regular files, "
                 "directories and symlinks)");
}

TEST(IntakeRefusalTest, Fifo) {
  TestEntry fifo{"pipe", TestEntry::Type::kFifo};
  expect_refused(intake(ArchiveFormat::kUstarTar, {kHandler, fifo}), Code::kInvalidArgument,
                 "entry \"pipe\": a fifo is not allowed (only regular files, directories and symlinks)");
}

TEST(IntakeRefusalTest, HardLinkOutside) {
  expect_refused(
      intake(ArchiveFormat::kPaxTar, {kHandler, TestEntry::hardlink("pw", "../../etc/passwd")}),
      Code::kInvalidArgument,
      "entry \"pw\": hard link to \"../../etc/passwd\" is not inside the source tree (path has a "
      "\"..\" component)");
}

TEST(IntakeRefusalTest, HardLinkMissingTarget) {
  expect_refused(intake(ArchiveFormat::kGnuTar, {kHandler, TestEntry::hardlink("copy", "nothere.py")}),
                 Code::kInvalidArgument,
                 "entry \"copy\": hard link to \"nothere.py\" names no file earlier in the archive");
}

TEST(IntakeRefusalTest, HardLinkIsHashedAsItsTarget) {
  auto linked = read_archive_bytes(
      write_archive(ArchiveFormat::kPaxTar, {kHandler, TestEntry::hardlink("copy.py", "handler.py")}),
      "draft", {});
  ASSERT_TRUE(linked.ok()) << linked.status().to_string();
  ASSERT_NE(linked->find("copy.py"), nullptr);
  EXPECT_EQ(linked->find("copy.py")->data, kHandler.data);
}

TEST(IntakeRefusalTest, DuplicatePath) {
  expect_refused(intake(ArchiveFormat::kZip, {kHandler, TestEntry::file("handler.py", "other")}),
                 Code::kInvalidArgument, "entry \"handler.py\": duplicate path");
}

TEST(IntakeRefusalTest, FileAndDirectoryAtOnePath) {
  expect_refused(intake(ArchiveFormat::kPaxTar,
                        {kHandler, TestEntry::file("lib", "x"), TestEntry::file("lib/a.py", "")}),
                 Code::kInvalidArgument, "entry \"lib\": a file and a directory at the same path");
  expect_refused(intake(ArchiveFormat::kPaxTar, {kHandler, TestEntry::dir("lib"), TestEntry::file("lib", "")}),
                 Code::kInvalidArgument, "entry \"lib\": duplicate path");
}

TEST(IntakeRefusalTest, NotUtf8) {
  expect_refused(intake(ArchiveFormat::kPaxTar, {kHandler, TestEntry::file("bad\xFF.py", "")}),
                 Code::kInvalidArgument, "entry \"bad\\xFF.py\": path is not valid UTF-8 (at byte 3)");
}

TEST(IntakeRefusalTest, ControlCharacter) {
  expect_refused(intake(ArchiveFormat::kPaxTar, {kHandler, TestEntry::file("x\nf 00 handler.py", "")}),
                 Code::kInvalidArgument,
                 "entry \"x\\x0Af 00 handler.py\": path holds the control byte 0x0A");
}

TEST(IntakeRefusalTest, MissingHandler) {
  expect_refused(intake(ArchiveFormat::kPaxTar, {TestEntry::file("main.py", "")}), Code::kInvalidArgument,
                 "no handler.py at the root of the source (the function's entry point is `def "
                 "handler(payload, ctx)` in handler.py)");
}

TEST(IntakeRefusalTest, HandlerInTopLevelFolderIsNotStripped) {
  expect_refused(intake(ArchiveFormat::kTarGz, {TestEntry::dir("greet"),
                                                TestEntry::file("greet/handler.py", "")}),
                 Code::kInvalidArgument,
                 "handler.py must be at the root of the source, but it was found at "
                 "\"greet/handler.py\" (archives are not stripped of a top-level folder: pack the "
                 "folder's contents, e.g. `tar -C greet -czf draft.tar.gz .`)");
}

TEST(IntakeRefusalTest, HandlerSymlinkMustReachAFile) {
  expect_refused(intake(ArchiveFormat::kPaxTar, {TestEntry::dir("src"), TestEntry::symlink("handler.py", "src")}),
                 Code::kInvalidArgument,
                 "handler.py is a symlink to \"src\", which is not a regular file in the source tree");
  EXPECT_TRUE(intake(ArchiveFormat::kPaxTar, {TestEntry::file("src/h.py", ""),
                                              TestEntry::symlink("handler.py", "src/h.py")})
                  .ok());
}

TEST(IntakeRefusalTest, TooManyEntries) {
  IntakeOptions options;
  options.limits.max_entries = 3;
  expect_refused(intake(ArchiveFormat::kPaxTar,
                        {kHandler, TestEntry::file("a", ""), TestEntry::file("b", ""), TestEntry::file("c", "")},
                        options),
                 Code::kResourceExhausted,
                 "entry \"c\": the source holds more than 3 entries (the limit on files, symlinks and "
                 "directories)");
}

TEST(IntakeRefusalTest, FileTooLarge) {
  IntakeOptions options;
  options.limits.max_file_bytes = 1000;
  expect_refused(intake(ArchiveFormat::kZip, {kHandler, TestEntry::file("big.bin", std::string(1001, 'x'))},
                        options),
                 Code::kResourceExhausted,
                 "entry \"big.bin\": file is larger than the limit of 1000 bytes per file");
}

TEST(IntakeRefusalTest, TotalTooLarge) {
  IntakeOptions options;
  options.limits.max_total_bytes = 1 << 20;
  std::vector<TestEntry> entries{kHandler};
  for (int i = 0; i < 5; ++i) entries.push_back(TestEntry::file("f" + std::to_string(i), std::string(300000, 'x')));
  expect_refused(intake(ArchiveFormat::kTarGz, entries, options), Code::kResourceExhausted,
                 "entry \"f3\": the source's files add up to more than the limit of 1 MiB");
}

TEST(IntakeRefusalTest, GzipBombStopsEarly) {
  IntakeOptions options;
  options.limits.max_total_bytes = 1 << 20;
  options.limits.max_file_bytes = 1ull << 40;  // only the total and the stream limit apply
  // 64 MiB of zeros compress to about 64 KiB.
  std::string bomb = write_archive(ArchiveFormat::kTarGz, {TestEntry::file("zeros", std::string(64 << 20, '\0'))});
  ASSERT_LT(bomb.size(), 1u << 20);
  Status s = read_archive_bytes(bomb, "draft", options).status();
  EXPECT_EQ(s.code(), Code::kResourceExhausted) << s.to_string();
  EXPECT_NE(s.message().find("the limit of 1 MiB"), std::string::npos) << s.message();
}

TEST(IntakeRefusalTest, ZipBombStopsEarly) {
  IntakeOptions options;
  options.limits.max_file_bytes = 1 << 20;
  std::string bomb = write_archive(ArchiveFormat::kZip, {kHandler, TestEntry::file("zeros", std::string(32 << 20, '\0'))});
  expect_refused(read_archive_bytes(bomb, "draft", options).status(), Code::kResourceExhausted,
                 "entry \"zeros\": file is larger than the limit of 1 MiB per file");
}

TEST(IntakeRefusalTest, GarbageIsNotAnArchive) {
  std::string junk = "\x1f\x8b" + std::string(100, 'j');
  Status s = read_archive_bytes(junk, "draft", {}).status();
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_TRUE(s.message().starts_with("reading archive draft: ")) << s.message();
}

TEST(IntakeRefusalTest, TruncatedGzip) {
  std::string whole = write_archive(ArchiveFormat::kTarGz, {kHandler, TestEntry::file("x", std::string(100000, 'a'))});
  Status s = read_archive_bytes(whole.substr(0, whole.size() / 2), "draft", {}).status();
  EXPECT_EQ(s.code(), Code::kInvalidArgument) << s.to_string();
}

TEST(DirectoryIntakeTest, RefusesFifo) {
  testing::TempDir dir;
  dir.write("handler.py", kHandler.data);
  ASSERT_EQ(::mkfifo((dir / "pipe").c_str(), 0644), 0);
  Status s = read_source_path(dir.path(), {}).status();
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_EQ(s.message(), "reading directory " + dir.path() +
                             ": entry \"pipe\": a fifo is not allowed (only regular files, "
                             "directories and symlinks)");
}

TEST(DirectoryIntakeTest, RefusesEscapingSymlink) {
  testing::TempDir dir;
  dir.write("handler.py", kHandler.data);
  dir.symlink("up", "../../etc");
  Status s = read_source_path(dir.path(), {}).status();
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_EQ(s.message(), "reading directory " + dir.path() + ": entry \"up\": symlink to \"../../etc\" leaves the source tree");
}

TEST(DirectoryIntakeTest, MissingSourceIsNotFound) {
  Status s = read_source_path("/nonexistent/draft", {}).status();
  EXPECT_EQ(s.code(), Code::kNotFound);
  EXPECT_EQ(s.message(), "reading source /nonexistent/draft: No such file or directory");
}

TEST(DirectoryIntakeTest, UnsupportedArchiveNameIsExplained) {
  testing::TempDir dir;
  dir.write("draft.tar.xz", "\xFD" "7zXZ...");
  Status s = read_source_path(dir / "draft.tar.xz", {}).status();
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_NE(s.message().find("is not a tar, tar.gz or zip archive"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace ignite
