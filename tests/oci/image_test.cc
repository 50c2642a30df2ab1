// Whole images: base from a root filesystem, composition, reading back, verification.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "builder/oci/image_builder.h"
#include "builder/oci/media_types.h"
#include "builder/util/file_io.h"
#include "tests/oci/oci_testing.h"
#include "tests/testing/temp_dir.h"

namespace ignite::oci {
namespace {

using ignite::testing::TempDir;
using testing::golden_tree;

// A tiny root filesystem: what debootstrap's output looks like, in miniature.
void make_rootfs(const TempDir& d) {
  d.write("etc/os-release", "ID=debian\n");
  d.write("usr/bin/python3.11", "#!fake python\n", 0755);
  d.symlink("usr/bin/python3", "python3.11");
  d.mkdir("tmp");
  ASSERT_EQ(::chmod((d / "tmp").c_str(), 01777), 0);
  d.mkdir("dev");
  ASSERT_EQ(::mknod((d / "dev/null").c_str(), S_IFCHR | 0666, makedev(1, 3)), 0);
  for (const char* dir : {"etc", "usr", "usr/bin", "dev"})
    ASSERT_EQ(::chmod((d / dir).c_str(), 0755), 0);
}

void make_host(const TempDir& d) {
  d.write("server.py", "import http.server\n");
  d.write("bin/start", "#!/bin/sh\nexec python3 /opt/ignite/host/server.py\n", 0755);
}

ImageSettings app_settings() {
  ImageSettings s = ImageSettings::for_function();
  s.env = {{"IGNITE_FUNCTION_ID", "acme-corp/greet"}, {"IGNITE_ORGANIZATION_ID", "acme-corp"}};
  s.entrypoint = std::vector<std::string>{"/usr/bin/python3", "/opt/ignite/host/server.py"};
  s.labels = {{"dev.ignite.code-hash", "sha256:abc"}};
  s.annotations = {{"org.opencontainers.image.title", "acme-corp/greet"}};
  return s;
}

struct Built {
  Descriptor manifest;
  Layer host;
  Layer app;
};

// The host and app layers on `base`, into `layout`.
Result<Built> build(OciLayout& layout, const BaseImage& base, const std::string& host_dir,
                    Epoch epoch, std::string_view ref) {
  LayerOptions lo{epoch};
  IGNITE_ASSIGN_OR_RETURN(Layer host, write_host_layer(layout, host_dir, lo));
  IGNITE_ASSIGN_OR_RETURN(Layer app, write_app_layer(layout, golden_tree(), lo));
  IGNITE_ASSIGN_OR_RETURN(Descriptor m,
                          compose_image(layout, base, {{host, "runtime host"}, {app, "app"}},
                                        app_settings(), epoch, ref, ExistingRef::kRefuse));
  return Built{m, host, app};
}

TEST(ImageTest, GoldenImageOnScratch) {
  TempDir tmp, host;
  make_host(host);
  auto layout = OciLayout::open(tmp / "oci", CreateLayout::kIfMissing);
  ASSERT_TRUE(layout.ok());
  auto built =
      build(*layout, BaseImage::scratch(), host.path(), Epoch::zero(), "acme-corp/greet:v1");
  ASSERT_TRUE(built.ok()) << built.status().to_string();
  auto image = read_image(*layout, "acme-corp/greet:v1");
  ASSERT_TRUE(image.ok()) << image.status().to_string();
  EXPECT_EQ(image->manifest_descriptor.digest, built->manifest.digest);
  testing::expect_golden("image_config.json", image->config_bytes);
  testing::expect_golden("image_manifest.json", *layout->read_blob(built->manifest.digest));
  testing::expect_golden("image_digest.txt", built->manifest.digest.to_string() + "\n");
  EXPECT_TRUE(verify_image(*layout, *image).ok());
}

TEST(ImageTest, SameInputsSameDigestOtherEpochOtherDigest) {
  TempDir a, b, host;
  make_host(host);
  auto la = OciLayout::open(a / "oci", CreateLayout::kIfMissing);
  auto lb = OciLayout::open(b / "store", CreateLayout::kIfMissing);
  ASSERT_TRUE(la.ok() && lb.ok());
  auto x = build(*la, BaseImage::scratch(), host.path(), Epoch::zero(), "");
  auto y = build(*lb, BaseImage::scratch(), host.path(), Epoch::zero(), "other/name:v9");
  auto z = build(*lb, BaseImage::scratch(), host.path(), *Epoch::from_seconds(1700000000), "");
  ASSERT_TRUE(x.ok() && y.ok() && z.ok());
  EXPECT_EQ(x->manifest.digest, y->manifest.digest);
  EXPECT_NE(x->manifest.digest, z->manifest.digest);
  EXPECT_TRUE(la->list_refs()->empty()) << "an empty ref stores the image without naming it";
}

TEST(ImageTest, BaseFromRootfsThenAppImageOnIt) {
  TempDir tmp, rootfs, host;
  make_rootfs(rootfs);
  make_host(host);
  auto layout = OciLayout::open(tmp / "oci", CreateLayout::kIfMissing);
  ASSERT_TRUE(layout.ok());
  BaseImageOptions bo;
  bo.created_by = "debootstrap --variant=minbase bookworm";
  bo.settings.env = {{"PATH", "/usr/local/bin:/usr/bin:/bin"}, {"LANG", "C.UTF-8"}};
  bo.settings.cmd = std::vector<std::string>{"python3"};
  auto base = write_base_image(*layout, rootfs.path(), bo, LayerOptions{Epoch::zero()},
                               "ignite/base:test", ExistingRef::kReplace);
  ASSERT_TRUE(base.ok()) << base.status().to_string();
  EXPECT_EQ(base->skipped, std::vector<std::string>{"dev/null"});

  auto base_image = read_image(*layout, "ignite/base:test");
  ASSERT_TRUE(base_image.ok());
  ASSERT_EQ(base_image->manifest.layers.size(), 1u);
  auto rootfs_tar = layout->read_blob(base_image->manifest.layers[0].digest);
  ASSERT_TRUE(rootfs_tar.ok());
  std::string listing;
  for (const auto& t : testing::read_tar(*rootfs_tar)) {
    listing += t.path + " " + std::to_string(t.mode) + "\n";
  }
  EXPECT_EQ(listing,
            "dev/ 493\netc/ 493\netc/os-release 420\ntmp/ 1023\nusr/ 493\nusr/bin/ 493\n"
            "usr/bin/python3 511\nusr/bin/python3.11 493\n");

  auto opened = BaseImage::open(*layout, "ignite/base:test");
  ASSERT_TRUE(opened.ok());
  auto built = build(*layout, *opened, host.path(), Epoch::zero(), "acme-corp/greet:v1");
  ASSERT_TRUE(built.ok()) << built.status().to_string();
  auto image = read_image(*layout, "acme-corp/greet:v1");
  ASSERT_TRUE(image.ok());
  ASSERT_EQ(image->manifest.layers.size(), 3u);
  EXPECT_EQ(image->manifest.layers[0], base_image->manifest.layers[0]);
  EXPECT_EQ(image->manifest.layers[1], built->host.blob);
  EXPECT_EQ(image->manifest.layers[2], built->app.blob);
  EXPECT_EQ(image->manifest.annotations.at("org.opencontainers.image.base.digest"),
            base->manifest.digest.to_string());
  EXPECT_EQ(image->manifest.annotations.at("org.opencontainers.image.title"), "acme-corp/greet");
  const ImageConfig& c = image->config;
  EXPECT_EQ(c.architecture, "amd64");
  EXPECT_EQ(c.os, "linux");
  EXPECT_EQ(c.created, "1970-01-01T00:00:00Z");
  EXPECT_EQ(c.env, (std::vector<std::string>{"PATH=/usr/local/bin:/usr/bin:/bin", "LANG=C.UTF-8",
                                             "IGNITE_FUNCTION_ID=acme-corp/greet",
                                             "IGNITE_ORGANIZATION_ID=acme-corp"}));
  EXPECT_EQ(c.entrypoint,
            (std::vector<std::string>{"/usr/bin/python3", "/opt/ignite/host/server.py"}));
  EXPECT_TRUE(c.cmd.empty());
  EXPECT_EQ(c.working_dir, "/app");
  EXPECT_EQ(c.user, "65532:65532");
  EXPECT_EQ(c.exposed_ports, std::vector<std::string>{"8080/tcp"});
  EXPECT_EQ(c.diff_ids, (std::vector<Digest>{base_image->config.diff_ids[0], built->host.diff_id,
                                             built->app.diff_id}));
  EXPECT_EQ(c.history_entries, 3u);
  Status verified = verify_image(*layout, *image);
  EXPECT_TRUE(verified.ok()) << verified.to_string();
}

TEST(ImageTest, BaseFromAnotherLayoutIsCopiedIn) {
  TempDir tmp, rootfs, host;
  make_rootfs(rootfs);
  make_host(host);
  auto images = OciLayout::open(tmp / "images", CreateLayout::kIfMissing);
  ASSERT_TRUE(images.ok());
  auto base = write_base_image(*images, rootfs.path(), {}, LayerOptions{Epoch::zero()}, "debian",
                               ExistingRef::kReplace);
  ASSERT_TRUE(base.ok());
  auto opened = BaseImage::open_reference("oci:" + (tmp / "images") + ":debian");
  ASSERT_TRUE(opened.ok()) << opened.status().to_string();
  auto store = OciLayout::open(tmp / "store", CreateLayout::kIfMissing);
  ASSERT_TRUE(store.ok());
  auto built = build(*store, *opened, host.path(), Epoch::zero(), "acme-corp/greet:v1");
  ASSERT_TRUE(built.ok()) << built.status().to_string();
  auto image = read_image(*store, "acme-corp/greet:v1");
  ASSERT_TRUE(image.ok());
  EXPECT_TRUE(verify_image(*store, *image).ok());

  auto missing = BaseImage::open_reference(tmp / "images" + ":ubuntu");
  EXPECT_EQ(missing.status().code(), Code::kNotFound);
  EXPECT_EQ(missing.status().message(),
            "opening base image: resolving ref \"ubuntu\" in OCI layout " + (tmp / "images") +
                ": no such ref");
}

TEST(ImageTest, IndexesAreFollowedToLinuxAmd64) {
  TempDir tmp, rootfs;
  make_rootfs(rootfs);
  auto layout = OciLayout::open(tmp / "oci", CreateLayout::kIfMissing);
  ASSERT_TRUE(layout.ok());
  auto base = write_base_image(*layout, rootfs.path(), {}, LayerOptions{Epoch::zero()}, "",
                               ExistingRef::kRefuse);
  ASSERT_TRUE(base.ok());
  const std::string m = base->manifest.digest.to_string();
  const std::string index =
      R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[)"
      R"({"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":")" +
      Digest::of("arm").to_string() +
      R"(","size":1,"platform":{"architecture":"arm64","os":"linux"}},)"
      R"({"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":")" +
      m + R"(","size":)" + std::to_string(base->manifest.size) +
      R"(,"platform":{"architecture":"amd64","os":"linux"}}]})";
  auto idx = layout->add_blob(kMediaTypeIndex, index);
  ASSERT_TRUE(idx.ok());
  ASSERT_TRUE(layout->set_ref("multi", *idx, ExistingRef::kRefuse).ok());
  auto opened = BaseImage::open(*layout, "multi");
  ASSERT_TRUE(opened.ok()) << opened.status().to_string();
  EXPECT_EQ(opened->image().manifest_descriptor.digest, base->manifest.digest);
}

TEST(ImageTest, VerifyFindsDamagedLayers) {
  TempDir tmp, host;
  make_host(host);
  auto layout = OciLayout::open(tmp / "oci", CreateLayout::kIfMissing);
  ASSERT_TRUE(layout.ok());
  auto built = build(*layout, BaseImage::scratch(), host.path(), Epoch::zero(), "a:v1");
  ASSERT_TRUE(built.ok());
  auto image = read_image(*layout, "a:v1");
  ASSERT_TRUE(image.ok());
  // Same size, other bytes: a flipped byte in the app layer's blob.
  const std::string path = layout->blob_path(built->app.blob.digest);
  std::string bytes = *read_file(path);
  bytes[bytes.size() / 2] ^= 0x40;
  ASSERT_TRUE(write_file_atomic(path, bytes).ok());
  Status s = verify_image(*layout, *image);
  EXPECT_EQ(s.code(), Code::kDataLoss);
  EXPECT_TRUE(s.message().starts_with("verifying image " + built->manifest.digest.to_string() +
                                      " in OCI layout " + layout->dir() + ": layer 1"))
      << s.message();
}

TEST(ImageTest, ComposeRefusesLayersNotInTheLayout) {
  TempDir a, b, host;
  make_host(host);
  auto la = OciLayout::open(a / "oci", CreateLayout::kIfMissing);
  auto lb = OciLayout::open(b / "oci", CreateLayout::kIfMissing);
  ASSERT_TRUE(la.ok() && lb.ok());
  auto app = write_app_layer(*la, golden_tree(), LayerOptions{Epoch::zero()});
  ASSERT_TRUE(app.ok());
  auto r = compose_image(*lb, BaseImage::scratch(), {{*app, "app"}}, {}, Epoch::zero(), "x:v1",
                         ExistingRef::kRefuse);
  EXPECT_EQ(r.status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(r.status().message(), "composing image \"x:v1\" in OCI layout " + lb->dir() +
                                      ": layer " + app->blob.digest.to_string() +
                                      " is not stored in the layout (write layers into it first)");
}

}  // namespace
}  // namespace ignite::oci
