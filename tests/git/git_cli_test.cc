// `ignite-builder build --git`, through the real binary: the version records the commit, the
// image carries the source and revision labels, and errors and retries show on stderr.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "builder/util/file_io.h"
#include "tests/git/git_testing.h"
#include "tests/pipeline/pipeline_testing.h"

namespace ignite::git::testing {
namespace {

using ignite::testing::CommandResult;
using ignite::testing::run_builder;
using ignite::testing::shell_quote;
using ignite::testing::TempDir;

const std::string kHandler = "def handler(payload, ctx):\n    return payload\n";

nlohmann::json json_of(const CommandResult& r) {
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return nlohmann::json::parse(r.out, nullptr, false);
}

// The image config's labels of `manifest_digest` in the store's layout.
nlohmann::json labels_of(const std::string& store, const std::string& manifest_digest) {
  auto blob = [&](const std::string& digest) {
    auto data = read_file(store + "/oci/blobs/sha256/" + digest.substr(7));
    EXPECT_TRUE(data.ok()) << data.status().to_string();
    return nlohmann::json::parse(data.ok() ? *data : "{}");
  };
  const nlohmann::json manifest = blob(manifest_digest);
  return blob(manifest["config"]["digest"].get<std::string>())["config"]["Labels"];
}

class GitCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (const std::string missing = missing_git_tools(); !missing.empty()) GTEST_SKIP() << missing;
    base_ = ignite::testing::make_synthetic_base(work_ / "base");
    store_ = work_ / "store";
  }
  std::string common() const {
    return " --org acme-corp --base " + shell_quote(base_) + " --store " + shell_quote(store_);
  }

  TempDir work_;
  std::string base_, store_;
};

TEST_F(GitCliTest, BuildRecordsTheCommitAndLabelsTheImage) {
  TestRepo repo(work_ / "repo", work_ / "home");
  repo.write("README.md", "top\n");
  repo.write("fn/handler.py", kHandler);
  const std::string tip = repo.commit("one");
  const std::string url = "file://" + work_ / "repo";

  const nlohmann::json built =
      json_of(run_builder("build --git " + shell_quote(url) +
                          " --ref main --subdir fn --app greet -o json" + common()));
  ASSERT_TRUE(built.is_object());
  EXPECT_EQ(built["source"]["git"],
            (nlohmann::json{{"url", url}, {"ref", "main"}, {"commit", tip}, {"subdir", "fn"}}));

  const nlohmann::json versions =
      json_of(run_builder("versions acme-corp/greet -o json --store " + shell_quote(store_)));
  ASSERT_EQ(versions["versions"].size(), 1u);
  EXPECT_EQ(versions["versions"][0]["inputs"]["source"]["git"]["commit"], tip);
  EXPECT_EQ(versions["versions"][0]["inputs"]["source"]["git"]["url"], url);

  const nlohmann::json labels = labels_of(store_, built["digest"].get<std::string>());
  EXPECT_EQ(labels["org.opencontainers.image.source"], url);
  EXPECT_EQ(labels["org.opencontainers.image.revision"], tip);

  // The same files as a directory: the same codeHash, and no source labels.
  TempDir plain;
  plain.write("handler.py", kHandler);
  const nlohmann::json from_dir = json_of(
      run_builder("build " + shell_quote(plain.path()) + " --app plain -o json" + common()));
  EXPECT_EQ(from_dir["codeHash"], built["codeHash"]);
  EXPECT_FALSE(from_dir.contains("source"));
  EXPECT_FALSE(labels_of(store_, from_dir["digest"].get<std::string>())
                   .contains("org.opencontainers.image.source"));

  // Text output names the source in one line; the scratch tree is gone afterwards.
  const CommandResult text = run_builder("build --git " + shell_quote(url) +
                                         " --ref main --subdir fn --app greet" + common());
  EXPECT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("source     " + url + " (fn) main @ " + tip + "\n"), std::string::npos)
      << text.out;
  std::string left;
  ignite::testing::run_command("ls -A " + shell_quote(store_ + "/tmp"), &left);
  EXPECT_EQ(left, "");
}

TEST_F(GitCliTest, UnknownRefFailsWithNotFound) {
  TestRepo repo(work_ / "repo", work_ / "home");
  repo.write("handler.py", kHandler);
  repo.commit("one");
  const std::string url = "file://" + work_ / "repo";
  const CommandResult r =
      run_builder("build --git " + shell_quote(url) + " --ref nope --app greet" + common());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("git: ref 'nope' not found in " + url + " (branches: main) [NOT_FOUND]"),
            std::string::npos)
      << r.err;
}

TEST_F(GitCliTest, UnreachableServerIsRetriedThenUnavailable) {
  const std::string url = "git://127.0.0.1:" + std::to_string(closed_port()) + "/app";
  const CommandResult r =
      run_builder("build --git " + shell_quote(url) + " --ref main --app greet" + common());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("ignite-builder: git: connecting to " + url), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("(attempt 2 of 5)"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("gave up after 5 attempts: git: connecting to " + url), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("[UNAVAILABLE]"), std::string::npos) << r.err;
}

TEST_F(GitCliTest, UsageErrors) {
  EXPECT_EQ(run_builder("build --git file:///x --app greet" + common()).exit_code, 2);
  EXPECT_EQ(run_builder("build some/dir --ref main --app greet" + common()).exit_code, 2);
  EXPECT_EQ(
      run_builder("build some/dir --git file:///x --ref main --app greet" + common()).exit_code, 2);
  const CommandResult ssh = run_builder("build --git ssh://h/x --ref main --app greet" + common());
  EXPECT_EQ(ssh.exit_code, 1);
  EXPECT_NE(ssh.err.find("ssh is not supported"), std::string::npos) << ssh.err;
}

}  // namespace
}  // namespace ignite::git::testing
