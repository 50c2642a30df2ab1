// `ignite-builder submit --server URL` (issue 13, item 3) against a real `serve`: the build's
// events streamed to the terminal with --wait, exit 0 on success and 1 with the reason on a
// refusal or a failed build, 2 on usage and transport errors; -o json prints the final build;
// an idempotency key sent again returns the first build.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <fstream>

#include "tests/service/serve_process.h"

namespace ignite::testing {
namespace {

class RemoteSubmitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = make_synthetic_base(dir_ / "base");
    serve_ = std::make_unique<ServeProcess>(
        dir_.path(), "serve", "SOURCE_DATE_EPOCH=0",
        "--store " + shell_quote(dir_ / "store") + " --base " + shell_quote(base_) +
            " --no-index");  // no package index: a draft with requirements fails
    ASSERT_TRUE(serve_->listening()) << serve_->log();
    server_ = "http://127.0.0.1:" + std::to_string(serve_->port());
    std::ofstream(dir_ / "handler.py") << echo_handler("remote");
  }

  CommandResult submit(const std::string& args) {
    return run_builder_env("", "submit --server " + server_ + " " + args);
  }

  TempDir dir_;
  std::string base_;
  std::unique_ptr<ServeProcess> serve_;
  std::string server_;
};

TEST_F(RemoteSubmitTest, WaitStreamsTheEventsAndExitsZeroOnSuccess) {
  const std::string handler = shell_quote(dir_ / "handler.py");
  CommandResult r = submit(handler + " --org acme-corp --app greet --wait");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err << serve_->log();
  EXPECT_NE(r.out.find("acme-corp/greet:v1 sha256:"), std::string::npos) << r.out;
  // Every event, in order, from the first.
  EXPECT_NE(r.err.find("  1 QUEUED"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(" RUNNING  stage layers"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(" SUCCEEDED  published as acme-corp/greet:v1"), std::string::npos) << r.err;

  // -o json: the final build as the API writes it.
  CommandResult j = submit(handler + " --org acme-corp --app greet --wait -o json");
  ASSERT_EQ(j.exit_code, 0) << j.err;
  auto build = nlohmann::json::parse(j.out);
  EXPECT_EQ(build["state"], "BUILD_STATE_SUCCEEDED");
  EXPECT_EQ(build["version"], 2);

  // Without --wait: the build id, at once; the same idempotency key gives the same build.
  CommandResult first = submit(handler + " --org acme-corp --app greet --idempotency-key ci-42");
  CommandResult again = submit(handler + " --org acme-corp --app greet --idempotency-key ci-42");
  ASSERT_EQ(first.exit_code, 0) << first.err;
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(first.out.substr(0, 2), "b-");
  EXPECT_EQ(first.out, again.out);
}

TEST_F(RemoteSubmitTest, RefusalsExitOneAndUsageOrTransportErrorsTwo) {
  const std::string handler = shell_quote(dir_ / "handler.py");
  // A source the server's intake refuses: 1, with the server's status and message.
  std::ofstream(dir_ / "empty.py") << "";
  CommandResult empty =
      submit(shell_quote(dir_ / "empty.py") + " --org acme-corp --app greet --wait");
  EXPECT_EQ(empty.exit_code, 1) << empty.err;
  EXPECT_NE(empty.err.find("the server answered HTTP 400: "), std::string::npos) << empty.err;
  // A build that fails (its requirement cannot be had): 1, with the build's error.
  sh("mkdir -p " + shell_quote(dir_ / "deps") + " && cp " + handler + " " +
     shell_quote(dir_ / "deps") + " && echo no-such-package > " +
     shell_quote(dir_ / "deps/requirements.txt") + " && tar -C " + shell_quote(dir_ / "deps") +
     " -czf " + shell_quote(dir_ / "deps.tar.gz") + " .");
  CommandResult failed =
      submit(shell_quote(dir_ / "deps.tar.gz") + " --org acme-corp --app deps --wait");
  EXPECT_EQ(failed.exit_code, 1) << failed.out << failed.err;
  EXPECT_NE(failed.err.find(" FAILED: "), std::string::npos) << failed.err;
  EXPECT_NE(failed.err.find("no-such-package"), std::string::npos) << failed.err;
  // A bad org name is caught before anything is sent: a usage error, 2, naming it.
  CommandResult bad_org = submit(handler + " --org Acme_Corp --app greet");
  EXPECT_EQ(bad_org.exit_code, 2) << bad_org.err;
  EXPECT_NE(bad_org.err.find("Acme_Corp"), std::string::npos) << bad_org.err;

  // Nobody listening: 2, naming the URL.
  CommandResult down =
      run_builder_env("", "submit --server http://127.0.0.1:1 " + handler + " --org a --app b");
  EXPECT_EQ(down.exit_code, 2) << down.err;
  EXPECT_NE(down.err.find("http://127.0.0.1:1/v1/builds"), std::string::npos) << down.err;
  // Usage: 2.
  EXPECT_EQ(submit("--git file:///x --org a --app b").exit_code, 2);
  EXPECT_EQ(submit(handler + " --ref main --org a --app b").exit_code, 2);
  EXPECT_EQ(submit("--org a --app b").exit_code, 2);
  EXPECT_EQ(
      run_builder_env("", "submit --server ftp://x " + handler + " --org a --app b").exit_code, 2);
  EXPECT_EQ(run_builder_env("", "submit --wait " + handler + " --org a --app b").exit_code, 2);
}

}  // namespace
}  // namespace ignite::testing
