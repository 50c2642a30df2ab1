// Workers publishing to a real docker-registry (docs/publish-lock.md): the registry's tag is set
// outside every store transaction, so a publication stalled at its tag holds up no other app's
// commit, and a worker that lost its leases after its intent cannot record the version, which the
// next worker completes (rolls forward) instead of publishing a second one.
#include <gtest/gtest.h>

#include <memory>

#include "builder/store/sqlite_build_queue.h"
#include "tests/pipeline/pipeline_testing.h"
#include "tests/registry/registry_servers.h"
#include "tests/testing/temp_dir.h"
#include "workers/worker.h"

namespace ignite::workers {
namespace {

using store::BuildState;

// Calls `on_tag` when a publication reaches its tag (after its transaction A committed the
// intent, just before the registry's PUT), once.
struct AtTheTag final : pipeline::Progress {
  std::function<void(std::string_view)> on_tag;
  bool fired = false;
  void stage(std::string_view name, std::string_view detail) override {
    if (name != "tag" || fired) return;
    fired = true;
    on_tag(detail);
  }
  void note(std::string_view) override {}
  void done() override {}
};

class WorkerRegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_dir_ = dir_.path() + "/store";
    auto s = pipeline::FunctionStore::open(store_dir_, pipeline::OpenStore::kCreateIfMissing);
    ASSERT_TRUE(s.ok()) << s.status().message();
    store_.emplace(std::move(*s));
    queue_.emplace(open_queue());
    options_.worker_id = "test:1";
    base_ = ignite::testing::make_synthetic_base(dir_.path() + "/base");
    options_.configure = [this](pipeline::BuildRequest& r) {
      r.base = base_;
      r.source_date_epoch = "0";
      r.registry = pipeline::RegistryTarget{registry_.host(), "",
                                            pipeline::PlainHttp::kLoopbackOnly, std::nullopt};
      // The lock's lease on the test's clock, never renewed: a stalled holder loses it when the
      // test moves the clock on, as a SIGSTOPped one would.
      r.publish_lock.now_ms = [this] { return now_ms_; };
      r.publish_lock.renew_every = std::chrono::milliseconds(0);
    };
  }

  store::SqliteBuildQueue open_queue() {
    store::QueueOptions o;
    o.now_ms = [this] { return now_ms_; };
    auto q = store::SqliteBuildQueue::open(store_dir_ + "/ignite.db", o);
    EXPECT_TRUE(q.ok()) << q.status().message();
    return std::move(q).value();
  }

  store::BuildRecord submit(std::string_view source, const char* app) {
    auto digest = sources_.put(source);
    EXPECT_TRUE(digest.ok()) << digest.status().message();
    auto b =
        queue_->submit(*store::AppId::parse(app), *digest, "", store::BuildPriority::kNormal, {});
    EXPECT_TRUE(b.ok()) << b.status().message();
    return *b;
  }

  std::string remote_digest(const std::string& repo_tag) {
    std::string out;
    ignite::testing::run_command(
        "skopeo inspect --tls-verify=false --format '{{.Digest}}' docker://" + registry_.host() +
            "/" + repo_tag + " 2>/dev/null",
        &out);
    return out.empty() ? "" : out.substr(0, out.find('\n'));
  }

  ignite::testing::TempDir dir_;
  registry::testing::RegistryServer registry_{registry::testing::RegistryConfig{}};
  std::string store_dir_;
  std::string base_;
  std::optional<pipeline::FunctionStore> store_;
  std::optional<store::SqliteBuildQueue> queue_;
  SourceStore sources_{dir_.path() + "/store"};
  WorkerOptions options_;
  std::int64_t now_ms_ = 1'700'000'000'000;
};

// App "slow" stops at its tag, after its intent: in the old design it was inside the store's
// write transaction there, and every other commit waited for it. Now app "other" is built,
// tagged and committed from start to end meanwhile (on the same thread, so "meanwhile" is
// certain), and then "slow" finishes as v1 of its own.
TEST_F(WorkerRegistryTest, APublicationStalledAtItsTagHoldsUpNoOtherAppsCommit) {
  const auto slow = submit(ignite::testing::echo_handler("slow"), "acme-corp/slow");
  const auto other = submit(ignite::testing::echo_handler("other"), "acme-corp/other");
  auto slow_queue = open_queue();
  std::optional<Turn> other_turn;
  AtTheTag stalled;
  stalled.on_tag = [&](std::string_view) {
    // acme-corp/slow holds its publish lock and its intent v1; its tag is not set yet.
    auto intent = store_->versions().publish_intent(*store::AppId::parse("acme-corp/slow"));
    ASSERT_TRUE(intent.ok() && intent->has_value());
    EXPECT_EQ((*intent)->record.number, 1);
    EXPECT_EQ(remote_digest("acme-corp/slow:v1"), "");
    WorkerOptions second = options_;
    second.worker_id = "test:2";
    pipeline::NullProgress quiet;
    auto t = run_one_build(*store_, *queue_, sources_, second, quiet);
    ASSERT_TRUE(t.ok()) << t.status().message();
    other_turn = *t;
  };
  auto t = run_one_build(*store_, slow_queue, sources_, options_, stalled);
  ASSERT_TRUE(t.ok()) << t.status().message();
  ASSERT_TRUE(stalled.fired);
  ASSERT_TRUE(other_turn.has_value());
  EXPECT_EQ(other_turn->outcome, TurnOutcome::kSucceeded) << other_turn->error;
  EXPECT_EQ(other_turn->build->id, other.id);
  EXPECT_EQ(other_turn->build->version, 1);
  EXPECT_EQ(t->outcome, TurnOutcome::kSucceeded) << t->error;
  EXPECT_EQ(t->build->id, slow.id);
  EXPECT_EQ(t->build->version, 1);
  EXPECT_EQ(remote_digest("acme-corp/other:v1"), other_turn->build->manifest_digest);
  EXPECT_EQ(remote_digest("acme-corp/slow:v1"), t->build->manifest_digest);
  auto left = store_->versions().publish_intent(*store::AppId::parse("acme-corp/slow"));
  ASSERT_TRUE(left.ok());
  EXPECT_FALSE(left->has_value());
}

// The worker stalls after its intent, before its tag; its build lease and its publish lock
// expire. Another worker claims the build, finds the intent under the app's lock and rolls it
// forward: tag v1 with the intent's image, v1 recorded, the build SUCCEEDED. The stalled worker
// then wakes up, sets the same tag (a no-op) and fails the fence of its transaction B: one
// version, no second publication, no gap.
TEST_F(WorkerRegistryTest,
       AWorkerThatLostItsLeaseAfterItsIntentCannotRecordAndTheTakeoverRollsForward) {
  const auto b = submit(ignite::testing::echo_handler("stalled"), "acme-corp/greet");
  auto stalling_queue = open_queue();
  std::optional<Turn> takeover;
  AtTheTag stalled;
  stalled.on_tag = [&](std::string_view) {
    now_ms_ += 10 * 60 * 1000;  // past the build's lease and the app lock's
    WorkerOptions other = options_;
    other.worker_id = "test:2";
    pipeline::NullProgress quiet;
    auto t = run_one_build(*store_, *queue_, sources_, other, quiet);
    ASSERT_TRUE(t.ok()) << t.status().message();
    takeover = *t;
  };
  auto t = run_one_build(*store_, stalling_queue, sources_, options_, stalled);
  ASSERT_TRUE(t.ok()) << t.status().message();
  ASSERT_TRUE(takeover.has_value());
  EXPECT_EQ(takeover->outcome, TurnOutcome::kSucceeded) << takeover->error;
  EXPECT_EQ(takeover->build->version, 1);
  EXPECT_EQ(t->outcome, TurnOutcome::kLeaseLost) << t->error;
  EXPECT_NE(t->error.find("lease lost"), std::string::npos) << t->error;

  const auto app = *store::AppId::parse("acme-corp/greet");
  EXPECT_EQ(*store_->versions().latest_number(app), 1);
  auto recorded = store_->versions().versions(app);
  ASSERT_TRUE(recorded.ok());
  EXPECT_NE((*recorded)[0].inputs.find("recovered"), std::string::npos);
  EXPECT_EQ(remote_digest("acme-corp/greet:v1"), (*recorded)[0].manifest_digest);
  EXPECT_EQ(remote_digest("acme-corp/greet:v2"), "");
  auto final_state = queue_->get(b.id);
  ASSERT_TRUE(final_state.ok());
  EXPECT_EQ(final_state->state, BuildState::kSucceeded);
  EXPECT_EQ(final_state->version, 1);
  auto left = store_->versions().publish_intent(app);
  ASSERT_TRUE(left.ok());
  EXPECT_FALSE(left->has_value());
}

// A cancel requested after the intent no longer stops the build: its tag may be set, and a
// version whose tag is set is recorded, never abandoned (a cancel before the intent is refused
// by the queue's fence in transaction A and takes no number: WorkerTest's cancel).
TEST_F(WorkerRegistryTest, ACancelAfterTheIntentDoesNotAbandonTheTag) {
  const auto b = submit(ignite::testing::echo_handler("late cancel"), "acme-corp/greet");
  AtTheTag at_tag;
  at_tag.on_tag = [&](std::string_view) {
    auto c = queue_->request_cancel(b.id);
    ASSERT_TRUE(c.ok()) << c.status().message();
  };
  auto worker_queue = open_queue();
  auto t = run_one_build(*store_, worker_queue, sources_, options_, at_tag);
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_EQ(t->outcome, TurnOutcome::kSucceeded) << t->error;
  EXPECT_EQ(t->build->version, 1);
  EXPECT_EQ(remote_digest("acme-corp/greet:v1"), t->build->manifest_digest);
}

}  // namespace
}  // namespace ignite::workers
