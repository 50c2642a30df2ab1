// publish-image, and build --base taken from a registry, against Debian's real docker-registry:
// an existing image becomes the app's next version with its digest (OCI and Docker schema 2),
// its blobs mounted rather than sent again; a registry base's layers stay in the registry when
// publishing there, and are downloaded only when the store is where the version lives.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "tests/pipeline/pipeline_testing.h"
#include "tests/registry/registry_servers.h"

namespace ignite::testing {
namespace {

using registry::testing::RegistryConfig;
using registry::testing::RegistryServer;

class PublishImageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = make_synthetic_base(work_ / "base");
    base_dir_ = base_.substr(0, base_.find(':'));
    work_.write("src/handler.py", echo_handler("v"));
  }
  // Pushes the synthetic base to REPO:TAG on the registry with skopeo (`format` "oci" or "v2s2").
  std::string push_base(const std::string& repo_tag, const std::string& format = "oci") {
    std::string out;
    EXPECT_EQ(run_command("skopeo copy -q --format " + format + " --dest-tls-verify=false " +
                              shell_quote("oci:" + base_) + " docker://" + registry_.host() + "/" +
                              repo_tag + " 2>&1",
                          &out),
              0)
        << out;
    return registry_.host() + "/" + repo_tag;
  }
  std::string remote(const std::string& repo_tag, const std::string& format) {
    std::string out;
    run_command("skopeo inspect --tls-verify=false --format '" + format + "' docker://" + registry_.host() +
                    "/" + repo_tag + " 2>/dev/null",
                &out);
    return out.empty() ? "" : out.substr(0, out.find('\n'));
  }
  std::string raw_manifest(const std::string& repo_tag) {
    std::string out;
    run_command("skopeo inspect --raw --tls-verify=false docker://" + registry_.host() + "/" + repo_tag, &out);
    return out;
  }
  std::string store(const std::string& name = "store") { return shell_quote(work_ / name); }
  CommandResult publish(const std::string& image, const std::string& app, const std::string& flags) {
    return run_builder("publish-image " + shell_quote(image) + " --app " + app + " -o json --store " +
                       store() + " " + flags);
  }
  nlohmann::json versions(const std::string& app, const std::string& name = "store") {
    return nlohmann::json::parse(run_builder("versions " + app + " -o json --store " + store(name)).out);
  }
  // The digests of the layers of the image `ref` names in the store's layout.
  std::vector<std::string> base_layers() {
    auto m = nlohmann::json::parse(raw_manifest("library/base:1"));
    std::vector<std::string> out;
    for (const auto& l : m["layers"]) out.push_back(l["digest"].get<std::string>());
    return out;
  }
  bool in_store(const std::string& digest, const std::string& name = "store") {
    return std::filesystem::exists(work_ / (name + "/oci/blobs/sha256/" + digest.substr(7)));
  }

  TempDir work_;
  RegistryServer registry_{RegistryConfig{}};
  std::string base_, base_dir_;
};

TEST_F(PublishImageTest, AnImageInTheSameRegistryIsMountedAndKeepsItsDigest) {
  const std::string image = push_base("library/base:1");
  const std::string digest = remote("library/base:1", "{{.Digest}}");
  auto r = publish(image, "acme-corp/copied", "--registry " + registry_.host());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["version"], 1);
  EXPECT_EQ(j["digest"], digest);
  EXPECT_EQ(j["codeHash"], "");
  EXPECT_EQ(j["source"], "docker://" + image + "@" + digest);
  EXPECT_EQ(j["registry"]["reference"], registry_.host() + "/acme-corp/copied:v1");
  EXPECT_EQ(j["registry"]["blobsUploaded"], 0) << r.out;
  EXPECT_EQ(j["registry"]["bytesUploaded"], 0) << r.out;
  EXPECT_EQ(j["registry"]["blobsMounted"], static_cast<int>(base_layers().size()) + 1) << r.out;
  EXPECT_EQ(remote("acme-corp/copied:v1", "{{.Digest}}"), digest);

  auto v = versions("acme-corp/copied");
  ASSERT_EQ(v["versions"].size(), 1u);
  EXPECT_EQ(v["versions"][0]["codeHash"], "");
  EXPECT_EQ(v["versions"][0]["digest"], digest);
  // The store keeps the manifest and config; the layers were never downloaded.
  for (const auto& layer : base_layers()) EXPECT_FALSE(in_store(layer)) << layer;
  auto check = run_builder("store check --deep --store " + store());
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
  EXPECT_NE(check.out.find("layer(s) of versions published to a registry are kept only there"),
            std::string::npos)
      << check.out;
}

TEST_F(PublishImageTest, DockerSchema2StaysDockerSchema2) {
  const std::string image = push_base("docker/base:1", "v2s2");
  const std::string before = raw_manifest("docker/base:1");
  ASSERT_NE(before.find("application/vnd.docker.distribution.manifest.v2+json"), std::string::npos);
  auto r = publish(image, "acme-corp/docker", "--registry " + registry_.host());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["mediaType"], "application/vnd.docker.distribution.manifest.v2+json");
  EXPECT_EQ(raw_manifest("acme-corp/docker:v1"), before);  // byte for byte
  EXPECT_EQ(run_builder("store check --deep --store " + store()).exit_code, 0);
}

TEST_F(PublishImageTest, WithoutARegistryTheImageIsCopiedIntoTheStore) {
  auto r = publish(base_, "acme-corp/local", "");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  std::string out;
  ASSERT_EQ(run_command("skopeo inspect --format '{{.Digest}}' " + shell_quote("oci:" + base_), &out), 0);
  EXPECT_EQ(j["digest"], out.substr(0, out.find('\n')));
  EXPECT_EQ(j["source"], "oci:" + base_ + "@" + j["digest"].get<std::string>());
  // The whole image is in the store: readable by skopeo, every blob verified by store check.
  ASSERT_EQ(run_command("skopeo inspect --format '{{.Digest}}' " +
                            shell_quote("oci:" + (work_ / "store/oci") + ":acme-corp/local:v1"),
                        &out),
            0)
      << out;
  EXPECT_EQ(out.substr(0, out.find('\n')), j["digest"]);
  auto check = run_builder("store check --deep --store " + store());
  EXPECT_EQ(check.exit_code, 0) << check.out;
  EXPECT_EQ(check.out.find("kept only there"), std::string::npos) << check.out;
}

TEST_F(PublishImageTest, RefusesWhatItCannotPublishAndTakesNoNumber) {
  push_base("library/base:1");
  auto missing = publish(registry_.host() + "/library/base:nope", "acme-corp/app", "--registry " + registry_.host());
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("reading image docker://" + registry_.host() + "/library/base:nope"),
            std::string::npos)
      << missing.err;
  auto bare = publish("library/base:1", "acme-corp/app", "");
  EXPECT_EQ(bare.exit_code, 1);
  EXPECT_NE(bare.err.find("image \"library/base:1\" is neither a registry image"), std::string::npos)
      << bare.err;
  auto no_dir = publish("oci:" + (work_ / "nowhere") + ":x", "acme-corp/app", "");
  EXPECT_EQ(no_dir.exit_code, 1);
  EXPECT_NE(no_dir.err.find(work_ / "nowhere"), std::string::npos) << no_dir.err;
  auto no_app = run_builder("publish-image " + shell_quote(base_) + " --store " + store());
  EXPECT_EQ(no_app.exit_code, 2);
  EXPECT_NE(no_app.err.find("--app is required"), std::string::npos);

  // A vN tag the store does not know is refused, as for a build.
  push_base("acme-corp/app:v4");
  auto foreign = publish(base_, "acme-corp/app", "--registry " + registry_.host());
  EXPECT_EQ(foreign.exit_code, 1);
  EXPECT_NE(foreign.err.find("repository acme-corp/app holds v4, which this store has no record of"),
            std::string::npos)
      << foreign.err;
  EXPECT_NE(run_builder("versions acme-corp/app --store " + store()).exit_code, 0);  // nothing recorded
}

TEST_F(PublishImageTest, AForeignTagOfTheSameImageIsNotTakenForThisStoresOwn) {
  // Someone tags the image as v1 of the app; this store then publishes the very same image
  // there. Holding its manifest does not make the tag this store's: it never meant to set it.
  const std::string image = push_base("library/base:1");
  push_base("acme-corp/foreign:v1");
  auto r = publish(image, "acme-corp/foreign", "--registry " + registry_.host());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("repository acme-corp/foreign holds v1, which this store has no record of"),
            std::string::npos)
      << r.err;
  EXPECT_NE(run_builder("versions acme-corp/foreign --store " + store()).exit_code, 0);  // nothing recorded
}

TEST_F(PublishImageTest, ABuildWithoutARegistryRefusesABaseWhoseLayersAreOnlyThere) {
  const std::string image = push_base("library/base:1");
  auto published = publish(image, "acme-corp/base", "--registry " + registry_.host());
  ASSERT_EQ(published.exit_code, 0) << published.err;
  // That version keeps its layers in the registry only; building on it into the layout alone
  // would record a version whose layers are nowhere in the store.
  auto built = run_builder("build " + shell_quote(work_ / "src") + " --app acme-corp/on-it -o json --base " +
                           shell_quote((work_ / "store/oci") + ":acme-corp/base:v1") + " --store " + store());
  EXPECT_EQ(built.exit_code, 1);
  EXPECT_NE(built.err.find("is not in the store's layout"), std::string::npos) << built.err;
  EXPECT_NE(built.err.find("take the base from that registry"), std::string::npos) << built.err;
  EXPECT_NE(run_builder("versions acme-corp/on-it --store " + store()).exit_code, 0);
  EXPECT_EQ(run_builder("store check --store " + store()).exit_code, 0);
  // Taken from the registry, as the message says, the base's layers are mounted there.
  auto from_registry = run_builder("build " + shell_quote(work_ / "src") + " --app acme-corp/on-it -o json --base " +
                                   registry_.host() + "/acme-corp/base:v1 --store " + store() +
                                   " --registry " + registry_.host());
  ASSERT_EQ(from_registry.exit_code, 0) << from_registry.err;
  EXPECT_EQ(nlohmann::json::parse(from_registry.out)["registry"]["blobsMounted"],
            static_cast<int>(base_layers().size()))
      << from_registry.out;
}

TEST_F(PublishImageTest, OnlyRegistryBaseAndImageLayersMayBeMissing) {
  // A build on a layout base, published: its layers are all this store's to keep.
  auto built = run_builder("build " + shell_quote(work_ / "src") + " --app acme-corp/greet -o json --base " +
                           shell_quote(base_) + " --store " + store() + " --registry " + registry_.host());
  ASSERT_EQ(built.exit_code, 0) << built.err;
  std::string raw;
  ASSERT_EQ(run_command("skopeo inspect --raw --tls-verify=false docker://" + registry_.host() +
                            "/acme-corp/greet:v1",
                        &raw),
            0);
  const std::string app_layer = nlohmann::json::parse(raw)["layers"].back()["digest"];
  std::filesystem::remove(work_ / ("store/oci/blobs/sha256/" + app_layer.substr(7)));
  auto check = run_builder("store check --store " + store());
  EXPECT_EQ(check.exit_code, 1) << check.out;
  EXPECT_NE(check.out.find("layer blob " + app_layer + " is missing"), std::string::npos) << check.out;
}

TEST_F(PublishImageTest, KilledAfterItsTagIsRecordedByTheNextRun) {
  const std::string image = push_base("library/base:1");
  auto killed = run_builder_env("IGNITE_FAULT=kill-after:tag",
                                "publish-image " + shell_quote(image) + " --app acme-corp/app --store " +
                                    store() + " --registry " + registry_.host());
  EXPECT_NE(killed.exit_code, 0);
  EXPECT_EQ(run_builder("store check --store " + store()).exit_code, 0);
  auto next = publish(image, "acme-corp/app", "--registry " + registry_.host());
  ASSERT_EQ(next.exit_code, 0) << next.err;
  EXPECT_EQ(nlohmann::json::parse(next.out)["version"], 2);
  auto v = versions("acme-corp/app");
  ASSERT_EQ(v["versions"].size(), 2u);
  EXPECT_TRUE(v["versions"][0]["inputs"].contains("recovered"));
  EXPECT_EQ(run_builder("store check --deep --store " + store()).exit_code, 0);
}

TEST_F(PublishImageTest, ARegistryBaseStaysInTheRegistryWhenPublishingThere) {
  const std::string base = push_base("library/base:1");
  const std::string base_digest = remote("library/base:1", "{{.Digest}}");
  auto built = run_builder("build " + shell_quote(work_ / "src") + " --app acme-corp/greet -o json --base " +
                           base + " --store " + store() + " --registry " + registry_.host());
  ASSERT_EQ(built.exit_code, 0) << built.err;
  auto j = nlohmann::json::parse(built.out);
  EXPECT_EQ(j["baseDigest"], base_digest);
  // The base's layers are mounted from library/base, never downloaded into the store.
  EXPECT_EQ(j["registry"]["blobsMounted"], static_cast<int>(base_layers().size())) << built.out;
  for (const auto& layer : base_layers()) EXPECT_FALSE(in_store(layer)) << layer;
  EXPECT_EQ(remote("acme-corp/greet:v1", "{{.Digest}}"), j["digest"]);
  auto v = versions("acme-corp/greet");
  EXPECT_EQ(v["versions"][0]["inputs"]["base"],
            "docker://" + base + "@" + base_digest)
      << v.dump();
  EXPECT_EQ(run_builder("store check --deep --store " + store()).exit_code, 0);

  // Without --registry the store is where the version lives: the layers are downloaded, and
  // the image is the same one, byte for byte.
  auto local = run_builder("build " + shell_quote(work_ / "src") + " --app acme-corp/greet -o json --base " +
                           base + " --store " + store("local"));
  ASSERT_EQ(local.exit_code, 0) << local.err;
  EXPECT_EQ(nlohmann::json::parse(local.out)["digest"], j["digest"]);
  for (const auto& layer : base_layers()) EXPECT_TRUE(in_store(layer, "local")) << layer;
  auto check = run_builder("store check --deep --store " + store("local"));
  EXPECT_EQ(check.exit_code, 0) << check.out;
}

TEST_F(PublishImageTest, FromAnotherRegistryOnlyWhatTheTargetLacksIsFetched) {
  RegistryServer target{RegistryConfig{}};
  const std::string image = push_base("library/base:1");
  auto copied = publish(image, "acme-corp/copied", "--registry " + target.host());
  ASSERT_EQ(copied.exit_code, 0) << copied.err;
  auto j = nlohmann::json::parse(copied.out);
  EXPECT_EQ(j["digest"], remote("library/base:1", "{{.Digest}}"));
  EXPECT_EQ(j["registry"]["blobsUploaded"], static_cast<int>(base_layers().size()) + 1) << copied.out;

  // A build on that base publishing to the target: the base's layers are there already (the
  // copy above), so nothing of the base is fetched from the source registry again.
  for (const auto& layer : base_layers()) std::filesystem::remove(work_ / ("store/oci/blobs/sha256/" + layer.substr(7)));
  auto built = run_builder("build " + shell_quote(work_ / "src") + " --app acme-corp/copied -o json --base " +
                           image + " --store " + store() + " --registry " + target.host());
  ASSERT_EQ(built.exit_code, 0) << built.err;
  auto k = nlohmann::json::parse(built.out);
  EXPECT_EQ(k["registry"]["blobsSkipped"], static_cast<int>(base_layers().size())) << built.out;
  for (const auto& layer : base_layers()) EXPECT_FALSE(in_store(layer)) << layer;

  // Another app on the target: its repository lacks the base, which is mounted from
  // acme-corp/copied (the same base, published by this store) or fetched and uploaded.
  auto other = run_builder("build " + shell_quote(work_ / "src") + " --app acme-corp/other -o json --base " +
                           image + " --store " + store() + " --registry " + target.host());
  ASSERT_EQ(other.exit_code, 0) << other.err;
  EXPECT_EQ(run_builder("store check --deep --store " + store()).exit_code, 0);
  std::string out;
  ASSERT_EQ(run_command("skopeo copy -q --src-tls-verify=false docker://" + target.host() +
                            "/acme-corp/other:v1 " + shell_quote("oci:" + (work_ / "pulled") + ":x") + " 2>&1",
                        &out),
            0)
      << out;
}

TEST_F(PublishImageTest, ABaseMovedByItsTagIsResolvedAgain) {
  const std::string base = push_base("library/base:1");
  auto first = run_builder("build " + shell_quote(work_ / "src") + " --app acme-corp/greet -o json --base " +
                           base + " --store " + store() + " --registry " + registry_.host());
  ASSERT_EQ(first.exit_code, 0) << first.err;
  push_base("library/base:1", "v2s2");  // the tag now names a Docker schema 2 manifest
  const std::string moved = remote("library/base:1", "{{.Digest}}");
  auto second = run_builder("build " + shell_quote(work_ / "src") + " --app acme-corp/greet -o json --base " +
                            base + " --store " + store() + " --registry " + registry_.host());
  ASSERT_EQ(second.exit_code, 0) << second.err;
  auto j = nlohmann::json::parse(second.out);
  EXPECT_EQ(j["baseDigest"], moved);
  EXPECT_NE(j["digest"], nlohmann::json::parse(first.out)["digest"]);
  // Built on a Docker schema 2 base, the image is OCI throughout.
  const std::string manifest = raw_manifest("acme-corp/greet:v2");
  EXPECT_EQ(manifest.find("vnd.docker"), std::string::npos) << manifest;
  EXPECT_EQ(run_builder("store check --deep --store " + store()).exit_code, 0);
}

}  // namespace
}  // namespace ignite::testing
