// A worker's turn against the real queue and pipeline: a queued draft becomes the app's next
// version, a build whose lease was taken over cannot publish, a requested cancel stops at the
// next stage, and a broken draft fails once for good while a missing source is not retried
// forever. The base is the small synthetic one (no Python): nothing here needs the network.
#include "workers/worker.h"

#include <gtest/gtest.h>

#include <memory>

#include "builder/store/sqlite_build_queue.h"
#include "tests/pipeline/pipeline_testing.h"
#include "tests/testing/temp_dir.h"

namespace ignite::workers {
namespace {

using store::BuildState;

class WorkerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_dir_ = dir_.path() + "/store";
    auto s = pipeline::FunctionStore::open(store_dir_, pipeline::OpenStore::kCreateIfMissing);
    ASSERT_TRUE(s.ok()) << s.status().message();
    store_.emplace(std::move(*s));
    queue_ = open_queue();
    options_.worker_id = "test:1";
    base_ = ignite::testing::make_synthetic_base(dir_.path() + "/base");
    options_.configure = [this](pipeline::BuildRequest& r) {
      r.base = base_;
      r.source_date_epoch = "0";
    };
    options_.open_heartbeat_queue = [this]() -> Result<std::unique_ptr<store::BuildQueue>> {
      return std::unique_ptr<store::BuildQueue>(
          std::make_unique<store::SqliteBuildQueue>(open_queue()));
    };
  }

  store::SqliteBuildQueue open_queue() {
    store::QueueOptions o;
    o.now_ms = [this] { return now_ms_; };
    o.backoff = [](int) { return std::chrono::milliseconds(1000); };
    auto q = store::SqliteBuildQueue::open(store_dir_ + "/ignite.db", o);
    EXPECT_TRUE(q.ok()) << q.status().message();
    return std::move(q).value();
  }

  store::BuildRecord submit(std::string_view source, const char* app = "acme-corp/greet",
                            int max_attempts = 3) {
    auto digest = sources_.put(source);
    EXPECT_TRUE(digest.ok()) << digest.status().message();
    store::SubmitOptions so;
    so.max_attempts = max_attempts;
    auto b =
        queue_->submit(*store::AppId::parse(app), *digest, "", store::BuildPriority::kNormal, so);
    EXPECT_TRUE(b.ok()) << b.status().message();
    return *b;
  }

  Turn turn() {
    auto t = run_one_build(*store_, *queue_, sources_, options_, progress_);
    EXPECT_TRUE(t.ok()) << t.status().message();
    return t.ok() ? *t : Turn{};
  }

  ignite::testing::TempDir dir_;
  std::string store_dir_;
  std::string base_;
  std::optional<pipeline::FunctionStore> store_;
  std::optional<store::SqliteBuildQueue> queue_;
  SourceStore sources_{dir_.path() + "/store"};
  WorkerOptions options_;
  pipeline::NullProgress progress_;
  std::int64_t now_ms_ = 1'700'000'000'000;
};

TEST_F(WorkerTest, AQueuedDraftBecomesTheNextVersion) {
  EXPECT_EQ(turn().outcome, TurnOutcome::kIdle);
  const auto b1 = submit(ignite::testing::echo_handler("one"));
  const auto b2 = submit(ignite::testing::echo_handler("two"));
  Turn t1 = turn();
  ASSERT_EQ(t1.outcome, TurnOutcome::kSucceeded) << t1.error;
  EXPECT_EQ(t1.build->id, b1.id);
  EXPECT_EQ(t1.build->version, 1);
  EXPECT_EQ(t1.build->state, BuildState::kSucceeded);
  EXPECT_FALSE(t1.build->manifest_digest.empty());
  Turn t2 = turn();
  ASSERT_EQ(t2.outcome, TurnOutcome::kSucceeded) << t2.error;
  EXPECT_EQ(t2.build->id, b2.id);
  EXPECT_EQ(t2.build->version, 2);
  EXPECT_EQ(*store_->versions().latest_number(*store::AppId::parse("acme-corp/greet")), 2);
  EXPECT_TRUE(store_->layout().list_refs().ok());

  // Every stage went through the queue, in order.
  auto events = queue_->events(b1.id, 0);
  ASSERT_TRUE(events.ok());
  std::vector<std::string> stages;
  for (const auto& e : *events) {
    if (!e.stage.empty() && (stages.empty() || stages.back() != e.stage)) stages.push_back(e.stage);
  }
  EXPECT_EQ(stages, (std::vector<std::string>{"intake", "layers", "image", "attest", "commit"}));
}

TEST_F(WorkerTest, AWorkerWhoseBuildWasTakenOverCannotPublishIt) {
  const auto b = submit(ignite::testing::echo_handler("stalled"));
  // This worker "stalls" in the image stage: meanwhile its lease expires and another worker
  // takes the build over and publishes it.
  bool taken_over = false;
  options_.open_heartbeat_queue = nullptr;  // no heartbeat: the lease runs out
  auto stalling_queue = open_queue();
  struct Stalling final : pipeline::Progress {
    std::function<void(std::string_view)> on_stage;
    void stage(std::string_view name, std::string_view) override { on_stage(name); }
    void note(std::string_view) override {}
    void done() override {}
  } stalling;
  stalling.on_stage = [&](std::string_view stage) {
    if (stage != "commit" || taken_over) return;
    taken_over = true;
    now_ms_ += 10 * 60 * 1000;  // past the 60 s lease
    WorkerOptions other = options_;
    other.worker_id = "test:2";
    pipeline::NullProgress quiet;
    auto t = run_one_build(*store_, *queue_, sources_, other, quiet);
    ASSERT_TRUE(t.ok()) << t.status().message();
    EXPECT_EQ(t->outcome, TurnOutcome::kSucceeded) << t->error;
    EXPECT_EQ(t->build->version, 1);
  };
  auto t = run_one_build(*store_, stalling_queue, sources_, options_, stalling);
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_TRUE(taken_over);
  EXPECT_EQ(t->outcome, TurnOutcome::kLeaseLost) << t->error;
  EXPECT_NE(t->error.find("lease lost"), std::string::npos) << t->error;
  // One version, the other worker's; this worker's attempt took no number.
  EXPECT_EQ(*store_->versions().latest_number(*store::AppId::parse("acme-corp/greet")), 1);
  auto final_state = queue_->get(b.id);
  ASSERT_TRUE(final_state.ok());
  EXPECT_EQ(final_state->state, BuildState::kSucceeded);
  EXPECT_EQ(final_state->version, 1);
}

TEST_F(WorkerTest, ACancelStopsTheBuildAtTheNextStage) {
  const auto b = submit(ignite::testing::echo_handler("cancel me"));
  struct Cancelling final : pipeline::Progress {
    std::function<void(std::string_view)> on_stage;
    void stage(std::string_view name, std::string_view) override { on_stage(name); }
    void note(std::string_view) override {}
    void done() override {}
  } cancelling;
  cancelling.on_stage = [&](std::string_view stage) {
    if (stage == "layers") {
      ASSERT_TRUE(queue_->request_cancel(b.id).ok());
    }
  };
  auto t = run_one_build(*store_, *queue_, sources_, options_, cancelling);
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_EQ(t->outcome, TurnOutcome::kCancelled) << t->error;
  EXPECT_EQ(t->build->state, BuildState::kCancelled);
  EXPECT_EQ(*store_->versions().latest_number(*store::AppId::parse("acme-corp/greet")), 0);
  // After the commit a cancel is refused with the version's number.
  submit(ignite::testing::echo_handler("published"));
  Turn done = turn();
  ASSERT_EQ(done.outcome, TurnOutcome::kSucceeded) << done.error;
  auto refused = queue_->request_cancel(done.build->id);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), Code::kFailedPrecondition);
  EXPECT_NE(refused.status().message().find("already published as v1"), std::string::npos)
      << refused.status().message();
}

TEST_F(WorkerTest, ABrokenDraftFailsForGoodNamingTheCause) {
  // Not Python's handler contract: intake refuses a source without handler.py... a lone file
  // is handler.py, so an archive without it is the broken draft here.
  const std::string tar_without_handler = ignite::testing::sh(
      "d=$(mktemp -d) && echo 'x = 1' > $d/other.py && tar -C $d -cf - other.py && rm -rf $d");
  const auto b = submit(tar_without_handler);
  Turn t = turn();
  EXPECT_EQ(t.outcome, TurnOutcome::kFailed) << t.error;
  EXPECT_EQ(t.build->state, BuildState::kFailed);
  EXPECT_EQ(t.build->attempts, 1);  // INVALID_ARGUMENT: not retried
  EXPECT_NE(t.build->error.find("handler.py"), std::string::npos) << t.build->error;
  EXPECT_EQ(t.build->id, b.id);
}

TEST_F(WorkerTest, RetryableErrorsAreRetriedThenFail) {
  const auto b = submit(ignite::testing::echo_handler("x"), "acme-corp/greet", 2);
  // The base's registry is unreachable: UNAVAILABLE is retried after the backoff, until the
  // attempts are spent.
  base_ = "127.0.0.1:9/nothing:latest";
  Turn first = turn();
  ASSERT_EQ(first.outcome, TurnOutcome::kRetrying) << first.error;
  EXPECT_NE(first.error.find("127.0.0.1:9"), std::string::npos) << first.error;
  EXPECT_EQ(turn().outcome, TurnOutcome::kIdle);  // still in its backoff
  now_ms_ += 1000;
  Turn second = turn();
  EXPECT_EQ(second.outcome, TurnOutcome::kFailed) << second.error;
  EXPECT_EQ(second.build->attempts, 2);
  EXPECT_EQ(queue_->get(b.id)->state, BuildState::kFailed);
}

TEST_F(WorkerTest, SourcesAreKeptByDigest) {
  auto d = sources_.put("def handler(p, ctx):\n    return p\n");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(*d, "sha256:" + sha256_hex("def handler(p, ctx):\n    return p\n"));
  EXPECT_EQ(*sources_.put("def handler(p, ctx):\n    return p\n"), *d);
  auto p = sources_.path(*d);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(sources_.path("sha256:" + std::string(64, '0')).status().code(), Code::kNotFound);
  EXPECT_EQ(sources_.path("md5:00").status().code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace ignite::workers
