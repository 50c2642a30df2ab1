// What a worker's queue hooks (workers/queue_hooks.h) record of a committed version: its SBOM and
// provenance digests reach the build and its SUCCEEDED event, through each store path the
// pipeline commits by (the one transaction without a registry; an intent and its version with
// one, the build's own or one rolled forward by another build's worker). The pipeline's part
// (which digests a version gets) is its own; here a VersionRecord that has them goes through the
// same calls the pipeline makes (version_commit.cc), with the hooks a worker hands it.
#include "workers/queue_hooks.h"

#include <gtest/gtest.h>

#include "builder/pipeline/version_commit.h"
#include "builder/store/sqlite_build_queue.h"
#include "tests/pipeline/pipeline_testing.h"
#include "tests/testing/temp_dir.h"
#include "workers/worker.h"

namespace ignite::workers {
namespace {

using store::BuildState;

const std::string kSbom = "sha256:" + std::string(64, 'a');
const std::string kProvenance = "sha256:" + std::string(64, 'f');

class QueueHooksTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_dir_ = dir_.path() + "/store";
    auto s = pipeline::FunctionStore::open(store_dir_, pipeline::OpenStore::kCreateIfMissing);
    ASSERT_TRUE(s.ok()) << s.status().message();
    store_.emplace(std::move(*s));
    store::QueueOptions o;
    o.now_ms = [this] { return now_ms_; };
    auto q = store::SqliteBuildQueue::open(store_dir_ + "/ignite.db", o);
    ASSERT_TRUE(q.ok()) << q.status().message();
    queue_.emplace(std::move(*q));
  }

  store::BuildRecord submit(std::string_view source) {
    auto digest = sources_.put(source);
    EXPECT_TRUE(digest.ok()) << digest.status().message();
    auto b = queue_->submit(app_, *digest, "", store::BuildPriority::kNormal, {});
    EXPECT_TRUE(b.ok()) << b.status().message();
    return *b;
  }

  store::Claim claim(const store::BuildRecord& expected) {
    auto c = queue_->claim("test:1", std::chrono::seconds(60));
    EXPECT_TRUE(c.ok() && c->has_value()) << (c.ok() ? "nothing to claim" : c.status().message());
    if (!c.ok() || !c->has_value()) return store::Claim{expected, 0};
    EXPECT_EQ((*c)->build.id, expected.id);
    return **c;
  }

  // A version's record as the pipeline makes it, with an SBOM and a provenance.
  static store::VersionRecord attested(const std::string& manifest) {
    store::VersionRecord r;
    r.manifest_digest = manifest;
    r.code_hash = "sha256:" + std::string(64, 'c');
    r.base_digest = "sha256:" + std::string(64, 'b');
    r.inputs = "{}";
    r.sbom_digest = kSbom;
    r.provenance_digest = kProvenance;
    return r;
  }

  static pipeline::CommitFences fences(const pipeline::BuildHooks& hooks) {
    return pipeline::CommitFences{
        hooks.before_commit, hooks.before_intent, hooks.on_published, hooks.build_id, {}};
  }

  // The build as recorded, and its last event: what GetBuild and the control plane are told.
  void expect_attested(const std::string& id, std::int64_t version) {
    auto b = queue_->get(id);
    ASSERT_TRUE(b.ok()) << b.status().message();
    EXPECT_EQ(b->state, BuildState::kSucceeded);
    EXPECT_EQ(b->version, version);
    EXPECT_EQ(b->sbom_digest, kSbom);
    EXPECT_EQ(b->provenance_digest, kProvenance);
    auto events = queue_->events(id, 0);
    ASSERT_TRUE(events.ok() && !events->empty());
    const store::BuildEvent& last = events->back();
    EXPECT_EQ(last.state, BuildState::kSucceeded);
    EXPECT_EQ(last.version, version);
    EXPECT_EQ(last.sbom_digest, kSbom);
    EXPECT_EQ(last.provenance_digest, kProvenance);
    for (std::size_t i = 0; i + 1 < events->size(); ++i) {
      EXPECT_EQ((*events)[i].sbom_digest, "") << "event " << (*events)[i].sequence;
    }
  }

  ignite::testing::TempDir dir_;
  std::string store_dir_;
  std::optional<pipeline::FunctionStore> store_;
  std::optional<store::SqliteBuildQueue> queue_;
  SourceStore sources_{dir_.path() + "/store"};
  const store::AppId app_ = *store::AppId::parse("acme-corp/greet");
  std::int64_t now_ms_ = 1'700'000'000'000;
};

// Without a registry: the pipeline's one transaction (commit_version_with_ref), fenced by the
// hooks. The image is a real one, built by a worker's turn first (v1); v2 publishes it again.
TEST_F(QueueHooksTest, TheCommitWithoutARegistryGivesTheBuildItsVersionsDigests) {
  const std::string base = ignite::testing::make_synthetic_base(dir_.path() + "/base");
  WorkerOptions options;
  options.worker_id = "test:0";
  options.configure = [&](pipeline::BuildRequest& r) {
    r.base = base;
    r.source_date_epoch = "0";
  };
  submit(ignite::testing::echo_handler("one"));
  pipeline::NullProgress quiet;
  auto first = run_one_build(*store_, *queue_, sources_, options, quiet);
  ASSERT_TRUE(first.ok()) << first.status().message();
  ASSERT_EQ(first->outcome, TurnOutcome::kSucceeded) << first->error;
  // Whatever the pipeline gave v1, its build says the same.
  auto v1 = store_->versions().versions(app_);
  ASSERT_TRUE(v1.ok() && v1->size() == 1u);
  EXPECT_EQ(first->build->sbom_digest, (*v1)[0].sbom_digest);
  EXPECT_EQ(first->build->provenance_digest, (*v1)[0].provenance_digest);

  const auto b = submit(ignite::testing::echo_handler("two"));
  const store::Claim c = claim(b);
  const pipeline::BuildHooks hooks = queue_hooks(*queue_, c.build.id, c.epoch, "");
  auto manifest = pipeline::stored_manifest_descriptor(store_->layout(), (*v1)[0].manifest_digest);
  ASSERT_TRUE(manifest.ok()) << manifest.status().message();
  auto committed = pipeline::commit_version_with_ref(
      *store_, app_, attested((*v1)[0].manifest_digest), *manifest, nullptr, fences(hooks));
  ASSERT_TRUE(committed.ok()) << committed.status().message();
  EXPECT_EQ(committed->version, 2);
  expect_attested(b.id, 2);
  EXPECT_EQ(store_->versions().versions(app_)->at(1).sbom_digest, kSbom);
}

// With a registry, the build's own publication: transaction A (the intent, fenced by
// before_intent), then B (the version, on_published), as publish_to_registry makes them.
TEST_F(QueueHooksTest, AnIntentRecordedAsAVersionGivesItsBuildTheDigests) {
  const auto b = submit(ignite::testing::echo_handler("one"));
  const store::Claim c = claim(b);
  const pipeline::BuildHooks hooks = queue_hooks(*queue_, c.build.id, c.epoch, "");
  auto lock = store_->versions().take_publish_lock(app_, "test:1", now_ms_, 60'000);
  ASSERT_TRUE(lock.ok() && lock->has_value()) << lock.status().message();
  auto intent = store_->versions().record_intent(app_, attested("sha256:" + std::string(64, 'd')),
                                                 "registry.example:5000", hooks.build_id, **lock,
                                                 hooks.before_intent);
  ASSERT_TRUE(intent.ok()) << intent.status().message();
  EXPECT_EQ(queue_->get(b.id)->state, BuildState::kRunning);  // publishing, not done
  EXPECT_EQ(queue_->get(b.id)->sbom_digest, "");
  auto version = store_->versions().commit_intent(app_, *intent, **lock, hooks.on_published);
  ASSERT_TRUE(version.ok()) << version.status().message();
  expect_attested(b.id, 1);
}

// A worker stopped after its intent; the next build's worker rolls the intent forward, and its
// on_published gives the stopped build (the one the intent names) the intent's digests, read
// back from the store.
TEST_F(QueueHooksTest, AnIntentRolledForwardByAnotherBuildGivesTheStoppedBuildItsDigests) {
  const auto stopped = submit(ignite::testing::echo_handler("stopped"));
  const auto next = submit(ignite::testing::echo_handler("next"));
  const store::Claim c1 = claim(stopped);
  const pipeline::BuildHooks stopped_hooks = queue_hooks(*queue_, c1.build.id, c1.epoch, "");
  auto lock = store_->versions().take_publish_lock(app_, "test:1", now_ms_, 60'000);
  ASSERT_TRUE(lock.ok() && lock->has_value()) << lock.status().message();
  ASSERT_TRUE(store_->versions()
                  .record_intent(app_, attested("sha256:" + std::string(64, 'd')),
                                 "registry.example:5000", stopped_hooks.build_id, **lock,
                                 stopped_hooks.before_intent)
                  .ok());

  // Its publish lock runs out; the next build's worker takes it and finds the intent.
  const store::Claim c2 = claim(next);
  const pipeline::BuildHooks next_hooks = queue_hooks(*queue_, c2.build.id, c2.epoch, "");
  auto taken = store_->versions().take_publish_lock(app_, "test:2", now_ms_ + 120'000, 60'000);
  ASSERT_TRUE(taken.ok() && taken->has_value()) << taken.status().message();
  auto left = store_->versions().publish_intent(app_);
  ASSERT_TRUE(left.ok() && left->has_value()) << left.status().message();
  ASSERT_EQ((*left)->build_id, stopped.id);
  auto version = store_->versions().commit_intent(app_, **left, **taken, next_hooks.on_published);
  ASSERT_TRUE(version.ok()) << version.status().message();
  expect_attested(stopped.id, 1);
  // The next build is still its own worker's, with nothing of the other's.
  auto still = queue_->get(next.id);
  ASSERT_TRUE(still.ok());
  EXPECT_EQ(still->state, BuildState::kRunning);
  EXPECT_EQ(still->sbom_digest, "");
}

// What a build's record takes from its version, field by field.
TEST(CommittedOutcomeTest, TakesEverythingTheVersionRecordsOfItsImage) {
  store::VersionRecord r;
  r.manifest_digest = "sha256:" + std::string(64, 'd');
  r.lock_hash = "sha256:" + std::string(64, 'e');
  r.code_hash = "sha256:" + std::string(64, 'c');
  r.sbom_digest = kSbom;
  r.provenance_digest = kProvenance;
  const store::BuildOutcome o = committed_outcome(r, 7, "0123abcd");
  EXPECT_EQ(o.version, 7);
  EXPECT_EQ(o.manifest_digest, r.manifest_digest);
  EXPECT_EQ(o.lock_hash, r.lock_hash);
  EXPECT_EQ(o.code_hash, r.code_hash);
  EXPECT_EQ(o.source_commit, "0123abcd");
  EXPECT_EQ(o.sbom_digest, kSbom);
  EXPECT_EQ(o.provenance_digest, kProvenance);
}

}  // namespace
}  // namespace ignite::workers
