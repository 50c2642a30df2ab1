// Functions with dependencies, on a small synthetic base and without bytecode (no root, no
// Python in the base): the lock becomes one dependency layer shared by every app with the same
// lock, a code-only change reuses it untouched, and bad input fails the build naming the
// package, taking no number and leaving `store check` clean. The real base, bytecode and a
// running image are in dependencies_e2e_test.cc.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "builder/util/file_io.h"
#include "builder/util/sha256.h"
#include "tests/index/index_server.h"
#include "tests/pipeline/pipeline_testing.h"

namespace ignite::testing {
namespace {

const std::string kWheelhouse = std::string(IGNITE_SHARED_DIR) + "/wheelhouse";
const char* kSixWheel = "six-1.17.0-py2.py3-none-any.whl";

class DependenciesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::is_directory(kWheelhouse)) {
      if (std::getenv("CI")) FAIL() << "CI must run this test: no wheelhouse at " << kWheelhouse;
      GTEST_SKIP() << "the shared wheelhouse is not at " << kWheelhouse << " (../shared is absent)";
    }
    base_ = make_synthetic_base(work_ / "base");
  }

  // A source with an echo handler and these requirements.
  std::string source(const std::string& name, const std::string& requirements,
                     const std::string& marker = "d") {
    work_.write(name + "/handler.py", echo_handler(marker));
    if (!requirements.empty()) work_.write(name + "/requirements.txt", requirements);
    return work_ / name;
  }

  CommandResult build(const std::string& src, const std::string& app,
                      const std::string& extra = "--no-index --find-links " +
                                                 shell_quote(kWheelhouse),
                      const std::string& env = "") {
    return run_builder_env(env, "build " + shell_quote(src) + " --app " + app + " --base " +
                                    shell_quote(base_) + " --store " + shell_quote(store()) +
                                    " --no-compile -o json " + extra);
  }

  std::string store() const { return work_ / "store"; }

  // The build failed, named `what`, and left no version and a consistent store.
  void expect_failed_cleanly(const CommandResult& r, const std::string& app,
                             const std::vector<std::string>& what) {
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    for (const std::string& w : what)
      EXPECT_NE(r.err.find(w), std::string::npos) << w << "\n" << r.err;
    auto versions = run_builder("versions " + app + " --store " + shell_quote(store()));
    EXPECT_NE(versions.exit_code, 0) << "a failed build took a number: " << versions.out;
    auto check = run_builder("store check --store " + shell_quote(store()));
    EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
  }

  // The paths in a layer blob of the store, in order.
  std::string layer_paths(const std::string& digest) {
    std::string out;
    run_command("tar -tzf " + shell_quote(store() + "/oci/blobs/sha256/" + digest.substr(7)), &out);
    return out;
  }

  TempDir work_;
  std::string base_;
};

TEST_F(DependenciesTest, AppsWithOneLockShareOneLayer) {
  auto first = build(source("a", "six\nidna==3.13\n"), "acme-corp/a");
  ASSERT_EQ(first.exit_code, 0) << first.err;
  auto a = nlohmann::json::parse(first.out);
  ASSERT_TRUE(a.contains("dependencies")) << first.out;
  const auto& deps = a["dependencies"];
  EXPECT_EQ(deps["lockOrigin"], "resolved");
  EXPECT_EQ(deps["layer"]["packages"], 2);
  EXPECT_EQ(deps["layer"]["cached"], false);
  EXPECT_EQ(deps["layer"]["wheelsFetched"], 2);
  const std::string layer = deps["layer"]["digest"];

  const std::string paths = layer_paths(layer);
  for (const char* p :
       {"opt/ignite/deps/\n", "opt/ignite/deps/six.py\n", "opt/ignite/deps/idna/core.py\n",
        "opt/ignite/deps/six-1.17.0.dist-info/INSTALLER\n",
        "opt/ignite/deps/six-1.17.0.dist-info/REQUESTED\n",
        "opt/ignite/deps/idna-3.13.dist-info/RECORD\n"}) {
    EXPECT_NE(paths.find(p), std::string::npos) << p << " not in\n" << paths;
  }
  EXPECT_EQ(paths.find("__pycache__"), std::string::npos) << "--no-compile shipped bytecode";

  // Another app, the same requirements: the same lock, the same layer, nothing fetched again.
  auto second = build(source("b", "six\nidna==3.13\n", "other"), "acme-corp/b");
  ASSERT_EQ(second.exit_code, 0) << second.err;
  auto b = nlohmann::json::parse(second.out);
  EXPECT_EQ(b["lockHash"], a["lockHash"]);
  EXPECT_EQ(b["dependencies"]["lockOrigin"], "cached");
  EXPECT_EQ(b["dependencies"]["layer"]["digest"], layer);
  EXPECT_EQ(b["dependencies"]["layer"]["cached"], true);

  // The label, the history and the record.
  const std::string image = "oci:" + store() + "/oci:acme-corp/b:v1";
  std::string out;
  ASSERT_EQ(run_command("skopeo inspect --config " + shell_quote(image), &out), 0);
  auto config = nlohmann::json::parse(out);
  EXPECT_EQ(config["config"]["Labels"]["dev.ignite.lock-hash"], b["lockHash"]);
  const auto& env = config["config"]["Env"];
  EXPECT_NE(std::find(env.begin(), env.end(), "IGNITE_SITE_DIRS=/opt/ignite/deps"), env.end())
      << env;
  ASSERT_EQ(config["rootfs"]["diff_ids"].size(), 4u);  // base, host, deps, app
  auto versions = run_builder("versions acme-corp/b -o json --store " + shell_quote(store()));
  ASSERT_EQ(versions.exit_code, 0) << versions.err;
  auto v = nlohmann::json::parse(versions.out)["versions"][0];
  EXPECT_EQ(v["lockHash"], b["lockHash"]);
  EXPECT_EQ(v["depsLayer"], layer);
  EXPECT_NE(v["inputs"]["lock"].get<std::string>().find("name = \"six\""), std::string::npos);
  EXPECT_EQ("sha256:" + sha256_hex(v["inputs"]["lock"].get<std::string>()), v["lockHash"]);
  auto text = run_builder("versions acme-corp/b --store " + shell_quote(store()));
  EXPECT_NE(text.out.find("LOCKHASH"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find(b["lockHash"].get<std::string>().substr(0, 19)), std::string::npos)
      << text.out;
}

// Builds running at once in one store, all needing the same new wheels: every one succeeds
// with the same layer, and the caches hold one tree per wheel and no temporary leftovers.
TEST_F(DependenciesTest, ConcurrentBuildsShareTheCachesSafely) {
  std::vector<std::string> sources;
  for (int i = 0; i < 4; ++i) sources.push_back(source("c" + std::to_string(i), "six\nidna\n", std::to_string(i)));
  std::vector<CommandResult> results(sources.size());
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < sources.size(); ++i) {
    threads.emplace_back([&, i] { results[i] = build(sources[i], "acme-corp/c" + std::to_string(i)); });
  }
  for (auto& t : threads) t.join();
  std::set<std::string> layers;
  for (const auto& r : results) {
    ASSERT_EQ(r.exit_code, 0) << r.err;
    layers.insert(nlohmann::json::parse(r.out)["dependencies"]["layer"]["digest"].get<std::string>());
  }
  EXPECT_EQ(layers.size(), 1u);
  std::string out;
  run_command("ls -A " + shell_quote(store() + "/cache/installed") + " | grep -vc '\\.json$'", &out);
  EXPECT_EQ(out, "2\n") << "one installed tree per wheel, no temporary directory left";
  auto check = run_builder("store check --store " + shell_quote(store()));
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
}

TEST_F(DependenciesTest, CodeOnlyChangeReusesTheLayerAndEpochDoesNotMoveIt) {
  auto first = build(source("a", "six\n"), "acme-corp/a");
  ASSERT_EQ(first.exit_code, 0) << first.err;
  const auto a = nlohmann::json::parse(first.out);
  // Remove the wheel from the cache: a warm build must not need it.
  std::filesystem::remove_all(store() + "/cache/blobs");
  auto second =
      build(source("a", "six\n", "changed"), "acme-corp/a",
            "--no-index --find-links " + shell_quote(kWheelhouse), "SOURCE_DATE_EPOCH=1700000000");
  ASSERT_EQ(second.exit_code, 0) << second.err;
  const auto b = nlohmann::json::parse(second.out);
  EXPECT_EQ(b["version"], 2);
  EXPECT_NE(b["codeHash"], a["codeHash"]);
  EXPECT_EQ(b["dependencies"]["layer"]["digest"], a["dependencies"]["layer"]["digest"]);
  EXPECT_EQ(b["dependencies"]["layer"]["cached"], true);
  EXPECT_EQ(b["dependencies"]["lockOrigin"], "cached");
  EXPECT_FALSE(std::filesystem::exists(store() + "/cache/blobs")) << "a warm build fetched a wheel";
}

// Wheels the lock names by URL are downloaded with the index's credentials (never recorded).
TEST_F(DependenciesTest, WheelsComeFromAnIndexWithCredentials) {
  IndexServer index({"--wheelhouse", kWheelhouse, "--auth", "builder:s3cret"});
  ASSERT_NE(index.port(), 0);
  auto r = build(source("a", "six\nidna\n"), "acme-corp/a",
                 "--index-url " + shell_quote(index.simple_url("builder:s3cret")));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["dependencies"]["layer"]["wheelsFetched"], 2);
  EXPECT_EQ(r.out.find("s3cret"), std::string::npos) << r.out;
  auto versions = run_builder("versions acme-corp/a -o json --store " + shell_quote(store()));
  EXPECT_EQ(versions.out.find("s3cret"), std::string::npos) << versions.out;
  EXPECT_NE(versions.out.find("url = \\\"http://127.0.0.1:"), std::string::npos) << versions.out;

  // The same lock in another source, built into another store with no credentials given: the
  // download is refused, and the error names the package.
  const std::string lock = nlohmann::json::parse(versions.out)["versions"][0]["inputs"]["lock"];
  work_.write("b/handler.py", echo_handler("b"));
  work_.write("b/pylock.toml", lock);
  auto refused =
      run_builder("build " + shell_quote(work_ / "b") + " --app acme-corp/b --no-compile --base " +
                  shell_quote(base_) + " --store " + shell_quote(work_ / "store2"));
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(
      refused.err.find("idna 3.13: idna-3.13-py3-none-any.whl: downloading http://127.0.0.1:"),
      std::string::npos)
      << refused.err;
  EXPECT_NE(refused.err.find("[UNAUTHENTICATED]"), std::string::npos) << refused.err;
}

TEST_F(DependenciesTest, CommentsOnlyRequirementsBuildWithoutALayer) {
  auto r =
      build(source("a", "\xEF\xBB\xBF# nothing yet\n\n   # indented comment\n"), "acme-corp/a");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_FALSE(j["dependencies"].contains("layer")) << r.out;
}

TEST_F(DependenciesTest, RequirementsAreReadAsPipReadsThem) {
  // Through a symlink inside the tree, with an include: both packages are installed.
  work_.write("s/handler.py", echo_handler("s"));
  work_.write("s/#reqs", "-r more/base.txt\nsix  # pinned below\n");
  work_.write("s/more/base.txt", "idna\n");
  work_.symlink("s/requirements.txt", "#reqs");
  auto r = build(work_ / "s", "acme-corp/s");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["dependencies"]["layer"]["packages"], 2);
}

TEST_F(DependenciesTest, UnresolvableRequirementFails) {
  auto r = build(source("a", "six>=99\n"), "acme-corp/a");
  expect_failed_cleanly(r, "acme-corp/a",
                        {"no version of six satisfies", "six>=99", "[FAILED_PRECONDITION]"});
}

TEST_F(DependenciesTest, MissingWheelFails) {
  work_.write("a/handler.py", echo_handler("m"));
  work_.write("a/pylock.toml",
              "lock-version = \"1.0\"\ncreated-by = \"test\"\n[[packages]]\nname = \"six\"\n"
              "version = \"1.17.0\"\nwheels = [{ name = \"" +
                  std::string(kSixWheel) + "\", path = \"" + (work_ / "gone/") + kSixWheel +
                  "\", hashes = { sha256 = \"" + sha256_hex("x") + "\" } }]\n");
  auto r = build(work_ / "a", "acme-corp/a", "");
  expect_failed_cleanly(r, "acme-corp/a", {"six 1.17.0", "cannot be read", "[NOT_FOUND]"});
}

TEST_F(DependenciesTest, WheelThatDiffersFromTheLockFails) {
  work_.write("a/handler.py", echo_handler("h"));
  work_.write("a/pylock.toml",
              "lock-version = \"1.0\"\ncreated-by = \"test\"\n[[packages]]\nname = \"six\"\n"
              "version = \"1.17.0\"\nwheels = [{ name = \"" +
                  std::string(kSixWheel) + "\", path = \"" + kWheelhouse + "/" + kSixWheel +
                  "\", hashes = { sha256 = \"" + sha256_hex("not six") + "\" } }]\n");
  auto r = build(work_ / "a", "acme-corp/a", "");
  expect_failed_cleanly(r, "acme-corp/a", {"six 1.17.0", "sha256 mismatch", "[DATA_LOSS]"});
  EXPECT_FALSE(std::filesystem::exists(store() + "/cache/installed")) << "something was unpacked";
}

TEST_F(DependenciesTest, SdistOnlyPackageFails) {
  work_.write("links/onlysdist-1.0.tar.gz", "not really an sdist");
  auto r = build(source("a", "onlysdist\n"), "acme-corp/a",
                 "--no-index --find-links " + shell_quote(work_ / "links"));
  expect_failed_cleanly(r, "acme-corp/a",
                        {"onlysdist has no file the target can install",
                         "onlysdist-1.0.tar.gz: an sdist", "[FAILED_PRECONDITION]"});
}

TEST_F(DependenciesTest, WheelForAnotherPlatformFails) {
  std::filesystem::create_directories(work_ / "links");
  std::filesystem::copy_file(kWheelhouse + "/orjson-3.8.3-cp311-cp311-manylinux_2_28_x86_64.whl",
                             work_ / "links/orjson-3.8.3-cp311-cp311-macosx_11_0_arm64.whl");
  auto r = build(source("a", "orjson\n"), "acme-corp/a",
                 "--no-index --find-links " + shell_quote(work_ / "links"));
  expect_failed_cleanly(r, "acme-corp/a",
                        {"orjson has no file the target can install",
                         "orjson-3.8.3-cp311-cp311-macosx_11_0_arm64.whl: a wheel for another "
                         "interpreter or platform",
                         "[FAILED_PRECONDITION]"});
}

TEST_F(DependenciesTest, WheelForAnotherPlatformOnAnIndexFails) {
  std::filesystem::create_directories(work_ / "house");
  std::filesystem::copy_file(kWheelhouse + "/orjson-3.8.3-cp311-cp311-manylinux_2_28_x86_64.whl",
                             work_ / "house/orjson-3.8.3-cp311-cp311-win_amd64.whl");
  IndexServer index({"--wheelhouse", work_ / "house"});
  ASSERT_NE(index.port(), 0);
  auto r = build(source("a", "orjson\n"), "acme-corp/a", "--index-url " + shell_quote(index.simple_url()));
  expect_failed_cleanly(r, "acme-corp/a",
                        {"orjson has no file the target can install",
                         "orjson-3.8.3-cp311-cp311-win_amd64.whl: a wheel for another interpreter or platform",
                         "[FAILED_PRECONDITION]"});
}

TEST_F(DependenciesTest, WheelWhoseRecordLiesFailsUnlessAllowed) {
  // six with one byte more in six.py than its RECORD says.
  std::filesystem::create_directories(work_ / "links");
  std::string out;
  ASSERT_EQ(
      run_command("cd " + shell_quote(work_.path()) + " && timeout 60 /usr/bin/python3 -I -c " +
                      shell_quote("import sys, zipfile\n"
                                  "src = zipfile.ZipFile(sys.argv[1])\n"
                                  "dst = zipfile.ZipFile(sys.argv[2], 'w')\n"
                                  "for i in src.infolist():\n"
                                  "    data = src.read(i)\n"
                                  "    if i.filename == 'six.py': data += b'#'\n"
                                  "    dst.writestr(i, data)\n"
                                  "dst.close()\n") +
                      " " + shell_quote(kWheelhouse + "/" + kSixWheel) + " links/" + kSixWheel,
                  &out),
      0);
  const std::string links = "--no-index --find-links " + shell_quote(work_ / "links");
  auto strict = build(source("a", "six\n"), "acme-corp/a", links);
  expect_failed_cleanly(strict, "acme-corp/a", {"six 1.17.0", "six.py", "RECORD"});

  auto relaxed = build(source("a", "six\n"), "acme-corp/a", links + " --allow-bad-record");
  ASSERT_EQ(relaxed.exit_code, 0) << relaxed.err;
  EXPECT_NE(relaxed.err.find("warning: six 1.17.0"), std::string::npos) << relaxed.err;
  EXPECT_NE(relaxed.err.find("six.py"), std::string::npos) << relaxed.err;
}

}  // namespace
}  // namespace ignite::testing
