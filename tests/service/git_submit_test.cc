// Builds from git through the service (issue 13, item 1): `submit --server URL --git URL --ref
// REF --subdir D --wait` against a real `serve`, from a repository served over git daemon. The
// worker fetches the ref in a stage of its own and builds the subdir; the build records the
// commit and the tree's codeHash; a ref that does not exist fails once with NOT_FOUND, an
// unreachable server is retried and then fails with UNAVAILABLE, a bad URL is refused at submit.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/git/git_testing.h"
#include "tests/service/serve_process.h"

namespace ignite::git::testing {
namespace {

using ignite::testing::CommandResult;
using ignite::testing::run_builder;
using ignite::testing::run_builder_env;
using ignite::testing::ServeProcess;
using ignite::testing::shell_quote;
using ignite::testing::TempDir;

class GitSubmitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (const std::string missing = missing_git_tools(); !missing.empty()) GTEST_SKIP() << missing;
    const std::string base = ignite::testing::make_synthetic_base(work_ / "base");
    serve_ = std::make_unique<ServeProcess>(
        work_.path(), "serve", "SOURCE_DATE_EPOCH=0",
        "--store " + shell_quote(work_ / "store") + " --base " + shell_quote(base));
    ASSERT_TRUE(serve_->listening()) << serve_->log();
  }

  CommandResult submit(const std::string& args) {
    return run_builder_env(
        "", "submit --server http://127.0.0.1:" + std::to_string(serve_->port()) + " " + args);
  }

  TempDir work_;
  std::unique_ptr<ServeProcess> serve_;
};

TEST_F(GitSubmitTest, ABranchIsFetchedBuiltAndItsCommitRecorded) {
  TestRepo repo(work_ / "repos/fn.git", work_ / "home");
  repo.write("README.md", "not built\n");
  repo.write("fn/handler.py", "def handler(payload, ctx):\n    return {'git': payload}\n");
  const std::string tip = repo.commit("first");
  GitDaemon daemon(work_ / "repos", work_ / "home");
  ASSERT_TRUE(daemon.started());

  CommandResult r = submit("--git " + daemon.url("fn.git") +
                           " --ref main --subdir fn --org acme-corp --app greet --wait -o json");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err << serve_->log();
  const auto build = nlohmann::json::parse(r.out);
  EXPECT_EQ(build["state"], "BUILD_STATE_SUCCEEDED");
  EXPECT_EQ(build["source"], "BUILD_SOURCE_GIT");
  EXPECT_EQ(build["version"], 1);
  EXPECT_EQ(build["sourceCommit"], tip);
  EXPECT_NE(r.err.find("RUNNING  stage fetch"), std::string::npos) << r.err;
  // The codeHash of the subdir's files, as `hash` gives for them on disk.
  CommandResult hash = run_builder("hash " + shell_quote(work_ / "repos/fn.git/fn"));
  ASSERT_EQ(hash.exit_code, 0) << hash.err;
  EXPECT_EQ(build["codeHash"], hash.out.substr(0, hash.out.find_first_of(" \n")));
  // The version records where it came from.
  CommandResult versions =
      run_builder("versions acme-corp/greet -o json --store " + shell_quote(work_ / "store"));
  EXPECT_NE(versions.out.find(tip), std::string::npos) << versions.out;

  // A tag, and then the commit id itself: the same tree, the same codeHash.
  repo.git("tag v1.0");
  CommandResult by_tag =
      submit("--git " + daemon.url("fn.git") +
             " --ref v1.0 --subdir fn --org acme-corp --app greet --wait -o json");
  ASSERT_EQ(by_tag.exit_code, 0) << by_tag.err;
  EXPECT_EQ(nlohmann::json::parse(by_tag.out)["codeHash"], build["codeHash"]);
}

TEST_F(GitSubmitTest, AMissingRefFailsOnceAndAnUnreachableServerIsRetried) {
  TestRepo repo(work_ / "repos/fn.git", work_ / "home");
  repo.write("handler.py", "def handler(payload, ctx):\n    return payload\n");
  repo.commit("first");
  GitDaemon daemon(work_ / "repos", work_ / "home");
  ASSERT_TRUE(daemon.started());

  CommandResult missing = submit("--git " + daemon.url("fn.git") +
                                 " --ref no-such-branch --org acme-corp --app a "
                                 "--wait -o json");
  EXPECT_EQ(missing.exit_code, 1) << missing.err;
  const auto failed = nlohmann::json::parse(missing.out);
  EXPECT_EQ(failed["state"], "BUILD_STATE_FAILED");
  EXPECT_EQ(failed["errorCode"], "NOT_FOUND");
  EXPECT_EQ(failed["attempts"], 1);  // not retried: it will not appear by waiting
  EXPECT_NE(failed["error"].get<std::string>().find("no-such-branch"), std::string::npos)
      << failed.dump();

  const std::string nowhere = "git://127.0.0.1:" + std::to_string(closed_port()) + "/fn.git";
  CommandResult down =
      submit("--git " + nowhere + " --ref main --org acme-corp --app b --wait -o json");
  EXPECT_EQ(down.exit_code, 1) << down.err;
  const auto unreachable = nlohmann::json::parse(down.out);
  EXPECT_EQ(unreachable["errorCode"], "UNAVAILABLE");
  EXPECT_EQ(unreachable["attempts"], 3);  // retried with backoff, then given up
  EXPECT_NE(unreachable["error"].get<std::string>().find(nowhere), std::string::npos)
      << unreachable.dump();

  // Refused at submit, before anything is queued: a scheme the builder does not fetch.
  CommandResult ssh = submit("--git ssh://example.com/x.git --ref main --org acme-corp --app c");
  EXPECT_EQ(ssh.exit_code, 1) << ssh.err;
  EXPECT_NE(ssh.err.find("HTTP 400"), std::string::npos) << ssh.err;
}

}  // namespace
}  // namespace ignite::git::testing
