#include "builder/registry/manifest_content.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "builder/oci/media_types.h"

namespace ignite::registry {
namespace {

using Json = nlohmann::json;

std::string digest_of(const std::string& s) { return Digest::of(s).to_string(); }

Json descriptor(const std::string& media_type, const std::string& content) {
  return {{"mediaType", media_type},
          {"digest", digest_of(content)},
          {"size", static_cast<int>(content.size())}};
}

TEST(ManifestContentTest, OciAndDockerManifestsListConfigThenLayers) {
  for (const auto& [type, layer_type] :
       {std::pair{oci::kMediaTypeManifest, oci::kMediaTypeLayerGzip},
        std::pair{oci::kMediaTypeDockerManifest, oci::kMediaTypeDockerLayerGzip}}) {
    const Json m = {
        {"schemaVersion", 2},
        {"mediaType", type},
        {"config", descriptor("application/x-config", "config")},
        {"layers",
         {descriptor(std::string(layer_type), "l1"), descriptor(std::string(layer_type), "l2")}}};
    auto c = parse_manifest_content(m.dump(), "");
    ASSERT_TRUE(c.ok()) << c.status().to_string();
    EXPECT_EQ(c->media_type, type);
    EXPECT_FALSE(c->is_index);
    ASSERT_EQ(c->blobs.size(), 3u);
    EXPECT_EQ(c->blobs[0].digest.to_string(), digest_of("config"));
    EXPECT_EQ(c->blobs[2].digest.to_string(), digest_of("l2"));
    EXPECT_EQ(c->blobs[2].size, 2);
  }
}

TEST(ManifestContentTest, IndexSelectsLinuxAmd64) {
  Json arm = descriptor(std::string(oci::kMediaTypeManifest), "arm");
  arm["platform"] = {{"os", "linux"}, {"architecture", "arm64"}, {"variant", "v8"}};
  Json amd = descriptor(std::string(oci::kMediaTypeManifest), "amd");
  amd["platform"] = {{"os", "linux"}, {"architecture", "amd64"}};
  const Json index = {{"schemaVersion", 2}, {"manifests", {arm, amd}}};
  auto c = parse_manifest_content(index.dump(), "");  // no mediaType: "manifests" says index
  ASSERT_TRUE(c.ok()) << c.status().to_string();
  EXPECT_TRUE(c->is_index);
  EXPECT_EQ(c->media_type, oci::kMediaTypeIndex);
  auto chosen = select_linux_amd64(*c);
  ASSERT_TRUE(chosen.ok());
  EXPECT_EQ(chosen->digest.to_string(), digest_of("amd"));

  const Json only_arm = {{"schemaVersion", 2}, {"manifests", {arm}}};
  auto arm_only = parse_manifest_content(only_arm.dump(), oci::kMediaTypeDockerManifestList);
  ASSERT_TRUE(arm_only.ok());
  EXPECT_EQ(select_linux_amd64(*arm_only).status().message(),
            "the image index has no linux/amd64 manifest (it has: linux/arm64)");
}

TEST(ManifestContentTest, RefusesWhatItCannotCopy) {
  EXPECT_EQ(parse_manifest_content(R"({"schemaVersion":1,"fsLayers":[]})", "").status().code(),
            Code::kUnimplemented);
  EXPECT_EQ(parse_manifest_content(R"({"mediaType":"text/plain"})", "").status().code(),
            Code::kUnimplemented);
  const std::string no_layers = R"({"schemaVersion":2,"config":{"mediaType":"a","digest":")" +
                                digest_of("c") + R"(","size":1}})";
  EXPECT_EQ(parse_manifest_content(no_layers, "").status().message(),
            "manifest " + digest_of(no_layers) + " has no \"layers\" array");
  const std::string bad_size =
      R"({"config":{"mediaType":"a","digest":")" + digest_of("c") + R"(","size":-1},"layers":[]})";
  EXPECT_EQ(parse_manifest_content(bad_size, "").status().message(),
            "manifest " + digest_of(bad_size) + ": config has no non-negative integer \"size\"");
  EXPECT_EQ(parse_manifest_content("[]", "").status().code(), Code::kInvalidArgument);
}

TEST(ManifestContentTest, ForeignLayers) {
  EXPECT_TRUE(is_foreign_layer("application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"));
  EXPECT_TRUE(is_foreign_layer("application/vnd.oci.image.layer.nondistributable.v1.tar+gzip"));
  EXPECT_FALSE(is_foreign_layer(oci::kMediaTypeLayerGzip));
}

}  // namespace
}  // namespace ignite::registry
