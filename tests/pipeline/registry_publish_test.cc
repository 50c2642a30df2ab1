// build --registry against Debian's real docker-registry: the version goes to the registry as
// HOST/<org>/<app>:vN, a code-only change sends exactly three new blobs, a tag from outside is
// refused, and a build killed between its tag and its commit is completed by the next one.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "tests/pipeline/pipeline_testing.h"
#include "tests/registry/registry_servers.h"

namespace ignite::testing {
namespace {

using registry::testing::RegistryConfig;
using registry::testing::RegistryServer;

class RegistryPublishTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = make_synthetic_base(work_ / "base");
    work_.write("src/handler.py", echo_handler("v"));
  }
  CommandResult build(const std::string& env = "") {
    return run_builder_env(env, "build " + shell_quote(work_ / "src") +
                                    " --app acme-corp/greet -o json --base " + shell_quote(base_) +
                                    " --store " + shell_quote(work_ / "store") + " --registry " +
                                    registry_.host());
  }
  std::string remote_digest(const std::string& tag) {
    std::string out;
    run_command("skopeo inspect --tls-verify=false --format '{{.Digest}}' docker://" +
                    registry_.host() + "/acme-corp/greet:" + tag + " 2>/dev/null",
                &out);
    return out.empty() ? "" : out.substr(0, out.find('\n'));
  }
  void change_code(const std::string& marker) {
    work_.write("src/handler.py", echo_handler(marker));
  }

  TempDir work_;
  RegistryServer registry_{RegistryConfig{}};
  std::string base_;
};

TEST_F(RegistryPublishTest, PublishesAndSendsOnlyWhatIsNew) {
  auto first = build();
  ASSERT_EQ(first.exit_code, 0) << first.err;
  auto j = nlohmann::json::parse(first.out);
  EXPECT_EQ(j["registry"]["reference"], registry_.host() + "/acme-corp/greet:v1");
  EXPECT_EQ(remote_digest("v1"), j["digest"]);

  const auto before = registry_.blob_files();
  change_code("second");
  auto second = build();
  ASSERT_EQ(second.exit_code, 0) << second.err;
  auto k = nlohmann::json::parse(second.out);
  EXPECT_EQ(k["version"], 2);
  // The app layer, the config and the manifest, and the new version's SBOM (its document, its
  // artifact manifest, the referrers index); the base and host layers and the SBOM's empty
  // config ("{}", uploaded with v1) were skipped.
  EXPECT_EQ(registry_.blobs_added_since(before).size(), 6u);
  EXPECT_EQ(k["registry"]["blobsUploaded"], 3);
  EXPECT_EQ(k["registry"]["blobsSkipped"], 3);
  EXPECT_EQ(remote_digest("v2"), k["digest"]);
}

// Two apps with one lock: the second app's publish mounts the dependency layer from the first
// app's repository and uploads none of its bytes.
TEST_F(RegistryPublishTest, ASecondAppWithTheSameLockUploadsNoDependencyBytes) {
  const std::string wheelhouse = std::string(IGNITE_SHARED_DIR) + "/wheelhouse";
  if (!std::filesystem::is_directory(wheelhouse)) {
    if (std::getenv("CI")) FAIL() << "CI must run this test: no wheelhouse at " << wheelhouse;
    GTEST_SKIP() << "the shared wheelhouse is not at " << wheelhouse << " (../shared is absent)";
  }
  auto build_app = [&](const std::string& app, const std::string& marker) {
    work_.write(app + "/handler.py", echo_handler(marker));
    work_.write(app + "/requirements.txt", "idna\nsix\n");
    return run_builder("build " + shell_quote(work_ / app) + " --app acme-corp/" + app +
                       " -o json --no-compile --no-index --find-links " + shell_quote(wheelhouse) +
                       " --base " + shell_quote(base_) + " --store " +
                       shell_quote(work_ / "store") + " --registry " + registry_.host());
  };
  auto first = build_app("one", "1");
  ASSERT_EQ(first.exit_code, 0) << first.err;
  const auto a = nlohmann::json::parse(first.out);
  const std::string deps = a["dependencies"]["layer"]["digest"];
  const std::int64_t deps_size = a["dependencies"]["layer"]["size"];

  auto second = build_app("two", "2");
  ASSERT_EQ(second.exit_code, 0) << second.err;
  const auto b = nlohmann::json::parse(second.out);
  EXPECT_EQ(b["dependencies"]["layer"]["digest"], deps);
  // Mounted: the base and host layers (same base) and the dependency layer (same lock); only
  // the app layer, the config and the SBOM (its document and empty config) go up, all far
  // smaller than the dependency layer.
  EXPECT_EQ(b["registry"]["blobsUploaded"], 4) << second.out;
  EXPECT_GE(b["registry"]["bytesMounted"].get<std::int64_t>(), deps_size) << second.out;
  EXPECT_LT(b["registry"]["bytesUploaded"].get<std::int64_t>(), deps_size) << second.out;
  std::string raw;
  ASSERT_EQ(run_command("skopeo inspect --raw --tls-verify=false docker://" + registry_.host() +
                            "/acme-corp/two:v1",
                        &raw),
            0);
  EXPECT_EQ(nlohmann::json::parse(raw)["layers"][2]["digest"], deps);
}

TEST_F(RegistryPublishTest, ABlobOfThePreviousVersionGoneIsPushedAgain) {
  auto first = build();
  ASSERT_EQ(first.exit_code, 0) << first.err;
  // The repository forgets the host layer behind the builder's back (its link in the
  // registry's storage), as a registry-side cleanup might: the next build assumes the previous
  // version's blobs are there, the manifest push is refused, and it asks about every blob.
  std::string raw;
  ASSERT_EQ(run_command("skopeo inspect --raw --tls-verify=false docker://" + registry_.host() +
                            "/acme-corp/greet:v1",
                        &raw),
            0);
  const std::string host_layer = nlohmann::json::parse(raw)["layers"][1]["digest"];
  const std::string link = registry_.storage() +
                           "/docker/registry/v2/repositories/acme-corp/greet/_layers/sha256/" +
                           host_layer.substr(7);
  std::string out;
  ASSERT_EQ(run_command("test -d " + shell_quote(link) + " && rm -r " + shell_quote(link), &out), 0)
      << link;

  change_code("after-cleanup");
  auto second = build();
  ASSERT_EQ(second.exit_code, 0) << second.err;
  auto j = nlohmann::json::parse(second.out);
  EXPECT_EQ(j["version"], 2);
  EXPECT_EQ(remote_digest("v2"), j["digest"]);
  // The app layer and config first, then the host layer once the registry refused the manifest;
  // then the SBOM's document (its empty config is there since v1).
  EXPECT_EQ(j["registry"]["blobsUploaded"], 4) << second.out;
  EXPECT_EQ(j["registry"]["blobsSkipped"], 2)
      << second.out;  // the base layer, asked the second time, and the SBOM's empty config
  ASSERT_EQ(run_command("skopeo copy -q --src-tls-verify=false docker://" + registry_.host() +
                            "/acme-corp/greet:v2 " +
                            shell_quote("oci:" + (work_ / "pulled") + ":v2") + " 2>&1",
                        &out),
            0)
      << out;
}

TEST_F(RegistryPublishTest, AnotherAppMountsTheSharedLayers) {
  ASSERT_EQ(build().exit_code, 0);
  auto other =
      run_builder("build " + shell_quote(work_ / "src") + " --app acme-corp/other -o json --base " +
                  shell_quote(base_) + " --store " + shell_quote(work_ / "store") + " --registry " +
                  registry_.host());
  ASSERT_EQ(other.exit_code, 0) << other.err;
  auto j = nlohmann::json::parse(other.out);
  // Same source: the base, host and app layers all come from acme-corp/greet's repository;
  // only the config (whose env and labels name the other app) is new, with the SBOM's document
  // and empty config.
  EXPECT_EQ(j["registry"]["blobsMounted"], 3) << other.out;
  EXPECT_EQ(j["registry"]["blobsUploaded"], 3) << other.out;
  EXPECT_EQ(j["registry"]["bytesUploaded"].get<std::int64_t>() < 4096, true) << other.out;
}

TEST_F(RegistryPublishTest, RefusesVersionTagsTheStoreDoesNotKnow) {
  ASSERT_EQ(build().exit_code, 0);
  std::string out;
  ASSERT_EQ(
      run_command("skopeo copy -q --dest-tls-verify=false " +
                      shell_quote("oci:" + base_.substr(0, base_.find(':')) + ":synthetic:1") +
                      " docker://" + registry_.host() + "/acme-corp/greet:v7 2>&1",
                  &out),
      0)
      << out;
  change_code("refused");
  auto refused = build();
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(
      refused.err.find("registry " + registry_.host() +
                       " repository acme-corp/greet holds v7, which this store has no record of"),
      std::string::npos)
      << refused.err;
  auto versions =
      run_builder("versions acme-corp/greet -o json --store " + shell_quote(work_ / "store"));
  EXPECT_EQ(nlohmann::json::parse(versions.out)["versions"].size(), 1u);  // no number taken
}

TEST_F(RegistryPublishTest, KilledBetweenTagAndCommitIsCompletedByTheNextBuild) {
  ASSERT_EQ(build().exit_code, 0);
  change_code("interrupted");
  auto killed = build("IGNITE_FAULT=kill-after:tag");
  EXPECT_NE(killed.exit_code, 0);
  const std::string tagged = remote_digest("v2");
  ASSERT_FALSE(tagged.empty()) << "the registry should hold the tag of the interrupted build";
  auto check = run_builder("store check --store " + shell_quote(work_ / "store"));
  EXPECT_EQ(check.exit_code, 0) << check.out;

  change_code("next");
  auto next = build();
  ASSERT_EQ(next.exit_code, 0) << next.err;
  EXPECT_EQ(nlohmann::json::parse(next.out)["version"], 3);
  auto versions = nlohmann::json::parse(
      run_builder("versions acme-corp/greet -o json --store " + shell_quote(work_ / "store")).out);
  ASSERT_EQ(versions["versions"].size(), 3u);
  EXPECT_EQ(versions["versions"][1]["digest"], tagged);  // v2 recorded as the registry has it
  EXPECT_TRUE(versions["versions"][1]["inputs"].contains("recovered"));
  EXPECT_EQ(run_builder("store check --deep --store " + shell_quote(work_ / "store")).exit_code, 0);
}

// Killed after its intent (N taken, nothing tagged yet): the next build rolls it forward (sets
// the tag v2 with the intent's image, records v2) and takes v3; no number is lost or reused.
TEST_F(RegistryPublishTest, KilledAfterItsIntentIsRolledForwardByTheNextBuild) {
  ASSERT_EQ(build().exit_code, 0);
  change_code("intent-only");
  auto killed = build("IGNITE_FAULT=kill-after:intent");
  EXPECT_NE(killed.exit_code, 0);
  EXPECT_EQ(remote_digest("v2"), "") << "killed before its tag";
  auto check = run_builder("store check --store " + shell_quote(work_ / "store"));
  EXPECT_EQ(check.exit_code, 0) << check.out;
  EXPECT_NE((check.out + check.err).find("acme-corp/greet:v2"), std::string::npos)
      << check.out << check.err;

  change_code("after-intent");
  auto next = build();
  ASSERT_EQ(next.exit_code, 0) << next.err;
  EXPECT_EQ(nlohmann::json::parse(next.out)["version"], 3);
  auto versions = nlohmann::json::parse(
      run_builder("versions acme-corp/greet -o json --store " + shell_quote(work_ / "store")).out);
  ASSERT_EQ(versions["versions"].size(), 3u);
  EXPECT_EQ(remote_digest("v2"),
            versions["versions"][1]["digest"]);  // the interrupted build's image
  EXPECT_TRUE(versions["versions"][1]["inputs"].contains("recovered"));
  EXPECT_EQ(remote_digest("v3"), nlohmann::json::parse(next.out)["digest"]);
  EXPECT_EQ(run_builder("store check --deep --store " + shell_quote(work_ / "store")).exit_code, 0);
}

// A build without --registry never takes the number a publication's intent speaks for: after a
// build killed between its tag and its commit, it is refused (naming how to complete it) and
// takes no number; the next build with the registry completes v2 and takes v3.
TEST_F(RegistryPublishTest, ALocalBuildNeverTakesTheNumberOfAnInterruptedPublication) {
  ASSERT_EQ(build().exit_code, 0);
  change_code("tagged-then-killed");
  EXPECT_NE(build("IGNITE_FAULT=kill-after:tag").exit_code, 0);  // v2 tagged in the registry only
  const std::string tagged = remote_digest("v2");
  ASSERT_FALSE(tagged.empty());
  change_code("local-only");
  auto local =
      run_builder("build " + shell_quote(work_ / "src") + " --app acme-corp/greet -o json --base " +
                  shell_quote(base_) + " --store " + shell_quote(work_ / "store"));
  EXPECT_EQ(local.exit_code, 1);
  EXPECT_NE(
      local.err.find("publish the app with --registry " + registry_.host() + " to complete it"),
      std::string::npos)
      << local.err;
  change_code("third");
  auto third = build();
  ASSERT_EQ(third.exit_code, 0) << third.err;
  EXPECT_EQ(nlohmann::json::parse(third.out)["version"], 3);
  auto versions = nlohmann::json::parse(
      run_builder("versions acme-corp/greet -o json --store " + shell_quote(work_ / "store")).out);
  ASSERT_EQ(versions["versions"].size(), 3u);
  EXPECT_EQ(versions["versions"][1]["digest"], tagged);
  // Now the app has no intent: a local build takes v4.
  auto local_again =
      run_builder("build " + shell_quote(work_ / "src") + " --app acme-corp/greet -o json --base " +
                  shell_quote(base_) + " --store " + shell_quote(work_ / "store"));
  ASSERT_EQ(local_again.exit_code, 0) << local_again.err;
  EXPECT_EQ(nlohmann::json::parse(local_again.out)["version"], 4);
}

// `worker --registry` publishes each queued build as the app's next version in the registry too,
// as `build --registry` does; `serve` takes the same flags (a usage error names them).
TEST_F(RegistryPublishTest, AWorkerWithRegistryPublishesQueuedBuilds) {
  const std::string store = shell_quote(work_ / "store");
  auto submitted = run_builder("submit " + shell_quote(work_ / "src/handler.py") +
                               " --app acme-corp/greet --store " + store);
  ASSERT_EQ(submitted.exit_code, 0) << submitted.err;
  change_code("queued-second");
  ASSERT_EQ(run_builder("submit " + shell_quote(work_ / "src/handler.py") +
                        " --app acme-corp/greet --store " + store)
                .exit_code,
            0);
  auto worker = run_builder("worker --until-idle --quiet --base " + shell_quote(base_) +
                            " --store " + store + " --registry " + registry_.host());
  ASSERT_EQ(worker.exit_code, 0) << worker.err << worker.out;
  auto versions =
      nlohmann::json::parse(run_builder("versions acme-corp/greet -o json --store " + store).out);
  ASSERT_EQ(versions["versions"].size(), 2u);
  EXPECT_EQ(remote_digest("v1"), versions["versions"][0]["digest"]);
  EXPECT_EQ(remote_digest("v2"), versions["versions"][1]["digest"]);

  auto no_registry = run_builder("worker --until-idle --registry-ca /nonexistent --store " + store);
  EXPECT_EQ(no_registry.exit_code, 2) << no_registry.err;
  auto serve = run_builder("serve --registry-user ci-bot --store " + store);
  EXPECT_EQ(serve.exit_code, 2) << serve.err;
  EXPECT_NE(serve.err.find("--registry"), std::string::npos) << serve.err;
}

TEST(RegistryPublishLoginTest, CredentialsFromFlagsNeverShow) {
  TempDir work;
  const std::string base = make_synthetic_base(work / "base");
  work.write("src/handler.py", echo_handler("login"));
  const std::string password = "s3cret-Pa55-for-flags";
  RegistryServer basic{
      RegistryConfig{registry::testing::make_htpasswd(work, "ci-bot", password), "", "", "", ""}};
  // An empty HOME: no docker configuration to fall back on.
  const std::string env = "HOME=" + shell_quote(work / "home");
  auto build = [&](const std::string& prefix, const std::string& extra_env,
                   const std::string& flags) {
    return run_builder_env(env + " " + extra_env,
                           "build " + shell_quote(work / "src") +
                               " --app acme-corp/greet -o json --base " + shell_quote(base) +
                               " --store " + shell_quote(work / "store") + " --registry " +
                               basic.host() + " " + flags,
                           prefix);
  };

  auto anonymous = build("", "", "");
  EXPECT_EQ(anonymous.exit_code, 1);
  EXPECT_NE(anonymous.err.find(basic.host()), std::string::npos) << anonymous.err;

  auto wrong = build("printf 'not-the-password\\n' |", "",
                     "--registry-user ci-bot --registry-password-stdin");
  EXPECT_EQ(wrong.exit_code, 1);
  EXPECT_EQ(wrong.err.find("not-the-password"), std::string::npos) << wrong.err;
  EXPECT_NE(wrong.err.find("they came from --registry-user ci-bot"), std::string::npos)
      << wrong.err;

  auto no_password = build("", "", "--registry-user ci-bot");
  EXPECT_EQ(no_password.exit_code, 2);
  EXPECT_NE(no_password.err.find("--registry-user needs a password"), std::string::npos)
      << no_password.err;

  auto from_stdin = build("printf '%s\\n' " + shell_quote(password) + " |", "",
                          "--registry-user ci-bot --registry-password-stdin --progress");
  ASSERT_EQ(from_stdin.exit_code, 0) << from_stdin.err;
  EXPECT_EQ(nlohmann::json::parse(from_stdin.out)["version"], 1);
  EXPECT_EQ((from_stdin.out + from_stdin.err).find(password), std::string::npos);

  work.write("src/handler.py", echo_handler("login-env"));
  auto from_env = build("", "IGNITE_REGISTRY_PASSWORD=" + shell_quote(password),
                        "--registry-user ci-bot --progress");
  ASSERT_EQ(from_env.exit_code, 0) << from_env.err;
  EXPECT_EQ(nlohmann::json::parse(from_env.out)["version"], 2);
  EXPECT_EQ((from_env.out + from_env.err).find(password), std::string::npos);
  // The failed attempts took no number.
  auto versions =
      run_builder("versions acme-corp/greet -o json --store " + shell_quote(work / "store"));
  EXPECT_EQ(nlohmann::json::parse(versions.out)["versions"].size(), 2u);
}

TEST(RegistryPublishDownTest, AnUnreachableRegistryFailsCleanlyAndTakesNoNumber) {
  TempDir work;
  const std::string base = make_synthetic_base(work / "base");
  work.write("src/handler.py", echo_handler("down"));
  std::string host;
  {
    RegistryServer gone{RegistryConfig{}};
    host = gone.host();
  }  // stopped: nothing listens on its port now
  auto r =
      run_builder_env("", "build " + shell_quote(work / "src") + " --app acme-corp/greet --base " +
                              shell_quote(base) + " --store " + shell_quote(work / "store") +
                              " --registry " + host);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("registry " + host), std::string::npos) << r.err;
  auto versions = run_builder("versions acme-corp/greet --store " + shell_quote(work / "store"));
  EXPECT_EQ(versions.exit_code, 1) << versions.out;  // no version of the app
  EXPECT_EQ(run_builder("store check --store " + shell_quote(work / "store")).exit_code, 0);
}

}  // namespace
}  // namespace ignite::testing
