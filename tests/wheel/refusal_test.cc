// What install_wheel refuses, with the code and the whole message: paths that escape, links
// and special files, duplicates and clashes, malformed .dist-info, damaged zips, bombs.
#include <gtest/gtest.h>

#include "builder/wheel/wheel_install.h"
#include "tests/wheel/wheel_builder.h"

namespace ignite::testing {
namespace {

using wheel::InstallOptions;

const std::string kPrefix = "installing wheel \"demo-1.0-py3-none-any.whl\": ";

class WheelRefusalTest : public ::testing::Test {
 protected:
  // Installs a demo wheel holding `entries`; expects `code` and the message after kPrefix.
  void expect_refused(const TestWheel& w, Code code, const std::string& message,
                      const InstallOptions& options = {}) {
    TempDir tmp;
    auto r = install_test_wheel(tmp, w, options);
    ASSERT_FALSE(r.ok()) << "installed what must be refused: " << message;
    EXPECT_EQ(r.status().code(), code) << r.status().to_string();
    EXPECT_EQ(r.status().message(), kPrefix + message);
    // Nothing escaped: the only thing next to the wheel is the target (if made at all).
    std::vector<std::string> around = list_files(tmp.path());
    for (const std::string& f : around) {
      EXPECT_TRUE(f == w.filename() || f.starts_with("target/")) << f;
    }
  }
  static TestWheel with(std::vector<ZipEntry> entries) {
    TestWheel w;
    w.entries = std::move(entries);
    return w;
  }
  void expect_bytes_refused(const std::string& bytes, Code code, const std::string& message) {
    TempDir tmp;
    auto r = install_bytes(tmp, "demo-1.0-py3-none-any.whl", bytes);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), code) << r.status().to_string();
    EXPECT_EQ(r.status().message(), kPrefix + message);
  }
};

TEST_F(WheelRefusalTest, PathsThatEscape) {
  const Code kInvalid = Code::kInvalidArgument;
  expect_refused(with({ZipEntry::file("/tmp/evil", "")}), kInvalid,
                 "member \"/tmp/evil\": absolute path");
  expect_refused(with({ZipEntry::file("../evil", "")}), kInvalid,
                 "member \"../evil\": path has a \"..\" component");
  expect_refused(with({ZipEntry::file("demo/../../evil", "")}), kInvalid,
                 "member \"demo/../../evil\": path has a \"..\" component");
  expect_refused(with({ZipEntry::file("demo-1.0.data/data/../../evil", "")}), kInvalid,
                 "member \"demo-1.0.data/data/../../evil\": path has a \"..\" component");
  expect_refused(with({ZipEntry::file("..\\evil", "")}), kInvalid,
                 "member \"..\\\\evil\": path holds a backslash");
  expect_refused(with({ZipEntry::file("C:/evil", "")}), kInvalid,
                 "member \"C:/evil\": path starts with a drive letter");
  expect_refused(with({ZipEntry::file("demo/a\x1b[31m", "")}), kInvalid,
                 "member \"demo/a\\x1B[31m\": path holds the control byte 0x1B");
}

TEST_F(WheelRefusalTest, LinksAndSpecialFiles) {
  expect_refused(with({ZipEntry::symlink("demo/link", "/etc/passwd")}), Code::kInvalidArgument,
                 "member \"demo/link\": a symlink is not allowed (only files and directories)");
  expect_refused(with({ZipEntry{"demo/fifo", "", 010644}}), Code::kInvalidArgument,
                 "member \"demo/fifo\": a fifo is not allowed (only files and directories)");
  expect_refused(with({ZipEntry{"demo/dev", "", 020644}}), Code::kInvalidArgument,
                 "member \"demo/dev\": a character device is not allowed (only files and "
                 "directories)");
}

TEST_F(WheelRefusalTest, DuplicatesAndClashes) {
  expect_refused(with({ZipEntry::file("demo.py", "a"), ZipEntry::file("demo.py", "b")}),
                 Code::kInvalidArgument, "member \"demo.py\": duplicate member");
  expect_refused(with({ZipEntry::file("demo", "a"), ZipEntry::file("demo/x.py", "b")}),
                 Code::kInvalidArgument,
                 "member \"demo/x.py\" and member \"demo\" install \"demo\" as a file and as a "
                 "directory");
  expect_refused(with({ZipEntry::file("demo/x.py", "b"), ZipEntry::file("demo", "a")}),
                 Code::kInvalidArgument,
                 "member \"demo\" and member \"demo/x.py\" install \"demo\" as a file and as a "
                 "directory");
  expect_refused(with({ZipEntry::dir("demo.py/"), ZipEntry::file("demo.py", "a")}),
                 Code::kInvalidArgument, "member \"demo.py\": duplicate member");
  expect_refused(with({ZipEntry::dir("demo/"), ZipEntry::file("demo/x.py", "a"),
                       ZipEntry::file("demo-1.0.data/data/demo", "b")}),
                 Code::kInvalidArgument,
                 "member \"demo-1.0.data/data/demo\" and member \"demo\" install \"demo\" as a "
                 "file and as a directory");
  expect_refused(
      with({ZipEntry::file("demo.py", "a"), ZipEntry::file("demo-1.0.data/purelib/demo.py", "b")}),
      Code::kInvalidArgument,
      "member \"demo-1.0.data/purelib/demo.py\" and member \"demo.py\" install \"demo.py\" twice");
  expect_refused(with({ZipEntry::file("demo-1.0.data/purelib/demo-1.0.dist-info/INSTALLER", "")}),
                 Code::kInvalidArgument,
                 "the installer's INSTALLER and member "
                 "\"demo-1.0.data/purelib/demo-1.0.dist-info/INSTALLER\" install "
                 "\"demo-1.0.dist-info/INSTALLER\" twice");
  TestWheel w = with({ZipEntry::file("demo-1.0.data/data/bin/tool", "")});
  w.entry_points = "[console_scripts]\ntool = demo:main\n";
  expect_refused(w, Code::kInvalidArgument,
                 "console script \"tool\" and member \"demo-1.0.data/data/bin/tool\" install "
                 "\"bin/tool\" twice");
  w = with({});
  w.entry_points = "[console_scripts]\ntool = demo:main\n[gui_scripts]\ntool = demo:gui\n";
  expect_refused(w, Code::kInvalidArgument,
                 "gui script \"tool\" and console script \"tool\" install \"bin/tool\" twice");
}

TEST_F(WheelRefusalTest, BadDataDirectories) {
  expect_refused(with({ZipEntry::file("demo-1.0.data/etc/passwd", "")}), Code::kInvalidArgument,
                 "member \"demo-1.0.data/etc/passwd\": unknown scheme \"etc\" (only purelib, "
                 "platlib, scripts, headers and data are)");
  expect_refused(with({ZipEntry::file("demo-1.0.data/scripts", "")}), Code::kInvalidArgument,
                 "member \"demo-1.0.data/scripts\": a file directly in \"demo-1.0.data\", not in "
                 "one of its scheme directories");
  expect_refused(with({ZipEntry::file("demo-1.0.data", "")}), Code::kInvalidArgument,
                 "member \"demo-1.0.data\": a file directly in \"demo-1.0.data\", not in one of "
                 "its scheme directories");
}

TEST_F(WheelRefusalTest, DistInfoProblems) {
  TestWheel w;
  w.wheel = "Wheel-Version: 2.0\nRoot-Is-Purelib: true\n";
  expect_refused(w, Code::kInvalidArgument,
                 "\"demo-1.0.dist-info/WHEEL\": Wheel-Version 2.0 is not supported (only 1.x is)");
  w.wheel = "Wheel-Version: 1.0\nRoot-Is-Purelib: \xff\n";
  expect_refused(w, Code::kInvalidArgument,
                 "\"demo-1.0.dist-info/WHEEL\": not valid UTF-8 (at byte 36)");
  w.wheel = "garbage\n";
  expect_refused(w, Code::kInvalidArgument,
                 "\"demo-1.0.dist-info/WHEEL\": line 1 is not \"Key: value\": \"garbage\"");
  w = TestWheel();
  w.entry_points = "[console_scripts]\nevil = os:system('rm -rf /')\n";
  expect_refused(w, Code::kInvalidArgument,
                 "\"demo-1.0.dist-info/entry_points.txt\": line 2: script \"evil\": "
                 "\"os:system('rm -rf /')\" is not \"module:attribute\" with dotted ASCII names");

  TestWheel two = with({ZipEntry::file("other-1.0.dist-info/METADATA", "")});
  expect_refused(two, Code::kInvalidArgument,
                 "more than one .dist-info directory: \"demo-1.0.dist-info\", "
                 "\"other-1.0.dist-info\"");
  expect_bytes_refused(build_zip({ZipEntry::file("demo.py", "")}), Code::kInvalidArgument,
                       "no .dist-info directory at the top of the wheel");
  TestWheel renamed;
  renamed.name = "other";
  expect_bytes_refused(renamed.bytes(), Code::kInvalidArgument,
                       "\"other-1.0.dist-info\" is not the .dist-info of \"demo\", the project "
                       "the file name gives");
  TestWheel newer;
  newer.version = "2.0";
  expect_bytes_refused(newer.bytes(), Code::kInvalidArgument,
                       "\"demo-2.0.dist-info\" is not of version 1.0, the version the file name "
                       "gives");
  TestWheel equal_version;
  equal_version.version = "1.0.0";  // PEP 440 equal: accepted
  TempDir tmp;
  EXPECT_TRUE(install_bytes(tmp, "demo-1.0-py3-none-any.whl", equal_version.bytes()).ok());

  // No WHEEL, no METADATA, no RECORD.
  TestWheel base;
  std::vector<ZipEntry> members = base.members();
  for (const char* file : {"WHEEL", "METADATA", "RECORD"}) {
    std::vector<ZipEntry> without;
    for (const ZipEntry& e : members) {
      if (e.name != base.dist_info() + "/" + file) without.push_back(e);
    }
    expect_bytes_refused(build_zip(without), Code::kInvalidArgument,
                         std::string("\"demo-1.0.dist-info\" has no ") + file);
  }
}

TEST_F(WheelRefusalTest, DamagedZips) {
  const std::string good = TestWheel().bytes();
  expect_bytes_refused("PK", Code::kDataLoss, "not a zip file (too short)");
  expect_bytes_refused("not a zip at all, but long enough", Code::kDataLoss,
                       "not a zip file (no end of central directory record)");
  expect_bytes_refused(good.substr(0, good.size() / 2), Code::kDataLoss,
                       "not a zip file (no end of central directory record)");
  expect_bytes_refused(good.substr(0, good.size() - 1), Code::kDataLoss,
                       "not a zip file (no end of central directory record)");
  // Data before the first member (a self-extracting stub): the offsets no longer hold.
  expect_bytes_refused("#!/bin/sh\n" + good, Code::kDataLoss,
                       "the central directory is not where the end record puts it");
  // One flipped byte in a member's data: its CRC no longer matches.
  std::string flipped = good;
  const std::size_t at = flipped.find("Metadata-Version");
  flipped[at] = 'm';
  TempDir tmp;
  auto r = install_bytes(tmp, "demo-1.0-py3-none-any.whl", flipped);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kDataLoss) << r.status().to_string();
  EXPECT_NE(r.status().message().find("member \"demo-1.0.dist-info/METADATA\": reading its data"),
            std::string::npos)
      << r.status().to_string();
}

TEST_F(WheelRefusalTest, HeadersThatDisagree) {
  // The local header says one name, the central directory (what pip reads) another.
  ZipEntry liar = ZipEntry::file("demo/ok.py", "x");
  liar.local_name = "../../evil.py";
  expect_refused(with({liar}), Code::kInvalidArgument,
                 "member \"demo/ok.py\": its local header names it \"../../evil.py\" (tools would "
                 "disagree on its name)");
  // A directory by its mode only: zipfile would make it a file.
  expect_refused(with({ZipEntry{"demo/sub", "", 040755}}), Code::kInvalidArgument,
                 "member \"demo/sub\": a directory by its mode, a file by its name (no trailing "
                 "'/')");
  // Two central entries over one local header (or overlapping data): a zip bomb's trick.
  std::string bytes = TestWheel().bytes();
  const std::size_t central = bytes.rfind(std::string("PK\1\2", 4));
  // Point the last central entry (RECORD) at the first local header.
  bytes.replace(central + 42, 4, std::string(4, '\0'));
  TempDir tmp;
  auto r = install_bytes(tmp, "demo-1.0-py3-none-any.whl", bytes);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kDataLoss) << r.status().to_string();
  EXPECT_EQ(r.status().message(), kPrefix +
                                      "member \"demo-1.0.dist-info/METADATA\" overlaps member "
                                      "\"demo-1.0.dist-info/RECORD\"");
  // The size a header declares is the size the data must have.
  ZipEntry shorter = ZipEntry::file("demo/a.py", "0123456789");
  shorter.declared_size = 4;
  TempDir tmp2;
  r = install_test_wheel(tmp2, with({shorter}));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kDataLoss) << r.status().to_string();
}

TEST_F(WheelRefusalTest, CallerErrors) {
  TempDir tmp;
  auto r = wheel::install_wheel(tmp / "missing.whl", "demo-1.0-py3-none-any.whl", tmp / "t", {});
  EXPECT_EQ(r.status().code(), Code::kNotFound) << r.status().to_string();
  EXPECT_EQ(r.status().message(),
            kPrefix + "opening " + tmp.path() + "/missing.whl: No such file or directory");

  tmp.write("demo-1.0-py3-none-any.whl", TestWheel().bytes());
  r = wheel::install_wheel(tmp / "demo-1.0-py3-none-any.whl", "demo.whl", tmp / "t", {});
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument) << r.status().to_string();

  tmp.write("full/something", "");
  r = wheel::install_wheel(tmp / "demo-1.0-py3-none-any.whl", "demo-1.0-py3-none-any.whl",
                           tmp / "full", {});
  EXPECT_EQ(r.status().code(), Code::kFailedPrecondition) << r.status().to_string();
  EXPECT_EQ(r.status().message(),
            kPrefix + "target directory " + tmp.path() + "/full is not empty");

  tmp.mkdir("real");
  tmp.symlink("link", "real");
  r = wheel::install_wheel(tmp / "demo-1.0-py3-none-any.whl", "demo-1.0-py3-none-any.whl",
                           tmp / "link", {});
  EXPECT_EQ(r.status().code(), Code::kFailedPrecondition) << r.status().to_string();

  for (const char* bad : {"python3", "/usr/bin/env python3", "/usr/bin/py\nthon"}) {
    InstallOptions options;
    options.interpreter = bad;
    r = wheel::install_wheel(tmp / "demo-1.0-py3-none-any.whl", "demo-1.0-py3-none-any.whl",
                             tmp / "t2", options);
    EXPECT_EQ(r.status().code(), Code::kInvalidArgument) << bad;
  }
  InstallOptions long_one;
  long_one.interpreter = "/" + std::string(130, 'p');
  r = wheel::install_wheel(tmp / "demo-1.0-py3-none-any.whl", "demo-1.0-py3-none-any.whl",
                           tmp / "t2", long_one);
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
}

TEST_F(WheelRefusalTest, ZipBombsStopWhileDecompressing) {
  InstallOptions small;
  small.limits.max_member_bytes = 1 << 20;
  small.limits.max_total_bytes = 4 << 20;
  // 64 MiB of zeros deflate to about 64 KiB; its header admits it.
  ZipEntry bomb{"demo/zeros", std::string(64 << 20, '\0'), 0100644, true};
  expect_refused(with({bomb}), Code::kResourceExhausted,
                 "member \"demo/zeros\": 67108864 bytes, over the limit of 1048576 per member",
                 small);
  // Its header lies (10 bytes): the data is counted as it comes.
  bomb.declared_size = 10;
  TempDir tmp;
  auto r = install_test_wheel(tmp, with({bomb}), small);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().code() == Code::kResourceExhausted || r.status().code() == Code::kDataLoss)
      << r.status().to_string();
  // Many members under the per-member limit, over the total.
  std::vector<ZipEntry> many;
  for (int i = 0; i < 6; ++i) {
    many.push_back(
        ZipEntry{"demo/z" + std::to_string(i), std::string(1 << 20, '\0'), 0100644, true});
  }
  expect_refused(with(many), Code::kResourceExhausted,
                 "member \"demo/z4\": the wheel decompresses to more than 4194304 bytes in all",
                 small);
  InstallOptions few;
  few.limits.max_members = 3;
  expect_refused(with({ZipEntry::file("a", ""), ZipEntry::file("b", ""), ZipEntry::file("c", "")}),
                 Code::kResourceExhausted, "the wheel has 6 members, more than 3", few);
}

}  // namespace
}  // namespace ignite::testing
