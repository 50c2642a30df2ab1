// Nothing lost when the server dies (issue 12, item 5; issue 13, item 7): `ignite-builder serve`
// is killed with SIGKILL after each stage of a build in turn (IGNITE_FAULT=kill-after:<stage>),
// then started again on the same store. Every build it accepted before it died finishes exactly
// once, the app's numbers are gapless, the store checks clean, and the deploy flow goes on. And
// the control plane's receiver, which checks every signature and was down from before the kill
// until after the restart, has every event of every build, in order.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "builder/store/sqlite_build_queue.h"
#include "dodil/ignite/builder/v1/build.pb.h"
#include "dodil/ignite/v1/compute.pb.h"
#include "tests/events/event_receiver.h"
#include "tests/service/api_testing.h"
#include "tests/service/serve_process.h"

namespace ignite::service {
namespace {

namespace v1 = dodil::ignite::v1;
namespace bv1 = dodil::ignite::builder::v1;
using ignite::testing::ServeProcess;
using ignite::testing::sh;
using ignite::testing::shell_quote;

class ServeCrashTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ServeCrashTest, EveryAcceptedBuildFinishesOnceAfterARestart) {
  const std::string stage = GetParam();
  ignite::testing::TempDir dir;
  const std::string base = ignite::testing::make_synthetic_base(dir.path() + "/base");
  const std::string store_and_base =
      "--store " + shell_quote(dir.path() + "/store") + " --base " + shell_quote(base);
  // Every server sends its events to the receiver, from the first request on.
  const std::string secret = "crash-test-secret";
  ignite::testing::EventReceiver receiver(secret);
  sh("printf %s " + shell_quote(secret) + " > " + shell_quote(dir.path() + "/secret"));
  const std::string events = " --events-url " + receiver.url() + " --events-secret-file " +
                             shell_quote(dir.path() + "/secret");
  const std::string args = store_and_base + " --workers 1 --lease 5" + events;

  // 1. Requests accepted (answered 200) by a server without workers: a draft and three builds.
  std::vector<std::string> accepted;  // version builds
  std::string draft_build;
  {
    ServeProcess taking(dir.path(), "taking", "SOURCE_DATE_EPOCH=0",
                        store_and_base + " --workers 0" + events);
    ASSERT_TRUE(taking.listening()) << taking.log();
    auto made = taking.post("/v1/ignite/app/acme-corp", R"({"name": "greet"})");
    ASSERT_EQ(made.status, 200) << made.body;
    // The draft first, the oldest: it is built first, and its build stops after "image", so the
    // later stages kill a version build.
    auto saved = taking.post("/v1/ignite/app/acme-corp/greet/draft",
                             draft_json(ignite::testing::echo_handler("draft")));
    ASSERT_EQ(saved.status, 200) << saved.body;
    draft_build = parsed<v1::SaveDraftResponse>(saved.body).draft().build_id();
    for (int i = 0; i < 3; ++i) {
      auto r = taking.post(
          "/v1/builds", submit_json("acme-corp/greet",
                                    ignite::testing::echo_handler("build " + std::to_string(i))));
      ASSERT_EQ(r.status, 200) << r.body;
      accepted.push_back(parsed<bv1::Build>(r.body).id());
    }
    taking.signal("TERM");
    ASSERT_EQ(taking.wait(60), "0\n") << taking.log();
  }

  // The receiver is down from here until the server has been started again.
  receiver.down();
  // 2. A server with a worker, killed by the fault at the first build that passes the stage.
  // Requests that come while it dies may be recorded without an answer: step 3 counts every
  // build the store holds, not only the answered ones.
  {
    ServeProcess dying(dir.path(), "dying", "SOURCE_DATE_EPOCH=0 IGNITE_FAULT=kill-after:" + stage,
                       args);
    for (int i = 0; i < 2 && dying.listening(); ++i) {
      auto r = dying.post("/v1/builds",
                          submit_json("acme-corp/greet",
                                      ignite::testing::echo_handler("late " + std::to_string(i))));
      if (r.status == 200) accepted.push_back(parsed<bv1::Build>(r.body).id());
    }
    EXPECT_EQ(dying.wait(120), "137\n") << "stage " << stage << ": " << dying.log();
  }

  // 3. Started again: every build finishes, once.
  ServeProcess again(dir.path(), "again", "SOURCE_DATE_EPOCH=0", args);
  ASSERT_TRUE(again.listening()) << again.log();
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  receiver.up();
  // Every build the store holds: the accepted ones, and any the server recorded but died before
  // answering. The killed build's lease (5 s) runs out before it is taken up again.
  bv1::ListBuildsResponse builds;
  const auto finished = [](const bv1::Build& b) {
    return b.state() == bv1::BUILD_STATE_SUCCEEDED || b.state() == bv1::BUILD_STATE_FAILED ||
           b.state() == bv1::BUILD_STATE_CANCELLED;
  };
  for (int i = 0; i < 1200; ++i) {
    auto r = again.get("/v1/builds?pageSize=500");
    ASSERT_EQ(r.status, 200) << r.body;
    builds = parsed<bv1::ListBuildsResponse>(r.body);
    if (std::all_of(builds.builds().begin(), builds.builds().end(), finished)) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  std::map<std::string, bv1::Build> by_id;
  for (const auto& b : builds.builds()) by_id[b.id()] = b;
  for (const auto& id : accepted) {
    EXPECT_TRUE(by_id.count(id)) << "accepted build " << id << " lost";
  }
  if (!draft_build.empty()) {
    EXPECT_TRUE(by_id.count(draft_build)) << "draft build lost";
  }

  // Each build succeeded once: a version build with its own number, the numbers 1..k; the draft
  // build with none.
  std::set<std::uint32_t> numbers;
  std::size_t version_builds = 0;
  for (const auto& [id, b] : by_id) {
    EXPECT_EQ(b.state(), bv1::BUILD_STATE_SUCCEEDED) << id << ": " << b.error() << again.log();
    if (b.kind() == bv1::BUILD_KIND_DRAFT) {
      EXPECT_EQ(b.version(), 0u);
      continue;
    }
    ++version_builds;
    EXPECT_TRUE(numbers.insert(b.version()).second) << "version " << b.version() << " twice";
  }
  auto listed = again.get("/v1/apps/acme-corp/greet/versions");
  if (version_builds == 0) {
    EXPECT_EQ(listed.status, 404) << listed.body;  // the draft alone: no version yet
  } else {
    auto versions = parsed<bv1::ListVersionsResponse>(listed.body);
    ASSERT_EQ(versions.versions_size(), static_cast<int>(version_builds));
    for (int i = 0; i < versions.versions_size(); ++i) {
      EXPECT_EQ(versions.versions(i).number(), static_cast<std::uint32_t>(i + 1));
      EXPECT_TRUE(numbers.count(i + 1));
    }
  }

  // The flow goes on: the draft publishes as the next number.
  if (!draft_build.empty()) {
    auto published = again.post("/v1/ignite/app/acme-corp/greet/draft/publish", "{}");
    ASSERT_EQ(published.status, 200) << published.body;
    EXPECT_EQ(parsed<v1::PublishDraftResponse>(published.body).published_version(),
              version_builds + 1);
  }
  // Every event of every build reaches the receiver, in order, each once taken.
  auto queue = store::SqliteBuildQueue::open(dir.path() + "/store/ignite.db");
  ASSERT_TRUE(queue.ok()) << queue.status().to_string();
  std::map<std::string, std::size_t> recorded;
  store::BuildFilter every;
  every.page_size = 500;
  auto all = queue->list(every);
  ASSERT_TRUE(all.ok());
  for (const auto& b : all->builds) recorded[b.id] = queue->events(b.id, 0)->size();
  const auto all_received = [&] {
    const auto got = receiver.builds();
    for (const auto& [id, n] : recorded) {
      if (!got.count(id) || got.at(id).size() != n) return false;
    }
    return true;
  };
  for (int i = 0; i < 600 && !all_received(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(all_received()) << receiver.taken() << " events taken; " << again.log();
  EXPECT_GE(receiver.builds().size(), 5u);  // the draft's build and at least four others
  EXPECT_TRUE(receiver.out_of_order().empty()) << receiver.out_of_order().front();
  EXPECT_EQ(receiver.bad_signatures(), 0u);
  for (const auto& [id, events_of_build] : receiver.builds()) {
    EXPECT_TRUE(recorded.count(id)) << "an event of a build the store does not hold: " << id;
    for (std::size_t i = 0; i < events_of_build.size(); ++i) {
      EXPECT_EQ(events_of_build[i].event.sequence(), i + 1) << id;
    }
  }

  again.signal("TERM");
  EXPECT_EQ(again.wait(60), "0\n") << again.log();
  // Every ref set, no stray intent, nothing half-written.
  auto check = ignite::testing::run_builder_env(
      "", "store check --store " + shell_quote(dir.path() + "/store"));
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
}

// The stages a code-only build passes (builder/pipeline/build_function.h): intake to image are
// the draft build's too; tag is just before the commit, inside its transaction; commit and ref
// come after the version is recorded.
INSTANTIATE_TEST_SUITE_P(Stages, ServeCrashTest,
                         ::testing::Values("intake", "base", "layers", "image", "attest", "tag",
                                           "commit", "ref"),
                         [](const auto& p) { return p.param; });

}  // namespace
}  // namespace ignite::service
