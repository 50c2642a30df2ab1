// Unpacking images into a root filesystem: entries, modes and links, whiteouts across layers,
// and entries that would leave the directory.
#include "builder/oci/rootfs_unpack.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <deque>
#include <filesystem>

#include "builder/oci/image_builder.h"
#include "builder/oci/media_types.h"
#include "builder/util/file_io.h"
#include "tests/testing/archive_writer.h"
#include "tests/testing/temp_dir.h"

namespace ignite::oci {
namespace {

namespace fs = std::filesystem;
using ignite::testing::ArchiveFormat;
using ignite::testing::TempDir;
using ignite::testing::TestEntry;
using ignite::testing::write_archive;

LayerEntry file_entry(std::string_view data, std::uint32_t mode = 0644) {
  LayerEntry e;
  e.type = LayerEntryType::kRegular;
  e.mode = mode;
  e.size = data.size();
  e.data = data;
  return e;
}

LayerEntry dir_entry(std::uint32_t mode = 0755) {
  LayerEntry e;
  e.type = LayerEntryType::kDirectory;
  e.mode = mode;
  return e;
}

LayerEntry link_entry(LayerEntryType type, std::string target) {
  LayerEntry e;
  e.type = type;
  e.mode = type == LayerEntryType::kSymlink ? 0777 : 0644;
  e.link_target = std::move(target);
  return e;
}

// A layer written by the layer writer (tar+gzip, as every layer this builder makes).
Layer planned_layer(OciLayout& layout, LayerPlan plan) {
  plan.add_missing_parents();
  EXPECT_TRUE(plan.check().ok()) << plan.check().to_string();
  auto layer = write_layer(layout, plan, LayerOptions{Epoch::zero()});
  EXPECT_TRUE(layer.ok()) << layer.status().to_string();
  return *layer;
}

// A plain tar layer written entry by entry: whiteouts and hostile entries, which the layer
// writer refuses to make.
Layer raw_layer(OciLayout& layout, const std::vector<TestEntry>& entries) {
  const std::string tar = write_archive(ArchiveFormat::kPaxTar, entries);
  auto blob = layout.add_blob(kMediaTypeLayerTar, tar);
  EXPECT_TRUE(blob.ok()) << blob.status().to_string();
  return Layer{*blob, Digest::of(tar), tar.size(), {}};
}

StoredImage compose(OciLayout& layout, const std::vector<Layer>& layers) {
  std::vector<ImageLayer> image_layers;
  for (const Layer& l : layers) image_layers.push_back({l, "test layer"});
  auto manifest = compose_image(layout, BaseImage::scratch(), image_layers, ImageSettings{},
                                Epoch::zero(), "", ExistingRef::kRefuse);
  EXPECT_TRUE(manifest.ok()) << manifest.status().to_string();
  auto image = read_image(layout, *manifest);
  EXPECT_TRUE(image.ok()) << image.status().to_string();
  return *image;
}

struct Fixture {
  TempDir tmp;
  OciLayout layout = *OciLayout::open(tmp / "oci", CreateLayout::kIfMissing);
  std::string dest = tmp / "rootfs";
  std::string at(std::string_view rel) const { return dest + "/" + std::string(rel); }
};

int mode_of(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return -1;
  return static_cast<int>(st.st_mode & 07777);
}

bool exists(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}

std::string contents(const std::string& path) {
  auto r = read_file(path);
  return r.ok() ? *r : "<" + r.status().to_string() + ">";
}

TEST(RootfsUnpackTest, FilesModesOwnersAndLinks) {
  Fixture f;
  LayerPlan plan;
  ASSERT_TRUE(plan.add("usr/bin/tool", file_entry("#!/bin/sh\necho tool\n", 0755)).ok());
  ASSERT_TRUE(plan.add("usr/bin/su", file_entry("setuid\n", 04755)).ok());
  LayerEntry conf = file_entry("x=1\n", 0640);
  conf.uid = 1000;
  conf.gid = 1001;
  ASSERT_TRUE(plan.add("etc/conf", conf).ok());
  ASSERT_TRUE(plan.add("tmp", dir_entry(01777)).ok());
  ASSERT_TRUE(plan.add("ro", dir_entry(0555)).ok());
  ASSERT_TRUE(plan.add("ro/file", file_entry("read only\n", 0444)).ok());
  ASSERT_TRUE(plan.add("bin", link_entry(LayerEntryType::kSymlink, "usr/bin")).ok());
  ASSERT_TRUE(
      plan.add("usr/bin/tool2", link_entry(LayerEntryType::kHardlink, "usr/bin/tool")).ok());
  LayerEntry null_device;
  null_device.type = LayerEntryType::kCharDevice;
  null_device.mode = 0666;
  null_device.dev_major = 1;
  null_device.dev_minor = 3;
  ASSERT_TRUE(plan.add("dev/null", null_device).ok());
  LayerEntry fifo;
  fifo.type = LayerEntryType::kFifo;
  ASSERT_TRUE(plan.add("run/pipe", fifo).ok());
  StoredImage image = compose(f.layout, {planned_layer(f.layout, std::move(plan))});

  Status s = unpack_rootfs(f.layout, image, f.dest);
  ASSERT_TRUE(s.ok()) << s.to_string();
  EXPECT_EQ(contents(f.at("usr/bin/tool")), "#!/bin/sh\necho tool\n");
  EXPECT_EQ(mode_of(f.at("usr/bin/tool")), 0755);
  EXPECT_EQ(mode_of(f.at("usr/bin/su")), 04755);
  EXPECT_EQ(mode_of(f.at("etc/conf")), 0640);
  EXPECT_EQ(mode_of(f.at("tmp")), 01777);
  EXPECT_EQ(mode_of(f.at("ro")), 0555);
  EXPECT_EQ(mode_of(f.at("ro/file")), 0444);
  EXPECT_EQ(contents(f.at("ro/file")), "read only\n");
  EXPECT_EQ(fs::read_symlink(f.at("bin")).string(), "usr/bin");
  struct stat a {
  }, b{};
  ASSERT_EQ(::stat(f.at("usr/bin/tool").c_str(), &a), 0);
  ASSERT_EQ(::stat(f.at("usr/bin/tool2").c_str(), &b), 0);
  EXPECT_EQ(a.st_ino, b.st_ino) << "a hard link is the same file";
  EXPECT_EQ(a.st_nlink, 2u);
  EXPECT_EQ(a.st_mtime, 0) << "mtimes are the layer's";
  EXPECT_TRUE(exists(f.at("dev"))) << "the parent of a skipped device is still made";
  EXPECT_FALSE(exists(f.at("dev/null"))) << "devices are skipped";
  EXPECT_FALSE(exists(f.at("run/pipe"))) << "fifos are skipped";
  struct stat c {};
  ASSERT_EQ(::stat(f.at("etc/conf").c_str(), &c), 0);
  if (::geteuid() == 0) {
    EXPECT_EQ(c.st_uid, 1000u);
    EXPECT_EQ(c.st_gid, 1001u);
  } else {
    EXPECT_EQ(c.st_uid, ::geteuid()) << "without root, files are the caller's";
  }
  ::chmod(f.at("ro").c_str(), 0755);  // so that the temporary directory can go
}

TEST(RootfsUnpackTest, LayersApplyInOrderWithWhiteouts) {
  Fixture f;
  LayerPlan lower;
  std::deque<std::string> data;  // the plan's entries view their bytes
  for (const char* p : {"a/keep", "a/gone", "d/x", "d/sub/y", "f", "f2", "dir2/x", "h/target"})
    ASSERT_TRUE(lower.add(p, file_entry(data.emplace_back(std::string("lower ") + p))).ok());
  ASSERT_TRUE(lower.add("a/gone-dir/z", file_entry("z")).ok());
  Layer l1 = planned_layer(f.layout, std::move(lower));
  Layer l2 = raw_layer(
      f.layout, {
                    TestEntry::dir("a"), TestEntry::file("a/.wh.gone", ""),
                    TestEntry::file("a/.wh.gone-dir", ""), TestEntry::file("a/.wh.never-there", ""),
                    TestEntry::dir("d"), TestEntry::file("d/new-before-marker", "kept: same layer"),
                    TestEntry::file("d/.wh..wh..opq", ""), TestEntry::file("d/new", "upper d/new"),
                    TestEntry::file(".wh.f", ""),
                    TestEntry::dir("f2"),  // a file of a lower layer becomes a directory
                    TestEntry::file("f2/inner", "inner"),
                    TestEntry::file("dir2", "now a file"),  // and a directory becomes a file
                    TestEntry::file("g", "upper g", 0600),
                    TestEntry::file("a/keep", "upper keep"),    // replaced, not appended
                    TestEntry::hardlink("h/link", "h/target"),  // to a file of a lower layer
                });
  Layer l3 = raw_layer(f.layout, {TestEntry::file(".wh.g", "")});
  StoredImage image = compose(f.layout, {l1, l2, l3});

  Status s = unpack_rootfs(f.layout, image, f.dest);
  ASSERT_TRUE(s.ok()) << s.to_string();
  EXPECT_EQ(contents(f.at("a/keep")), "upper keep");
  EXPECT_FALSE(exists(f.at("a/gone")));
  EXPECT_FALSE(exists(f.at("a/gone-dir")));
  EXPECT_FALSE(exists(f.at("a/.wh.gone"))) << "whiteout markers are not files of the image";
  EXPECT_FALSE(exists(f.at("d/x"))) << "the opaque directory hides the lower layer's files";
  EXPECT_FALSE(exists(f.at("d/sub")));
  EXPECT_FALSE(exists(f.at("d/.wh..wh..opq")));
  EXPECT_EQ(contents(f.at("d/new-before-marker")), "kept: same layer");
  EXPECT_EQ(contents(f.at("d/new")), "upper d/new");
  EXPECT_FALSE(exists(f.at("f")));
  EXPECT_EQ(contents(f.at("f2/inner")), "inner");
  EXPECT_EQ(contents(f.at("dir2")), "now a file");
  EXPECT_FALSE(exists(f.at("g"))) << "removed by the third layer";
  EXPECT_EQ(contents(f.at("h/link")), "lower h/target");
}

TEST(RootfsUnpackTest, OpaqueWhiteoutKeepsTheSameLayersSubdirectories) {
  Fixture f;
  LayerPlan lower;
  ASSERT_TRUE(lower.add("d/sub/old", file_entry("old")).ok());
  ASSERT_TRUE(lower.add("d/other", file_entry("other")).ok());
  Layer l1 = planned_layer(f.layout, std::move(lower));
  Layer l2 = raw_layer(
      f.layout, {TestEntry::dir("d"), TestEntry::dir("d/sub"), TestEntry::file("d/sub/new", "new"),
                 TestEntry::file("d/.wh..wh..opq", "")});
  Status s = unpack_rootfs(f.layout, compose(f.layout, {l1, l2}), f.dest);
  ASSERT_TRUE(s.ok()) << s.to_string();
  EXPECT_EQ(contents(f.at("d/sub/new")), "new");
  EXPECT_FALSE(exists(f.at("d/sub/old"))) << "a lower file below a re-declared directory";
  EXPECT_FALSE(exists(f.at("d/other")));
}

// Each hostile layer is refused, names its entry, and writes or deletes nothing outside.
TEST(RootfsUnpackTest, EntriesThatWouldLeaveTheRootAreRefused) {
  struct Case {
    std::string name;
    std::vector<TestEntry> entries;
    std::string message;  // expected at the end of the error
  };
  TempDir outside;
  outside.write("sentinel", "still here");
  const std::vector<Case> cases = {
      {"dotdot", {TestEntry::file("../x", "escaped")}, "entry \"../x\": \"..\" is refused"},
      {"nested dotdot",
       {TestEntry::dir("a"), TestEntry::file("a/../../x", "escaped")},
       "\"..\" is refused"},
      {"absolute", {TestEntry::file(outside / "x", "escaped")}, "absolute paths are refused"},
      {"write through symlink",
       {TestEntry::symlink("evil", outside.path()), TestEntry::file("evil/x", "escaped")},
       "entry \"evil/x\": \"evil\" is a symlink, and nothing is written through a symlink"},
      {"dir through symlink",
       {TestEntry::symlink("evil", outside.path()), TestEntry::dir("evil/sub")},
       "\"evil\" is a symlink, and nothing is written through a symlink"},
      {"relative symlink out",
       {TestEntry::symlink("up", "../../.."), TestEntry::file("up/x", "escaped")},
       "\"up\" is a symlink, and nothing is written through a symlink"},
      {"whiteout through symlink",
       {TestEntry::symlink("evil", outside.path()), TestEntry::file("evil/.wh.sentinel", "")},
       "\"evil\" is a symlink, and nothing is written through a symlink"},
      {"opaque through symlink",
       {TestEntry::symlink("evil", outside.path()), TestEntry::file("evil/.wh..wh..opq", "")},
       "\"evil\" is a symlink, and nothing is written through a symlink"},
      {"whiteout of dotdot",
       {TestEntry::dir("a"), TestEntry::file("a/.wh..", "")},
       "a whiteout must name a file"},
      {"hard link out",
       {TestEntry::hardlink("x",
                            "../" + fs::path(outside.path()).filename().string() + "/sentinel")},
       "/sentinel\": \"..\" is refused"},
      {"hard link absolute",
       {TestEntry::hardlink("x", outside / "sentinel")},
       "absolute paths are refused"},
      {"hard link through symlink",
       {TestEntry::symlink("evil", outside.path()), TestEntry::hardlink("x", "evil/sentinel")},
       "\"evil\" is a symlink, and nothing is written through a symlink"},
      {"hard link to nothing",
       {TestEntry::hardlink("x", "missing")},
       "hard link target \"missing\" does not exist"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Fixture f;
    StoredImage image = compose(f.layout, {raw_layer(f.layout, c.entries)});
    Status s = unpack_rootfs(f.layout, image, f.dest);
    EXPECT_EQ(s.code(), Code::kInvalidArgument) << s.to_string();
    EXPECT_TRUE(s.message().ends_with(c.message)) << s.message();
    EXPECT_NE(s.message().find("layer 0 " + image.manifest.layers[0].digest.to_string()),
              std::string::npos)
        << s.message();
    EXPECT_FALSE(exists(outside / "x"));
    EXPECT_FALSE(exists(outside / "sub"));
    EXPECT_EQ(contents(outside / "sentinel"), "still here");
    EXPECT_FALSE(exists(f.tmp / "x"));
  }
  std::error_code ec;
  EXPECT_EQ(std::distance(fs::directory_iterator(outside.path(), ec), fs::directory_iterator()), 1);
}

TEST(RootfsUnpackTest, SymlinksMayPointAnywhereButAreNeverFollowed) {
  Fixture f;
  Layer l1 = raw_layer(f.layout, {TestEntry::symlink("abs", "/etc/passwd"),
                                  TestEntry::symlink("up", "../../outside")});
  // A later layer replaces the symlinks themselves: the link goes, nothing behind it changes.
  Layer l2 = raw_layer(f.layout, {TestEntry::file("abs", "a file now"), TestEntry::dir("up"),
                                  TestEntry::file("up/inside", "inside")});
  Status s = unpack_rootfs(f.layout, compose(f.layout, {l1, l2}), f.dest);
  ASSERT_TRUE(s.ok()) << s.to_string();
  EXPECT_EQ(contents(f.at("abs")), "a file now");
  EXPECT_EQ(contents(f.at("up/inside")), "inside");
  EXPECT_FALSE(fs::is_symlink(f.at("up")));
}

TEST(RootfsUnpackTest, DotSlashNamesAsDockerWritesThem) {
  Fixture f;
  Layer l1 = raw_layer(
      f.layout, {TestEntry::dir("./"), TestEntry::dir("./etc"),
                 TestEntry::file("./etc/hostname", "h"), TestEntry::file("./etc/.wh.nothing", "")});
  Status s = unpack_rootfs(f.layout, compose(f.layout, {l1}), f.dest);
  ASSERT_TRUE(s.ok()) << s.to_string();
  EXPECT_EQ(contents(f.at("etc/hostname")), "h");
  EXPECT_EQ(mode_of(f.dest), 0755);
}

TEST(RootfsUnpackTest, MissingBlobIsNotFound) {
  Fixture f;
  LayerPlan plan;
  ASSERT_TRUE(plan.add("a", file_entry("a")).ok());
  Layer l1 = planned_layer(f.layout, std::move(plan));
  Layer l2 = raw_layer(f.layout, {TestEntry::file("b", "b")});
  StoredImage image = compose(f.layout, {l1, l2});
  ASSERT_EQ(::unlink(f.layout.blob_path(l2.blob.digest).c_str()), 0);
  Status s = unpack_rootfs(f.layout, image, f.dest);
  EXPECT_EQ(s.code(), Code::kNotFound) << s.to_string();
  EXPECT_NE(s.message().find("layer 1 " + l2.blob.digest.to_string()), std::string::npos)
      << s.message();
  EXPECT_NE(s.message().find("the blob is not in OCI layout " + f.layout.dir()), std::string::npos)
      << s.message();
}

TEST(RootfsUnpackTest, DamagedBlobIsDataLoss) {
  Fixture f;
  Layer l1 = raw_layer(f.layout, {TestEntry::file("a", "original")});
  StoredImage image = compose(f.layout, {l1});
  const std::string path = f.layout.blob_path(l1.blob.digest);
  std::string bytes = *read_file(path);
  const std::size_t at = bytes.find("original");
  ASSERT_NE(at, std::string::npos);
  bytes[at] = 'O';
  ::chmod(path.c_str(), 0644);
  ASSERT_TRUE(write_file_atomic(path, bytes).ok());
  Status s = unpack_rootfs(f.layout, image, f.dest);
  EXPECT_EQ(s.code(), Code::kDataLoss) << s.to_string();
  EXPECT_NE(s.message().find("the blob's content has digest"), std::string::npos) << s.message();
}

TEST(RootfsUnpackTest, OtherMediaTypesAndAnExistingDestinationAreRefused) {
  Fixture f;
  StoredImage image = compose(f.layout, {raw_layer(f.layout, {TestEntry::file("a", "a")})});
  StoredImage zstd = image;
  zstd.manifest.layers[0].media_type = std::string(kMediaTypeLayerZstd);
  Status s = unpack_rootfs(f.layout, zstd, f.dest);
  EXPECT_EQ(s.code(), Code::kUnimplemented) << s.to_string();

  const std::string existing = f.tmp / "existing";
  ASSERT_EQ(::mkdir(existing.c_str(), 0755), 0);
  s = unpack_rootfs(f.layout, image, existing);
  EXPECT_EQ(s.code(), Code::kAlreadyExists) << s.to_string();
}

}  // namespace
}  // namespace ignite::oci
