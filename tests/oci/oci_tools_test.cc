// Interoperability with the tools that read layers and layouts: GNU tar, skopeo, umoci.
// Label "cli": these run external programs (Debian packages tar, skopeo, umoci).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>

#include "builder/oci/image_builder.h"
#include "builder/oci/layer_tar.h"
#include "builder/oci/tree_layer.h"
#include "builder/util/file_io.h"
#include "tests/oci/oci_testing.h"
#include "tests/testing/temp_dir.h"

namespace ignite::oci {
namespace {

namespace fs = std::filesystem;
using ignite::testing::run_command;
using ignite::testing::shell_quote;
using ignite::testing::TempDir;

// Runs `command` with stderr folded into the output; fails the test on a non-zero exit.
std::string run(const std::string& command) {
  std::string out;
  int rc = run_command(command + " 2>&1", &out);
  EXPECT_EQ(rc, 0) << command << "\n" << out;
  return out;
}

std::string squeeze_spaces(const std::string& s) {
  return std::regex_replace(s, std::regex(" +"), " ");
}

// The golden tree written to disk under DIR/app with the modes a layer gives it.
void write_tree_to_disk(const TempDir& d) {
  d.write("app/handler.py", "def handler(payload, ctx):\n    return payload\n", 0644);
  d.write("app/lib/util.py", "X = 1\n", 0644);
  d.write("app/run.sh", "#!/bin/sh\necho hi\n", 0755);
  d.symlink("app/link", "lib/util.py");
  ASSERT_EQ(::chmod((d / "app").c_str(), 0755), 0);
  ASSERT_EQ(::chmod((d / "app/lib").c_str(), 0755), 0);
}

TEST(OciToolsTest, AppLayerTarIsByteForByteWhatGnuTarWrites) {
  // GNU tar, told to write plain ustar sorted by name with fixed owner and mtime and 512-byte
  // records, writes exactly our layer tar: an independent check of every header byte.
  TempDir d;
  write_tree_to_disk(d);
  const std::string gnu =
      run("tar --format=ustar --sort=name --mtime=@0 --owner=0 --group=0 "
          "--numeric-owner -b1 -C " +
          shell_quote(d.path()) + " -cf - app");
  const SourceTree tree = testing::golden_tree();
  auto plan = plan_tree_layer(tree, kAppPrefix);
  ASSERT_TRUE(plan.ok());
  StringSink ours;
  ASSERT_TRUE(write_layer_tar(*plan, Epoch::zero(), ours).ok());
  EXPECT_EQ(ours.bytes().size(), gnu.size());
  EXPECT_TRUE(ours.bytes() == gnu) << "tar bytes differ from GNU tar's";
  EXPECT_EQ(Digest::of(gnu).to_string(),
            "sha256:c9d057d4d9c5d5a7e104c1ecd56618025b51abdadd89b2df032d27d80b9aa7ce");
}

TEST(OciToolsTest, GnuTarListsTheLayerWithNormalizedMetadata) {
  TempDir tmp;
  auto layout = OciLayout::open(tmp / "oci", CreateLayout::kIfMissing);
  ASSERT_TRUE(layout.ok());
  auto layer = write_app_layer(*layout, testing::golden_tree(),
                               LayerOptions{*Epoch::from_seconds(1700000000)});
  ASSERT_TRUE(layer.ok());
  const std::string listing =
      run("TZ=UTC tar -tvzf " + shell_quote(layout->blob_path(layer->blob.digest)));
  EXPECT_EQ(squeeze_spaces(listing),
            "drwxr-xr-x 0/0 0 2023-11-14 22:13 app/\n"
            "-rw-r--r-- 0/0 46 2023-11-14 22:13 app/handler.py\n"
            "drwxr-xr-x 0/0 0 2023-11-14 22:13 app/lib/\n"
            "-rw-r--r-- 0/0 6 2023-11-14 22:13 app/lib/util.py\n"
            "lrwxrwxrwx 0/0 0 2023-11-14 22:13 app/link -> lib/util.py\n"
            "-rwxr-xr-x 0/0 18 2023-11-14 22:13 app/run.sh\n");
  // gzip itself accepts the multi-member stream and its fixed header.
  EXPECT_EQ(run("gzip -t " + shell_quote(layout->blob_path(layer->blob.digest)) + " && echo ok"),
            "ok\n");
}

// An image with a tiny static layer (and the app layer), in a fresh layout.
struct TinyImage {
  TempDir tmp;
  std::string layout_dir;
  Descriptor manifest{"", Digest::of(""), 0, {}, {}};
};

void make_tiny_image(TinyImage& t) {
  TempDir files;
  files.write("static/index.html", "<h1>hello</h1>\n");
  files.write("static/tool", "#!/bin/sh\n", 0700);
  t.layout_dir = t.tmp / "oci";
  auto layout = OciLayout::open(t.layout_dir, CreateLayout::kIfMissing);
  ASSERT_TRUE(layout.ok());
  DirectoryLayerOptions o;
  o.prefix = "srv";
  auto files_layer = write_directory_layer(*layout, files.path(), o, LayerOptions{Epoch::zero()});
  ASSERT_TRUE(files_layer.ok());
  auto app = write_app_layer(*layout, testing::golden_tree(), LayerOptions{Epoch::zero()});
  ASSERT_TRUE(app.ok());
  ImageSettings s = ImageSettings::for_function();
  s.env = {{"PATH", "/usr/bin:/bin"}};
  s.entrypoint = std::vector<std::string>{"/app/run.sh"};
  s.labels["dev.ignite.app"] = "greet";
  s.annotations["dev.ignite.app"] = "greet";
  auto m = compose_image(*layout, BaseImage::scratch(), {{*files_layer, "files"}, {*app, "app"}}, s,
                         Epoch::zero(), "acme-corp/greet:v1", ExistingRef::kRefuse);
  ASSERT_TRUE(m.ok()) << m.status().to_string();
  t.manifest = *m;
}

TEST(OciToolsTest, SkopeoInspectsTheLayout) {
  TinyImage t;
  make_tiny_image(t);
  const std::string out =
      run("skopeo inspect " + shell_quote("oci:" + t.layout_dir + ":acme-corp/greet:v1"));
  auto j = nlohmann::json::parse(out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << out;
  EXPECT_EQ(j["Digest"], t.manifest.digest.to_string());
  EXPECT_EQ(j["Architecture"], "amd64");
  EXPECT_EQ(j["Os"], "linux");
  EXPECT_EQ(j["Created"], "1970-01-01T00:00:00Z");
  EXPECT_EQ(j["Layers"].size(), 2u);
  EXPECT_EQ(j["Labels"]["dev.ignite.app"], "greet");
  EXPECT_EQ(j["Env"], nlohmann::json::array({"PATH=/usr/bin:/bin"}));
  const std::string config =
      run("skopeo inspect --config " + shell_quote("oci:" + t.layout_dir + ":acme-corp/greet:v1"));
  auto c = nlohmann::json::parse(config, nullptr, false);
  ASSERT_FALSE(c.is_discarded()) << config;
  EXPECT_EQ(c["config"]["User"], "65532:65532");
  EXPECT_EQ(c["config"]["WorkingDir"], "/app");
  EXPECT_TRUE(c["config"]["ExposedPorts"].contains("8080/tcp"));
}

TEST(OciToolsTest, UmociUnpacksTheExpectedFiles) {
  TinyImage t;
  make_tiny_image(t);
  const std::string bundle = t.tmp / "bundle";
  run("umoci unpack --image " + shell_quote(t.layout_dir + ":acme-corp/greet:v1") + " " +
      shell_quote(bundle));
  const std::string root = bundle + "/rootfs";
  auto mode_of = [&](const std::string& rel) {
    struct stat st {};
    EXPECT_EQ(::lstat((root + "/" + rel).c_str(), &st), 0) << rel;
    return st.st_mode;
  };
  auto owner_of = [&](const std::string& rel) {
    struct stat st {};
    EXPECT_EQ(::lstat((root + "/" + rel).c_str(), &st), 0) << rel;
    return std::to_string(st.st_uid) + ":" + std::to_string(st.st_gid);
  };
  EXPECT_EQ(mode_of("srv") & 07777, 0755u);
  EXPECT_EQ(mode_of("srv/static/index.html") & 07777, 0644u);
  EXPECT_EQ(mode_of("srv/static/tool") & 07777, 0755u);
  EXPECT_EQ(mode_of("app") & 07777, 0755u);
  EXPECT_EQ(mode_of("app/handler.py") & 07777, 0644u);
  EXPECT_EQ(mode_of("app/run.sh") & 07777, 0755u);
  EXPECT_TRUE(S_ISLNK(mode_of("app/link")));
  EXPECT_EQ(fs::read_symlink(root + "/app/link"), "lib/util.py");
  EXPECT_EQ(owner_of("app/handler.py"), "0:0");
  EXPECT_EQ(*read_file(root + "/srv/static/index.html"), "<h1>hello</h1>\n");
  EXPECT_EQ(*read_file(root + "/app/lib/util.py"), "X = 1\n");
  std::set<std::string> top;
  for (const auto& e : fs::directory_iterator(root)) top.insert(e.path().filename().string());
  EXPECT_EQ(top, (std::set<std::string>{"app", "srv"}));

  auto runtime = nlohmann::json::parse(*read_file(bundle + "/config.json"), nullptr, false);
  ASSERT_FALSE(runtime.is_discarded());
  EXPECT_EQ(runtime["process"]["user"]["uid"], 65532);
  EXPECT_EQ(runtime["process"]["user"]["gid"], 65532);
  EXPECT_EQ(runtime["process"]["cwd"], "/app");
  EXPECT_EQ(runtime["process"]["args"], nlohmann::json::array({"/app/run.sh"}));
}

TEST(OciToolsTest, UmociUnpacksABaseWithItsModesOwnersAndHardLinks) {
  TempDir tmp, rootfs;
  rootfs.write("usr/bin/su", "su", 04755);
  rootfs.write("usr/bin/perl", "perl", 0755);
  ASSERT_EQ(::link((rootfs / "usr/bin/perl").c_str(), (rootfs / "usr/bin/perl5.36").c_str()), 0);
  rootfs.write("etc/shadow", "root:*:1::::::\n", 0640);
  ASSERT_EQ(::chown((rootfs / "etc/shadow").c_str(), 0, 42), 0);
  rootfs.mkdir("tmp");
  ASSERT_EQ(::chmod((rootfs / "tmp").c_str(), 01777), 0);
  ASSERT_EQ(::mkfifo((rootfs / "tmp/fifo").c_str(), 0600), 0);
  auto layout = OciLayout::open(tmp / "oci", CreateLayout::kIfMissing);
  ASSERT_TRUE(layout.ok());
  auto base = write_base_image(*layout, rootfs.path(), {}, LayerOptions{Epoch::zero()}, "base:1",
                               ExistingRef::kRefuse);
  ASSERT_TRUE(base.ok()) << base.status().to_string();
  EXPECT_EQ(base->skipped, std::vector<std::string>{"tmp/fifo"});
  const std::string bundle = tmp / "bundle";
  run("umoci unpack --image " + shell_quote(layout->dir() + ":base:1") + " " + shell_quote(bundle));
  struct stat su {}, shadow {}, t {}, perl {}, perl5 {};
  ASSERT_EQ(::lstat((bundle + "/rootfs/usr/bin/su").c_str(), &su), 0);
  ASSERT_EQ(::lstat((bundle + "/rootfs/etc/shadow").c_str(), &shadow), 0);
  ASSERT_EQ(::lstat((bundle + "/rootfs/tmp").c_str(), &t), 0);
  ASSERT_EQ(::lstat((bundle + "/rootfs/usr/bin/perl").c_str(), &perl), 0);
  ASSERT_EQ(::lstat((bundle + "/rootfs/usr/bin/perl5.36").c_str(), &perl5), 0);
  EXPECT_EQ(su.st_mode & 07777, 04755u);
  EXPECT_EQ(shadow.st_mode & 07777, 0640u);
  EXPECT_EQ(shadow.st_gid, 42u);
  EXPECT_EQ(t.st_mode & 07777, 01777u);
  EXPECT_EQ(perl.st_ino, perl5.st_ino) << "a hard link stays a hard link";
  EXPECT_FALSE(fs::exists(bundle + "/rootfs/tmp/fifo"));
}

TEST(OciToolsTest, ABaseCopiedBySkopeoIsReadable) {
  TinyImage t;
  make_tiny_image(t);
  const std::string copied = t.tmp / "copied";
  run("skopeo copy -q " + shell_quote("oci:" + t.layout_dir + ":acme-corp/greet:v1") + " " +
      shell_quote("oci:" + copied + ":base"));
  auto base = BaseImage::open_reference(copied + ":base");
  ASSERT_TRUE(base.ok()) << base.status().to_string();
  auto store = OciLayout::open(t.tmp / "store", CreateLayout::kIfMissing);
  ASSERT_TRUE(store.ok());
  TempDir more;
  more.write("extra.txt", "extra\n");
  auto layer = write_directory_layer(*store, more.path(), {}, LayerOptions{Epoch::zero()});
  ASSERT_TRUE(layer.ok());
  auto m = compose_image(*store, *base, {{*layer, "extra"}}, {}, Epoch::zero(), "derived:v1",
                         ExistingRef::kRefuse);
  ASSERT_TRUE(m.ok()) << m.status().to_string();
  auto image = read_image(*store, "derived:v1");
  ASSERT_TRUE(image.ok());
  EXPECT_EQ(image->manifest.layers.size(), 3u);
  Status verified = verify_image(*store, *image);
  EXPECT_TRUE(verified.ok()) << verified.to_string();
  run("skopeo inspect " + shell_quote("oci:" + store->dir() + ":derived:v1"));
}

}  // namespace
}  // namespace ignite::oci
