// ImageSource::parse: which text names a registry image and which an OCI layout image.
#include "builder/registry/image_source.h"

#include <gtest/gtest.h>

#include "builder/oci/oci_layout.h"
#include "tests/testing/temp_dir.h"

namespace ignite::registry {
namespace {

using ignite::testing::TempDir;

TEST(ImageSourceTest, PrefixesDecide) {
  auto docker = ImageSource::parse("docker://python:3.11");
  ASSERT_TRUE(docker.ok()) << docker.status().to_string();
  EXPECT_EQ(docker->kind, ImageSource::Kind::kRegistry);
  EXPECT_EQ(docker->registry_image.registry, "docker.io");
  EXPECT_EQ(docker->registry_image.repository, "library/python");

  auto oci = ImageSource::parse("oci:/no/such/dir:base:1");
  ASSERT_TRUE(oci.ok()) << oci.status().to_string();
  EXPECT_EQ(oci->kind, ImageSource::Kind::kLayout);
  EXPECT_EQ(oci->layout_image.dir, "/no/such/dir");
  EXPECT_EQ(oci->layout_image.ref, "base:1");
  EXPECT_EQ(oci->to_string(), "oci:/no/such/dir:base:1");
}

TEST(ImageSourceTest, BareRegistryImagesNameTheirHost) {
  for (const char* text : {"127.0.0.1:5000/library/python:3.11", "registry.example.com/acme/base",
                           "localhost/acme/base@sha256:" "0000000000000000000000000000000000000000000000000000000000000000",
                           "[::1]:5000/acme/base:v1"}) {
    auto s = ImageSource::parse(text);
    ASSERT_TRUE(s.ok()) << text << ": " << s.status().to_string();
    EXPECT_EQ(s->kind, ImageSource::Kind::kRegistry) << text;
  }
  auto s = ImageSource::parse("127.0.0.1:5000/library/python:3.11");
  EXPECT_EQ(s->registry_image.registry, "127.0.0.1:5000");
  EXPECT_EQ(s->registry_image.repository, "library/python");
  EXPECT_EQ(s->registry_image.tag, "3.11");
  EXPECT_EQ(s->to_string(), "docker://127.0.0.1:5000/library/python:3.11");
}

TEST(ImageSourceTest, AnExistingLayoutDirectoryIsALayout) {
  TempDir dir;
  const std::string layout = dir / "oci";
  ASSERT_TRUE(oci::OciLayout::open(layout, oci::CreateLayout::kIfMissing).ok());
  auto s = ImageSource::parse(layout + ":ignite/base:python3.11-bookworm");
  ASSERT_TRUE(s.ok()) << s.status().to_string();
  EXPECT_EQ(s->kind, ImageSource::Kind::kLayout);
  EXPECT_EQ(s->layout_image.dir, layout);
  EXPECT_EQ(s->layout_image.ref, "ignite/base:python3.11-bookworm");
}

TEST(ImageSourceTest, NeitherIsRefusedSayingWhy) {
  // No host in the first component, and no layout there: never taken as a Docker Hub name.
  auto bare = ImageSource::parse("acme/greet:v1");
  EXPECT_EQ(bare.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(bare.status().message(),
            "image \"acme/greet:v1\" is neither a registry image (HOST[:PORT]/REPO:TAG or "
            "@sha256:…, or docker://…) nor an image in an OCI layout (DIR:REF, where DIR holds an "
            "oci-layout file, or oci:DIR:REF) (no OCI layout at \"acme/greet\")");
  auto bad = ImageSource::parse("./missing/oci:base");
  EXPECT_EQ(bad.status().code(), Code::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("(as a registry image: "), std::string::npos)
      << bad.status().message();
  EXPECT_EQ(ImageSource::parse("").status().code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace ignite::registry
