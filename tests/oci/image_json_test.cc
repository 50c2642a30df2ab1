// Config and manifest bytes: canonical, literal, and read back; the epoch's forms.
#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>

#include "builder/oci/epoch.h"
#include "builder/oci/image_config.h"
#include "builder/oci/manifest.h"
#include "builder/oci/media_types.h"

namespace ignite::oci {
namespace {

Digest digest_of(std::string_view s) { return Digest::of(s); }

ImageSettings function_settings() {
  ImageSettings s = ImageSettings::for_function();
  s.env = {{"IGNITE_FUNCTION_ID", "acme-corp/greet"}, {"IGNITE_ORGANIZATION_ID", "acme-corp"}};
  s.entrypoint = std::vector<std::string>{"/usr/bin/python3", "/opt/ignite/host/server.py"};
  s.labels = {{"org.opencontainers.image.title", "greet"}};
  return s;
}

TEST(EpochTest, ParsesSourceDateEpoch) {
  EXPECT_EQ(Epoch::from_environment_value(nullptr)->seconds(), 0);
  EXPECT_EQ(Epoch::from_environment_value("")->seconds(), 0);
  EXPECT_EQ(Epoch::from_environment_value("1700000000")->seconds(), 1700000000);
  EXPECT_EQ(Epoch::parse("42")->to_string(), "42");
  auto bad = Epoch::parse("-5");
  EXPECT_EQ(bad.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(bad.status().message(),
            "SOURCE_DATE_EPOCH \"-5\" must be decimal seconds since 1970-01-01 UTC");
  bad = Epoch::parse("8589934592");
  EXPECT_EQ(bad.status().message(),
            "SOURCE_DATE_EPOCH \"8589934592\" is too large (at most 8589934591)");
  EXPECT_EQ(Epoch::from_seconds(-1).status().message(),
            "epoch -1 is outside 0..8589934591 (what a tar header can hold)");
}

TEST(EpochTest, Rfc3339IsUtcWhateverTheTimezone) {
  ::setenv("TZ", "America/St_Johns", 1);
  ::tzset();
  EXPECT_EQ(Epoch::zero().rfc3339(), "1970-01-01T00:00:00Z");
  EXPECT_EQ(Epoch::from_seconds(1700000000)->rfc3339(), "2023-11-14T22:13:20Z");
  EXPECT_EQ(Epoch::from_seconds(951782400)->rfc3339(), "2000-02-29T00:00:00Z");
  EXPECT_EQ(Epoch::from_seconds(Epoch::kMaxSeconds)->rfc3339(), "2242-03-16T12:56:31Z");
  ::unsetenv("TZ");
  ::tzset();
}

TEST(ImageConfigTest, FromScratchLiteralBytes) {
  auto config = derive_image_config(
      "", function_settings(), {{digest_of("base"), "base layer"}, {digest_of("app"), "app layer"}},
      Epoch::zero());
  ASSERT_TRUE(config.ok()) << config.status().to_string();
  EXPECT_EQ(
      *config,
      R"({"architecture":"amd64","config":{"Entrypoint":["/usr/bin/python3","/opt/ignite/host/server.py"],)"
      R"("Env":["IGNITE_FUNCTION_ID=acme-corp/greet","IGNITE_ORGANIZATION_ID=acme-corp"],)"
      R"("ExposedPorts":{"8080/tcp":{}},"Labels":{"org.opencontainers.image.title":"greet"},)"
      R"("User":"65532:65532","WorkingDir":"/app"},"created":"1970-01-01T00:00:00Z",)"
      R"("history":[{"created":"1970-01-01T00:00:00Z","created_by":"base layer"},)"
      R"({"created":"1970-01-01T00:00:00Z","created_by":"app layer"}],"os":"linux",)"
      R"("rootfs":{"diff_ids":["sha256:)" +
          digest_of("base").hex() + R"(","sha256:)" + digest_of("app").hex() +
          R"("],"type":"layers"}})");
}

TEST(ImageConfigTest, DerivedFromABaseKeepsWhatItDoesNotChange) {
  const std::string base =
      R"({"architecture":"amd64","os":"linux","created":"2020-01-01T00:00:00Z","author":"x",)"
      R"("config":{"Env":["PATH=/usr/bin","LANG=C.UTF-8"],"Cmd":["python3"],"StopSignal":"SIGTERM",)"
      R"("Labels":{"a":"1","b":"2"}},)"
      R"("rootfs":{"type":"layers","diff_ids":["sha256:)" +
      digest_of("base").hex() +
      R"("]},)"
      R"("history":[{"created":"2020-01-01T00:00:00Z","created_by":"debootstrap"}]})";
  ImageSettings s = function_settings();
  s.env.push_back({"LANG", "C"});
  s.labels["b"] = "3";
  auto config = derive_image_config(base, s, {{digest_of("app"), "app"}}, *Epoch::from_seconds(60));
  ASSERT_TRUE(config.ok()) << config.status().to_string();
  auto parsed = parse_image_config(*config);
  ASSERT_TRUE(parsed.ok()) << parsed.status().to_string();
  EXPECT_EQ(parsed->created, "1970-01-01T00:01:00Z");
  EXPECT_EQ(parsed->env, (std::vector<std::string>{"PATH=/usr/bin", "LANG=C",
                                                   "IGNITE_FUNCTION_ID=acme-corp/greet",
                                                   "IGNITE_ORGANIZATION_ID=acme-corp"}));
  EXPECT_TRUE(parsed->cmd.empty()) << "a new entrypoint clears the base's Cmd";
  EXPECT_EQ(parsed->labels,
            (std::map<std::string, std::string>{
                {"a", "1"}, {"b", "3"}, {"org.opencontainers.image.title", "greet"}}));
  EXPECT_EQ(parsed->diff_ids, (std::vector<Digest>{digest_of("base"), digest_of("app")}));
  EXPECT_EQ(parsed->history_entries, 2u);
  EXPECT_NE(config->find(R"("StopSignal":"SIGTERM")"), std::string::npos);
  EXPECT_NE(config->find(R"("author":"x")"), std::string::npos);
  // Same inputs, same bytes.
  EXPECT_EQ(*config,
            *derive_image_config(base, s, {{digest_of("app"), "app"}}, *Epoch::from_seconds(60)));
}

TEST(ImageConfigTest, BaseWithoutHistoryGetsNone) {
  const std::string base = R"({"architecture":"amd64","os":"linux","rootfs":{"type":"layers",)"
                           R"("diff_ids":["sha256:)" +
                           digest_of("b").hex() + R"("]}})";
  auto config = derive_image_config(base, {}, {{digest_of("app"), "app"}}, Epoch::zero());
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->find("history"), std::string::npos);
}

TEST(ImageConfigTest, RefusesOtherPlatformsAndBadSettings) {
  const std::string arm =
      R"({"architecture":"arm64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}})";
  auto c = derive_image_config(arm, {}, {}, Epoch::zero());
  EXPECT_EQ(c.status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(c.status().message(),
            "base image config: the base is linux/arm64, but images are built for linux/amd64");
  ImageSettings s;
  s.env = {{"A=B", "c"}};
  c = derive_image_config("", s, {}, Epoch::zero());
  EXPECT_EQ(
      c.status().message(),
      "image settings: environment variable name \"A=B\" must be non-empty and hold no '=' or NUL");
  s = {};
  s.exposed_ports = std::vector<std::string>{"http"};
  c = derive_image_config("", s, {}, Epoch::zero());
  EXPECT_EQ(c.status().message(),
            "image settings: exposed port \"http\" must look like \"8080/tcp\" or \"53/udp\"");
  s = {};
  s.labels["x"] = "\xff";
  c = derive_image_config("", s, {}, Epoch::zero());
  EXPECT_EQ(c.status().code(), Code::kInvalidArgument);
}

TEST(ImageConfigTest, ParseRefusesBrokenConfigs) {
  EXPECT_EQ(parse_image_config("[]").status().message(), "image config: not a JSON object");
  EXPECT_EQ(parse_image_config("{").status().message(), "image config: not valid JSON");
  EXPECT_EQ(parse_image_config(R"({"architecture":"amd64","os":"linux"})").status().message(),
            "image config: field \"rootfs\" is missing or not an object");
  EXPECT_EQ(
      parse_image_config(
          R"({"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["md5:x"]}})")
          .status()
          .message(),
      "image config: rootfs.diff_ids: digest \"md5:x\" does not start with \"sha256:\"");
}

Descriptor blob(std::string media_type, std::string_view content, std::int64_t size) {
  return Descriptor{std::move(media_type), Digest::of(content), size, {}, std::nullopt};
}

TEST(ManifestTest, LiteralBytesAndRoundTrip) {
  ImageManifest m{blob("application/vnd.oci.image.config.v1+json", "config", 6),
                  {blob("application/vnd.oci.image.layer.v1.tar+gzip", "l1", 100),
                   blob("application/vnd.oci.image.layer.v1.tar+gzip", "l2", 200)},
                  {{"org.opencontainers.image.title", "greet"}, {"dev.ignite.app", "greet"}}};
  auto bytes = manifest_json(m);
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(*bytes,
            R"({"annotations":{"dev.ignite.app":"greet","org.opencontainers.image.title":"greet"},)"
            R"("config":{"digest":"sha256:)" +
                Digest::of("config").hex() +
                R"(","mediaType":"application/vnd.oci.image.config.v1+json","size":6},)"
                R"("layers":[{"digest":"sha256:)" +
                Digest::of("l1").hex() +
                R"(","mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","size":100},)"
                R"({"digest":"sha256:)" +
                Digest::of("l2").hex() +
                R"(","mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","size":200}],)"
                R"("mediaType":"application/vnd.oci.image.manifest.v1+json","schemaVersion":2})");
  auto back = parse_manifest(*bytes);
  ASSERT_TRUE(back.ok()) << back.status().to_string();
  EXPECT_EQ(back->config, m.config);
  EXPECT_EQ(back->layers, m.layers);
  EXPECT_EQ(back->annotations, m.annotations);
}

TEST(ManifestTest, ReadsDockerSchema2) {
  const std::string config = Digest::of("{}").to_string();
  const std::string layer = Digest::of("layer").to_string();
  auto docker = parse_manifest(
      R"({"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json",)"
      R"("config":{"mediaType":"application/vnd.docker.container.image.v1+json","digest":")" +
      config + R"(","size":2},"layers":[{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip",)"
      R"("digest":")" + layer + R"(","size":5}]})");
  ASSERT_TRUE(docker.ok()) << docker.status().to_string();
  EXPECT_EQ(docker->media_type, kMediaTypeDockerManifest);
  ASSERT_EQ(docker->layers.size(), 1u);
  EXPECT_EQ(docker->layers[0].media_type, kMediaTypeDockerLayerGzip);
  EXPECT_EQ(layer_media_type_as_oci(docker->layers[0].media_type), kMediaTypeLayerGzip);
  EXPECT_EQ(layer_media_type_as_oci(kMediaTypeLayerTar), kMediaTypeLayerTar);
}

TEST(ManifestTest, RefusesOtherKinds) {
  auto docker_list = parse_manifest(
      R"({"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.list.v2+json"})");
  EXPECT_EQ(docker_list.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(docker_list.status().message(),
            "image manifest: neither an OCI nor a Docker schema 2 image manifest (schemaVersion 2, mediaType "
            "\"application/vnd.docker.distribution.manifest.list.v2+json\")");
  auto v1 = parse_manifest(R"({"schemaVersion":1})");
  EXPECT_EQ(v1.status().message(),
            "image manifest: neither an OCI nor a Docker schema 2 image manifest (schemaVersion 1, mediaType \"\")");
  auto bad_layer = parse_manifest(
      R"({"schemaVersion":2,"config":{"mediaType":"x","digest":"sha256:)" + Digest::of("").hex() +
      R"(","size":1},"layers":[{"mediaType":"x","digest":"sha256:00","size":1}]})");
  EXPECT_EQ(bad_layer.status().message(),
            "image manifest: layer 0: digest \"sha256:00\" must be \"sha256:\" and 64 lowercase "
            "hex digits");
}

}  // namespace
}  // namespace ignite::oci
