// submit, worker, builds and cancel through the real binary, as a user runs them: drafts are
// checked before they are queued, a worker publishes them in priority order, and the queue's
// refusals reach the user with their reason.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/pipeline/pipeline_testing.h"
#include "tests/testing/temp_dir.h"

namespace ignite::testing {
namespace {

class QueueCommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = shell_quote(dir_ / "store");
    base_ = make_synthetic_base(dir_ / "base");
  }
  std::string write(const std::string& name, const std::string& text) {
    const std::string path = dir_ / name;
    std::ofstream(path) << text;
    return shell_quote(path);
  }
  CommandResult builder(const std::string& args) {
    return run_builder(args + " --store " + store_);
  }
  nlohmann::json builds() {
    CommandResult r = builder("builds -o json");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return nlohmann::json::parse(r.out, nullptr, false);
  }

  TempDir dir_;
  std::string store_;
  std::string base_;
};

TEST_F(QueueCommandsTest, SubmittedDraftsArePublishedByAWorkerPublishFirst) {
  CommandResult a =
      builder("submit " + write("a.py", echo_handler("a")) + " --app acme-corp/greet");
  ASSERT_EQ(a.exit_code, 0) << a.err;
  CommandResult b = builder("submit " + write("b.py", echo_handler("b")) +
                            " --org acme-corp --app greet --publish");
  ASSERT_EQ(b.exit_code, 0) << b.err;
  const std::string id_a = a.out.substr(0, a.out.find('\n'));
  const std::string id_b = b.out.substr(0, b.out.find('\n'));
  EXPECT_TRUE(id_a.starts_with("b-")) << a.out;
  EXPECT_NE(a.err.find("queued acme-corp/greet (codeHash sha256:"), std::string::npos) << a.err;

  CommandResult w = builder("worker --until-idle --quiet --base " + shell_quote(base_));
  ASSERT_EQ(w.exit_code, 0) << w.out << w.err;
  // The --publish build went first.
  EXPECT_NE(w.out.find(id_b + " acme-corp/greet published acme-corp/greet:v1 sha256:"),
            std::string::npos)
      << w.out;
  EXPECT_NE(w.out.find(id_a + " acme-corp/greet published acme-corp/greet:v2 sha256:"),
            std::string::npos)
      << w.out;
  EXPECT_NE(w.err.find("worker idle: 2 published, 0 failed"), std::string::npos) << w.err;

  const nlohmann::json j = builds();
  ASSERT_EQ(j["builds"].size(), 2u) << j.dump();
  for (const auto& build : j["builds"]) {
    EXPECT_EQ(build["state"], "SUCCEEDED") << build.dump();
    EXPECT_EQ(build["attempts"], 1);
  }
  CommandResult v = builder("versions acme-corp/greet -o json");
  ASSERT_EQ(v.exit_code, 0) << v.err;
  EXPECT_EQ(nlohmann::json::parse(v.out)["versions"].size(), 2u);

  // A published build cannot be cancelled; the message names its version.
  CommandResult c = builder("cancel " + id_b);
  EXPECT_EQ(c.exit_code, 1);
  EXPECT_NE(c.err.find("already published as v1"), std::string::npos) << c.err;
  EXPECT_NE(c.err.find("[FAILED_PRECONDITION]"), std::string::npos) << c.err;
}

TEST_F(QueueCommandsTest, ARetriedSubmitWithItsIdempotencyKeyQueuesNothingNew) {
  const std::string a = write("a.py", echo_handler("a"));
  CommandResult first = builder("submit " + a + " --app acme-corp/greet --idempotency-key run-7");
  ASSERT_EQ(first.exit_code, 0) << first.err;
  CommandResult again = builder("submit " + a + " --app acme-corp/greet --idempotency-key run-7");
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(again.out, first.out);  // the same build id
  CommandResult other = builder("submit " + write("b.py", echo_handler("b")) +
                                " --app acme-corp/greet --idempotency-key run-7");
  EXPECT_EQ(other.exit_code, 1);
  EXPECT_NE(other.err.find("was used within 24 h for another request"), std::string::npos)
      << other.err;
  EXPECT_NE(other.err.find("[ALREADY_EXISTS]"), std::string::npos) << other.err;
  EXPECT_EQ(builds()["builds"].size(), 1u);
}

TEST_F(QueueCommandsTest, BadDraftsAreRefusedBeforeAnythingIsKept) {
  // A directory, an archive without handler.py, a missing file: nothing is queued or kept.
  CommandResult d = builder("submit " + shell_quote(dir_.path()) + " --app acme-corp/greet");
  EXPECT_EQ(d.exit_code, 1);
  EXPECT_NE(d.err.find("a directory is not kept as it is"), std::string::npos) << d.err;
  const std::string tar = dir_ / "no-handler.tar";
  sh("d=$(mktemp -d) && echo 'x = 1' > $d/other.py && tar -C $d -cf " + shell_quote(tar) +
     " other.py && rm -rf $d");
  CommandResult t = builder("submit " + shell_quote(tar) + " --app acme-corp/greet");
  EXPECT_EQ(t.exit_code, 1);
  EXPECT_NE(t.err.find("handler.py"), std::string::npos) << t.err;
  CommandResult m =
      builder("submit " + shell_quote(dir_ / "missing.py") + " --app acme-corp/greet");
  EXPECT_EQ(m.exit_code, 1);
  EXPECT_NE(m.err.find("missing.py"), std::string::npos) << m.err;
  CommandResult u = builder("submit " + write("h.py", echo_handler("x")));
  EXPECT_EQ(u.exit_code, 2) << u.err;  // no app: a usage error
  EXPECT_EQ(sh("ls -A " + shell_quote(dir_ / "store") + " 2>/dev/null || true"), "");
  CommandResult none = builder("builds");
  EXPECT_NE(none.exit_code, 0);  // nothing was ever kept: no database
  EXPECT_NE(none.err.find("no database"), std::string::npos) << none.err;
}

TEST_F(QueueCommandsTest, AQueuedBuildIsCancelledAtOnceAndAFailingOneReportsWhy) {
  CommandResult a =
      builder("submit " + write("a.py", echo_handler("a")) + " --app acme-corp/greet");
  ASSERT_EQ(a.exit_code, 0) << a.err;
  const std::string id = a.out.substr(0, a.out.find('\n'));
  CommandResult c = builder("cancel " + id);
  ASSERT_EQ(c.exit_code, 0) << c.err;
  EXPECT_EQ(c.out, id + " cancelled\n");
  CommandResult again = builder("cancel " + id);
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("already ended as CANCELLED"), std::string::npos) << again.err;

  // A base that is not there fails the build for good (NOT_FOUND is not retried).
  CommandResult b =
      builder("submit " + write("b.py", echo_handler("b")) + " --app acme-corp/greet");
  ASSERT_EQ(b.exit_code, 0) << b.err;
  CommandResult w =
      builder("worker --until-idle --quiet --base " + shell_quote(dir_ / "nothing") + ":none");
  EXPECT_EQ(w.exit_code, 1) << w.out << w.err;
  EXPECT_NE(w.out.find(" failed: "), std::string::npos) << w.out;
  EXPECT_NE(w.err.find("0 published, 1 failed"), std::string::npos) << w.err;
  const nlohmann::json j = builds();
  ASSERT_EQ(j["builds"].size(), 2u);
  EXPECT_EQ(j["builds"][0]["state"], "FAILED");
  EXPECT_NE(j["builds"][0]["error"].get<std::string>().find("nothing"), std::string::npos)
      << j.dump();
  EXPECT_EQ(j["builds"][1]["state"], "CANCELLED");
}

}  // namespace
}  // namespace ignite::testing
