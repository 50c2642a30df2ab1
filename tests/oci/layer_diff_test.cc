// read_layer_entries and diff_layer_entries: a layer read back entry by entry (hashes, modes,
// owners, links), and two layers compared file by file, each difference named as an auditor
// reads it.
#include "builder/oci/layer_diff.h"

#include <gtest/gtest.h>

#include "builder/oci/layer_writer.h"
#include "builder/oci/media_types.h"
#include "builder/oci/tree_layer.h"
#include "builder/util/sha256.h"
#include "tests/testing/archive_writer.h"
#include "tests/testing/temp_dir.h"

namespace ignite::oci {
namespace {

using ignite::testing::ArchiveFormat;
using ignite::testing::TempDir;
using ignite::testing::TestEntry;
// The source tree's entry kinds (ComparedKind is a layer entry's).
using SourceKind = ignite::EntryKind;

class LayerDiffTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = OciLayout::open(tmp_ / "oci", CreateLayout::kIfMissing);
    ASSERT_TRUE(opened.ok()) << opened.status().to_string();
    layout_.emplace(std::move(*opened));
  }

  // An app layer of `tree`, as the builder writes it (tar+gzip, normalized, sorted).
  Descriptor app_layer(const SourceTree& tree) {
    auto layer = write_app_layer(*layout_, tree, LayerOptions{Epoch::zero()});
    EXPECT_TRUE(layer.ok()) << layer.status().to_string();
    return layer->blob;
  }

  // A layer holding exactly `bytes` under `media_type`.
  Descriptor raw_layer(std::string_view media_type, const std::string& bytes) {
    auto d = layout_->add_blob(media_type, bytes);
    EXPECT_TRUE(d.ok()) << d.status().to_string();
    return *d;
  }

  LayerEntries entries(const Descriptor& layer) {
    auto read = read_layer_entries(*layout_, layer);
    EXPECT_TRUE(read.ok()) << read.status().to_string();
    return read.ok() ? *read : LayerEntries{};
  }

  TempDir tmp_;
  std::optional<OciLayout> layout_;
};

SourceTree tree_of(std::initializer_list<std::pair<std::string, SourceEntry>> files) {
  SourceTree tree;
  for (const auto& [path, entry] : files) EXPECT_TRUE(tree.add(path, entry).ok()) << path;
  return tree;
}

TEST_F(LayerDiffTest, ALayerReadsBackEntryByEntryAndEqualsItself) {
  const SourceTree tree =
      tree_of({{"handler.py", {SourceKind::kFile, "def handler(p, c):\n    return p\n"}},
               {"lib/run.sh", {SourceKind::kExecutable, "#!/bin/sh\n"}},
               {"link", {SourceKind::kSymlink, "lib/run.sh"}}});
  const Descriptor layer = app_layer(tree);
  const LayerEntries read = entries(layer);

  std::vector<std::string> paths;
  for (const auto& [path, entry] : read) paths.push_back(path);
  EXPECT_EQ(paths, (std::vector<std::string>{"app", "app/handler.py", "app/lib", "app/lib/run.sh",
                                             "app/link"}));
  const ComparedEntry& handler = read.at("app/handler.py");
  EXPECT_EQ(handler.kind, ComparedKind::kFile);
  EXPECT_EQ(handler.mode, 0644u);
  EXPECT_EQ(handler.size, 32);
  EXPECT_EQ(handler.sha256, sha256_hex("def handler(p, c):\n    return p\n"));
  EXPECT_EQ(read.at("app/lib/run.sh").mode, 0755u);
  EXPECT_EQ(read.at("app/lib").kind, ComparedKind::kDirectory);
  EXPECT_EQ(read.at("app/lib").mode, 0755u);
  EXPECT_EQ(read.at("app/link").kind, ComparedKind::kSymlink);
  EXPECT_EQ(read.at("app/link").link, "lib/run.sh");
  EXPECT_TRUE(read.at("app/link").sha256.empty());

  EXPECT_TRUE(diff_layer_entries(read, read).empty());
  // The same files written again with another epoch: other bytes, the same entries.
  auto later = write_app_layer(*layout_, tree, LayerOptions{*Epoch::from_seconds(86400)});
  ASSERT_TRUE(later.ok()) << later.status().to_string();
  EXPECT_NE(later->blob.digest, layer.digest);
  EXPECT_TRUE(diff_layer_entries(read, entries(later->blob)).empty());
}

TEST_F(LayerDiffTest, EveryDifferenceIsNamedInPathOrder) {
  const LayerEntries expected =
      entries(app_layer(tree_of({{"a.py", {SourceKind::kFile, "a = 1\n"}},
                                 {"b.sh", {SourceKind::kFile, "#!/bin/sh\n"}},
                                 {"c", {SourceKind::kSymlink, "a.py"}},
                                 {"d", {SourceKind::kFile, "d\n"}},
                                 {"gone.py", {SourceKind::kFile, ""}},
                                 {"same.py", {SourceKind::kFile, "same\n"}}})));
  const LayerEntries actual =
      entries(app_layer(tree_of({{"a.py", {SourceKind::kFile, "a = 22\n"}},
                                 {"b.sh", {SourceKind::kExecutable, "#!/bin/sh\n"}},
                                 {"c", {SourceKind::kSymlink, "./a.py"}},
                                 {"d", {SourceKind::kSymlink, "a.py"}},
                                 {"new.py", {SourceKind::kFile, ""}},
                                 {"same.py", {SourceKind::kFile, "same\n"}}})));

  const auto diffs = diff_layer_entries(expected, actual);
  ASSERT_EQ(diffs.size(), 6u);
  EXPECT_EQ(diffs[0].path, "app/a.py");
  EXPECT_EQ(diffs[0].what, "content sha256:" + sha256_hex("a = 1\n") +
                               " != sha256:" + sha256_hex("a = 22\n") + ", size 6 != 7");
  EXPECT_EQ(diffs[1].path, "app/b.sh");
  EXPECT_EQ(diffs[1].what, "mode 0644 != 0755");
  EXPECT_EQ(diffs[2].path, "app/c");
  EXPECT_EQ(diffs[2].what, "link a.py != ./a.py");
  EXPECT_EQ(diffs[3].path, "app/d");
  EXPECT_EQ(diffs[3].what, "type file != symlink, mode 0644 != 0777");
  EXPECT_EQ(diffs[4].path, "app/gone.py");
  EXPECT_EQ(diffs[4].what, "only in expected");
  EXPECT_EQ(diffs[5].path, "app/new.py");
  EXPECT_EQ(diffs[5].what, "only in actual");
}

TEST_F(LayerDiffTest, AnyTarIsReadOwnersHardLinksAndSpecialFilesIncluded) {
  TestEntry owned = TestEntry::file("./opt/x.py", "x\n");
  owned.uid = 1000;
  owned.gid = 1000;
  const std::string tar = ignite::testing::write_archive(
      ArchiveFormat::kPaxTar,
      {TestEntry::dir("./opt/"), owned, TestEntry::hardlink("./opt/y.py", "./opt/x.py"),
       TestEntry("./opt/fifo", TestEntry::Type::kFifo, "", 0600)});
  const LayerEntries read = entries(raw_layer(kMediaTypeLayerTar, tar));
  ASSERT_EQ(read.size(), 4u);
  EXPECT_EQ(read.at("opt").kind, ComparedKind::kDirectory);
  EXPECT_EQ(read.at("opt/x.py").uid, 1000);
  EXPECT_EQ(read.at("opt/y.py").kind, ComparedKind::kHardLink);
  EXPECT_EQ(read.at("opt/y.py").link, "./opt/x.py");
  EXPECT_EQ(read.at("opt/fifo").kind, ComparedKind::kOther);
  EXPECT_EQ(read.at("opt/fifo").mode, 0600u);

  TestEntry root_owned = TestEntry::file("opt/x.py", "x\n");
  const LayerEntries other = entries(raw_layer(
      kMediaTypeLayerGzip, ignite::testing::write_archive(ArchiveFormat::kTarGz, {root_owned})));
  const auto diffs = diff_layer_entries(read, other);
  ASSERT_EQ(diffs.size(), 4u);
  EXPECT_EQ(diffs[2].path, "opt/x.py");
  EXPECT_EQ(diffs[2].what, "owner 1000:1000 != 0:0");
}

TEST_F(LayerDiffTest, UnreadableLayersAreNamed) {
  const std::string twice = ignite::testing::write_archive(
      ArchiveFormat::kPaxTar, {TestEntry::file("a", "1"), TestEntry::file("./a", "2")});
  const Descriptor dup = raw_layer(kMediaTypeLayerTar, twice);
  auto read = read_layer_entries(*layout_, dup);
  EXPECT_EQ(read.status().code(), Code::kDataLoss);
  EXPECT_EQ(read.status().message(), "reading the entries of layer " + dup.digest.to_string() +
                                         ": entry \"./a\" appears twice");

  const Descriptor not_gzip = raw_layer(kMediaTypeLayerGzip, "not gzip at all");
  read = read_layer_entries(*layout_, not_gzip);
  EXPECT_EQ(read.status().code(), Code::kDataLoss);
  EXPECT_NE(read.status().message().find("reading the entries of layer " +
                                         not_gzip.digest.to_string() + ": not a readable tar"),
            std::string::npos)
      << read.status().message();

  const Descriptor missing{
      std::string(kMediaTypeLayerGzip), Digest::of("nothing"), 7, {}, std::nullopt};
  read = read_layer_entries(*layout_, missing);
  EXPECT_EQ(read.status().code(), Code::kNotFound);
  EXPECT_NE(
      read.status().message().find("blob " + missing.digest.to_string() + " is not in OCI layout"),
      std::string::npos)
      << read.status().message();

  const Descriptor zstd{std::string(kMediaTypeLayerZstd), Digest::of("z"), 1, {}, std::nullopt};
  EXPECT_EQ(read_layer_entries(*layout_, zstd).status().code(), Code::kUnimplemented);
}

}  // namespace
}  // namespace ignite::oci
