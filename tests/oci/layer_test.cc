// Layers: what goes in, in which order, with which metadata, and that nothing else changes
// the bytes.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cstdlib>
#include <ctime>
#include <fstream>

#include "builder/oci/directory_layer.h"
#include "builder/oci/layer_tar.h"
#include "builder/oci/layer_writer.h"
#include "builder/oci/tree_layer.h"
#include "tests/oci/oci_testing.h"
#include "tests/testing/temp_dir.h"

namespace ignite::oci {
namespace {

using ignite::testing::TempDir;
using testing::golden_tree;
using testing::read_tar;
using testing::TarItem;

std::string tar_of(const LayerPlan& plan, Epoch epoch = Epoch::zero()) {
  StringSink sink;
  Status s = write_layer_tar(plan, epoch, sink);
  EXPECT_TRUE(s.ok()) << s.to_string();
  return sink.take();
}

std::string summary(const std::vector<TarItem>& items) {
  std::string out;
  char line[64];
  for (const auto& t : items) {
    std::snprintf(line, sizeof line, "%c %04o %lld:%lld %lld ", t.type, t.mode,
                  static_cast<long long>(t.uid), static_cast<long long>(t.gid),
                  static_cast<long long>(t.mtime));
    out += line + t.path + (t.link.empty() ? "" : " -> " + t.link) + "\n";
  }
  return out;
}

Epoch epoch(std::int64_t s) { return *Epoch::from_seconds(s); }

TEST(LayerTest, AppLayerIsTheTreeUnderAppAndNothingElse) {
  SourceTree tree = golden_tree();
  ASSERT_TRUE(tree.add_directory("empty").ok());
  auto plan = plan_tree_layer(tree, kAppPrefix);
  ASSERT_TRUE(plan.ok()) << plan.status().to_string();
  const std::string tar = tar_of(*plan, epoch(1700000000));
  EXPECT_EQ(tar.size() % 512, 0u);
  EXPECT_EQ(tar.substr(tar.size() - 1024), std::string(1024, '\0'));
  auto items = read_tar(tar);
  EXPECT_EQ(summary(items),
            "d 0755 0:0 1700000000 app/\n"
            "f 0644 0:0 1700000000 app/handler.py\n"
            "d 0755 0:0 1700000000 app/lib/\n"
            "f 0644 0:0 1700000000 app/lib/util.py\n"
            "l 0777 0:0 1700000000 app/link -> lib/util.py\n"
            "f 0755 0:0 1700000000 app/run.sh\n");
  for (const auto& t : items) {
    EXPECT_EQ(t.uname, "") << t.path;
    EXPECT_EQ(t.gname, "") << t.path;
    EXPECT_FALSE(t.has_atime) << t.path;
    EXPECT_FALSE(t.has_ctime) << t.path;
  }
  EXPECT_EQ(items[1].data, "def handler(payload, ctx):\n    return payload\n");
  EXPECT_EQ(items[5].data, "#!/bin/sh\necho hi\n");
  // "empty/" is not there: what codeHash does not cover, the layer does not hold.
  const SourceTree without_empty = golden_tree();
  EXPECT_EQ(tar, tar_of(*plan_tree_layer(without_empty, kAppPrefix), epoch(1700000000)));
}

TEST(LayerTest, AppLayerGolden) {
  TempDir tmp;
  auto layout = OciLayout::open(tmp / "oci", CreateLayout::kIfMissing);
  ASSERT_TRUE(layout.ok()) << layout.status().to_string();
  auto layer = write_app_layer(*layout, golden_tree(), LayerOptions{Epoch::zero()});
  ASSERT_TRUE(layer.ok()) << layer.status().to_string();
  EXPECT_EQ(layer->blob.media_type, "application/vnd.oci.image.layer.v1.tar+gzip");
  testing::expect_golden("app_layer.txt", "digest " + layer->blob.digest.to_string() + "\nsize " +
                                              std::to_string(layer->blob.size) + "\ndiff_id " +
                                              layer->diff_id.to_string() + "\ntar_size " +
                                              std::to_string(layer->tar_size) + "\n");
  // The blob is the pinned gzip of the tar whose sha256 is the diff_id.
  auto blob = layout->read_blob(layer->blob.digest);
  ASSERT_TRUE(blob.ok());
  const std::string tar = testing::gunzip(*blob);
  EXPECT_EQ(Digest::of(tar), layer->diff_id);
  const SourceTree tree = golden_tree();
  EXPECT_EQ(tar, tar_of(*plan_tree_layer(tree, kAppPrefix)));
}

TEST(LayerTest, EpochChangesTheDigestAndNothingElseDoes) {
  TempDir tmp;
  auto layout = OciLayout::open(tmp / "oci", CreateLayout::kIfMissing);
  ASSERT_TRUE(layout.ok());
  auto a = write_app_layer(*layout, golden_tree(), LayerOptions{Epoch::zero(), 1});
  auto b = write_app_layer(*layout, golden_tree(), LayerOptions{Epoch::zero(), 4});
  auto c = write_app_layer(*layout, golden_tree(), LayerOptions{epoch(1)});
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_EQ(a->blob.digest, b->blob.digest);
  EXPECT_NE(a->blob.digest, c->blob.digest);
  EXPECT_NE(a->diff_id, c->diff_id);
}

TEST(LayerTest, RefusesWhiteoutNames) {
  SourceTree tree = golden_tree();
  ASSERT_TRUE(tree.add("lib/.wh.util.py", {EntryKind::kFile, ""}).ok());
  auto plan = plan_tree_layer(tree, kAppPrefix);
  EXPECT_EQ(plan.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(plan.status().message(),
            "planning the layer of a source tree under app/: layer path "
            "\"app/lib/.wh.util.py\" has a component starting with \".wh.\", which OCI layers "
            "reserve for whiteouts (it would delete a file of a lower layer)");
}

// Writes the same files into `root` with the given modes/owners/mtimes and creation order.
void populate(const TempDir& d, bool variant) {
  const char* names[] = {"server.py", "lib/http.py", "lib/b", "bin/run", "z", "A"};
  std::vector<std::string> order(std::begin(names), std::end(names));
  if (variant) std::reverse(order.begin(), order.end());
  for (const auto& n : order) {
    int mode = n == "bin/run" ? (variant ? 0700 : 0775) : (variant ? 0600 : 0664);
    d.write(n, "content of " + n + "\n", mode);
    struct timespec times[2] = {{variant ? 1 : 1234567, 0}, {variant ? 99 : 1700000000, 5}};
    ASSERT_EQ(::utimensat(AT_FDCWD, (d / n).c_str(), times, 0), 0);
    if (variant) {
      ASSERT_EQ(::chown((d / n).c_str(), 1234, 5678), 0);
    }
  }
  d.symlink("link", "lib/http.py");
  ASSERT_EQ(::chmod((d / "lib").c_str(), variant ? 0700 : 0775), 0);
}

std::string directory_digest(const std::string& root, const DirectoryLayerOptions& o) {
  TempDir tmp;
  auto layout = OciLayout::open(tmp / "oci", CreateLayout::kIfMissing);
  EXPECT_TRUE(layout.ok());
  auto layer = write_directory_layer(*layout, root, o, LayerOptions{Epoch::zero()});
  EXPECT_TRUE(layer.ok()) << layer.status().to_string();
  return layer.ok() ? layer->blob.digest.to_string() + " " + layer->diff_id.to_string() : "";
}

TEST(LayerTest, HostLayerIgnoresUmaskTimezoneMtimesOwnersAndReadOrder) {
  DirectoryLayerOptions o;
  o.prefix = std::string(kHostPrefix);
  mode_t old_umask = ::umask(0);
  TempDir a;
  populate(a, false);
  ::umask(077);
  TempDir b;
  populate(b, true);
  const std::string da = directory_digest(a.path(), o);
  ::setenv("TZ", "Pacific/Kiritimati", 1);
  ::tzset();
  const std::string db = directory_digest(b.path(), o);
  ::umask(old_umask);
  ::unsetenv("TZ");
  ::tzset();
  EXPECT_FALSE(da.empty());
  EXPECT_EQ(da, db);

  auto plan = plan_directory_layer(b.path(), o);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(summary(read_tar(tar_of(plan->plan))),
            "d 0755 0:0 0 opt/\n"
            "d 0755 0:0 0 opt/ignite/\n"
            "d 0755 0:0 0 opt/ignite/host/\n"
            "f 0644 0:0 0 opt/ignite/host/A\n"
            "d 0755 0:0 0 opt/ignite/host/bin/\n"
            "f 0755 0:0 0 opt/ignite/host/bin/run\n"
            "d 0755 0:0 0 opt/ignite/host/lib/\n"
            "f 0644 0:0 0 opt/ignite/host/lib/b\n"
            "f 0644 0:0 0 opt/ignite/host/lib/http.py\n"
            "l 0777 0:0 0 opt/ignite/host/link -> lib/http.py\n"
            "f 0644 0:0 0 opt/ignite/host/server.py\n"
            "f 0644 0:0 0 opt/ignite/host/z\n");
}

TEST(LayerTest, SortIsBytewiseOverWholePaths) {
  TempDir d;
  for (const char* n : {"a/c", "a-b", "a.b", "B", "\xC3\xA9"}) d.write(n, "x");
  auto plan = plan_directory_layer(d.path(), {});
  ASSERT_TRUE(plan.ok());
  std::string order;
  for (const auto& [path, e] : plan->plan.entries()) order += path + " ";
  // '-' (2d) < '.' (2e) < '/' (2f): "a-b" and "a.b" come between "a" and "a/c".
  EXPECT_EQ(order, "B a a-b a.b a/c \xC3\xA9 ");
}

TEST(LayerTest, HardLinksBecomeLinkEntriesToTheFirstPath) {
  TempDir d;
  d.write("usr/bin/perl5.36.0", "perl");
  ASSERT_EQ(::link((d / "usr/bin/perl5.36.0").c_str(), (d / "usr/bin/perl").c_str()), 0);
  ASSERT_EQ(::link((d / "usr/bin/perl5.36.0").c_str(), (d / "usr/bin/zperl").c_str()), 0);
  auto plan = plan_directory_layer(d.path(), {});
  ASSERT_TRUE(plan.ok()) << plan.status().to_string();
  auto items = read_tar(tar_of(plan->plan));
  EXPECT_EQ(summary(items),
            "d 0755 0:0 0 usr/\n"
            "d 0755 0:0 0 usr/bin/\n"
            "f 0644 0:0 0 usr/bin/perl\n"
            "h 0644 0:0 0 usr/bin/perl5.36.0 -> usr/bin/perl\n"
            "h 0644 0:0 0 usr/bin/zperl -> usr/bin/perl\n");
  EXPECT_EQ(items[2].data, "perl");
}

TEST(LayerTest, PreserveModesKeepsModeBitsAndOwnersButNotTimes) {
  TempDir d;
  d.write("usr/bin/su", "su", 04755);
  d.write("etc/shadow", "x", 0640);
  ASSERT_EQ(::chown((d / "etc/shadow").c_str(), 0, 42), 0);
  ASSERT_EQ(::chmod((d / "usr/bin/su").c_str(), 04755), 0);  // chown-free: keep setuid
  d.mkdir("tmp");
  ASSERT_EQ(::chmod((d / "tmp").c_str(), 01777), 0);
  d.mkdir("home/nonroot");
  ASSERT_EQ(::chown((d / "home/nonroot").c_str(), 65532, 65532), 0);
  ASSERT_EQ(::chmod((d / "home/nonroot").c_str(), 0700), 0);
  for (const char* n : {"etc", "usr", "usr/bin", "home"})
    ASSERT_EQ(::chmod((d / n).c_str(), 0755), 0);
  DirectoryLayerOptions o;
  o.modes = ModePolicy::kPreserveModes;
  auto plan = plan_directory_layer(d.path(), o);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(summary(read_tar(tar_of(plan->plan, epoch(86400)))),
            "d 0755 0:0 86400 etc/\n"
            "f 0640 0:42 86400 etc/shadow\n"
            "d 0755 0:0 86400 home/\n"
            "d 0700 65532:65532 86400 home/nonroot/\n"
            "d 1777 0:0 86400 tmp/\n"
            "d 0755 0:0 86400 usr/\n"
            "d 0755 0:0 86400 usr/bin/\n"
            "f 4755 0:0 86400 usr/bin/su\n");

  o.modes = ModePolicy::kNormalize;
  plan = plan_directory_layer(d.path(), o);
  ASSERT_TRUE(plan.ok());
  auto items = read_tar(tar_of(plan->plan));
  EXPECT_EQ(items[1].mode, 0644);
  EXPECT_EQ(items[1].gid, 0);
  EXPECT_EQ(items[4].mode, 0755);
  EXPECT_EQ(items[7].mode, 0755);
}

TEST(LayerTest, SpecialFilesFollowThePolicy) {
  TempDir d;
  d.write("etc/hostname", "x");
  d.mkdir("dev");
  ASSERT_EQ(::mknod((d / "dev/null").c_str(), S_IFCHR | 0666, makedev(1, 3)), 0);
  ASSERT_EQ(::chmod((d / "dev/null").c_str(), 0666), 0);
  ASSERT_EQ(::mkfifo((d / "dev/initctl").c_str(), 0600), 0);
  ASSERT_EQ(::chmod((d / "dev").c_str(), 0755), 0);

  DirectoryLayerOptions o;
  o.modes = ModePolicy::kPreserveModes;
  auto refused = plan_directory_layer(d.path(), o);
  EXPECT_EQ(refused.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(refused.status().message(),
            "planning a layer from " + d.path() + ": " + d.path() +
                "/dev/initctl is a device file or fifo, which this layer may not hold "
                "(SpecialFiles::kRefuse)");

  o.special_files = SpecialFiles::kSkip;
  auto skipped = plan_directory_layer(d.path(), o);
  ASSERT_TRUE(skipped.ok());
  EXPECT_EQ(skipped->skipped, (std::vector<std::string>{"dev/initctl", "dev/null"}));
  EXPECT_EQ(summary(read_tar(tar_of(skipped->plan))),
            "d 0755 0:0 0 dev/\n"
            "d 0755 0:0 0 etc/\n"
            "f 0644 0:0 0 etc/hostname\n");

  o.special_files = SpecialFiles::kInclude;
  auto included = plan_directory_layer(d.path(), o);
  ASSERT_TRUE(included.ok());
  EXPECT_TRUE(included->skipped.empty());
  const std::string tar = tar_of(included->plan);
  EXPECT_EQ(summary(read_tar(tar)),
            "d 0755 0:0 0 dev/\n"
            "p 0600 0:0 0 dev/initctl\n"
            "c 0666 0:0 0 dev/null\n"
            "d 0755 0:0 0 etc/\n"
            "f 0644 0:0 0 etc/hostname\n");
  // dev/null's header (the third block) carries major 1, minor 3.
  EXPECT_EQ(tar.substr(2 * 512 + 329, 16), std::string("0000001\0"
                                                       "0000003\0",
                                                       16));
}

TEST(LayerTest, AFileChangedAfterPlanningAbortsTheWrite) {
  TempDir d;
  d.write("f", "12345");
  auto plan = plan_directory_layer(d.path(), {});
  ASSERT_TRUE(plan.ok());
  d.write("f", "123");
  StringSink sink;
  Status s = write_layer_tar(plan->plan, Epoch::zero(), sink);
  EXPECT_EQ(s.code(), Code::kAborted);
  EXPECT_EQ(s.message(), "writing layer entry \"f\": " + d.path() +
                             "/f changed size while the layer was written; retry the build");
}

TEST(LayerTest, BigLayersStreamThroughSeveralMembers) {
  TempDir d;
  std::string big;
  for (std::uint64_t i = 0; big.size() < (5u << 20); ++i)
    big += "line " + std::to_string(i * 7919 % 10007) + "\n";
  d.write("data/big.txt", big);
  TempDir tmp;
  auto layout = OciLayout::open(tmp / "oci", CreateLayout::kIfMissing);
  ASSERT_TRUE(layout.ok());
  auto layer = write_directory_layer(*layout, d.path(), {}, LayerOptions{Epoch::zero()});
  ASSERT_TRUE(layer.ok()) << layer.status().to_string();
  auto blob = layout->read_blob(layer->blob.digest, 64 << 20);
  ASSERT_TRUE(blob.ok());
  const std::string tar = testing::gunzip(*blob);
  EXPECT_EQ(tar.size(), layer->tar_size);
  EXPECT_EQ(Digest::of(tar), layer->diff_id);
  auto items = read_tar(*blob);  // libarchive reads the multi-member gzip
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[1].data, big);
}

}  // namespace
}  // namespace ignite::oci
