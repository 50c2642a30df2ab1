// Leases, epochs and fencing: a heartbeat keeps a lease, an expired one is taken over with the
// next epoch, and a worker holding an old epoch changes nothing, its commit least of all: it is
// refused inside the version's transaction and takes no number. And workers on their own
// connections, as separate processes would be, each get a build exactly once.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "builder/store/build_queue.h"
#include "builder/store/postgres/pg_store_tx.h"
#include "builder/store/sqlite_build_queue.h"
#include "builder/store/sqlite_store_tx.h"
#include "builder/store/sqlite_version_store.h"
#include "tests/store/build_queue_fixture.h"
#include "tests/store/other_backend_tx.h"

namespace ignite::store {
namespace {

TEST_P(BuildQueueTest, AHeartbeatExtendsTheLease) {
  auto q = open_queue();
  const auto b = submit(*q, "acme-corp/greet");
  auto c = q->claim("worker-1", kLease);
  ASSERT_TRUE(c.ok() && c->has_value());
  advance(seconds(20));
  auto beat = q->heartbeat(b.id, (*c)->epoch, kLease);
  ASSERT_TRUE(beat.ok()) << beat.status().to_string();
  EXPECT_FALSE(*beat);
  EXPECT_EQ(q->get(b.id)->lease_expires_ms, now() + kLease.count());

  advance(seconds(20));  // past the first lease, within the renewed one
  EXPECT_EQ(claim_id(*q, "worker-2"), "");
  EXPECT_EQ(q->get(b.id)->lease_owner, "worker-1");
  EXPECT_EQ(q->get(b.id)->lease_epoch, 1);

  advance(seconds(10));  // the renewed lease ends
  EXPECT_EQ(claim_id(*q, "worker-2"), b.id);
}

TEST_P(BuildQueueTest, AnExpiredLeaseIsTakenOverWithTheNextEpochAndTheAttemptCounted) {
  auto q = open_queue();
  const auto b = submit(*q, "acme-corp/greet");
  auto first = q->claim("worker-1", kLease);
  ASSERT_TRUE(first.ok() && first->has_value());
  const std::int64_t started = now();
  ASSERT_TRUE(q->set_stage(b.id, (*first)->epoch, "layers").ok());
  advance(kLease - milliseconds(1));
  EXPECT_EQ(claim_id(*q, "worker-2"), "");  // not yet
  advance(milliseconds(1));

  auto second = q->claim("worker-2", kLease);
  ASSERT_TRUE(second.ok() && second->has_value());
  const BuildRecord& taken = (*second)->build;
  EXPECT_EQ(taken.id, b.id);
  EXPECT_EQ((*second)->epoch, 2);
  EXPECT_EQ(taken.attempts, 2);
  EXPECT_EQ(taken.leases_lost, 1);
  EXPECT_EQ(taken.lease_owner, "worker-2");
  EXPECT_EQ(taken.stage, "");
  EXPECT_EQ(taken.started_at_ms, started);  // the first start stays

  auto events = events_of(*q, b.id);
  ASSERT_GE(events.size(), 2u);
  const BuildEvent& expired = events[events.size() - 2];
  EXPECT_EQ(expired.state, BuildState::kQueued);
  EXPECT_EQ(expired.message,
            "lease expired (worker worker-1, epoch 1, attempt 1 of 3, in stage layers); back in "
            "the queue");
  EXPECT_EQ(events.back().message, "claimed by worker worker-2 (attempt 2 of 3, epoch 2)");
}

TEST_P(BuildQueueTest, ALeaseLostOnEveryAttemptFailsTheBuild) {
  auto q = open_queue();
  const auto b =
      submit(*q, "acme-corp/greet", BuildPriority::kNormal, SubmitOptions{.max_attempts = 2});
  EXPECT_EQ(claim_id(*q, "worker-1"), b.id);
  advance(kLease);
  EXPECT_EQ(claim_id(*q, "worker-2"), b.id);
  advance(kLease);
  ASSERT_TRUE(q->sweep().ok());
  auto got = q->get(b.id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->state, BuildState::kFailed);
  EXPECT_EQ(got->leases_lost, 2);
  EXPECT_EQ(got->error,
            "lease lost 2 times (the last: worker worker-2, epoch 2, attempt 2 of 2, before its "
            "first stage)");
  EXPECT_EQ(got->finished_at_ms, now());
  EXPECT_EQ(claim_id(*q, "worker-3"), "");
}

TEST_P(BuildQueueTest, ALostLeaseOfABuildWithACancelRequestEndsItCancelled) {
  auto q = open_queue();
  const auto b = submit(*q, "acme-corp/greet");
  EXPECT_EQ(claim_id(*q, "worker-1"), b.id);
  ASSERT_TRUE(q->request_cancel(b.id).ok());
  advance(kLease);
  EXPECT_EQ(claim_id(*q, "worker-2"), "");
  EXPECT_EQ(q->get(b.id)->state, BuildState::kCancelled);
}

// The record and its history, to show that a refused call changed neither.
struct Snapshot {
  BuildState state;
  std::string stage;
  std::string error;
  int attempts;
  bool cancel_requested;
  std::int64_t lease_epoch;
  std::int64_t lease_expires_ms;
  std::int64_t not_before_ms;
  std::string lease_owner;
  std::size_t events;
  friend bool operator==(const Snapshot&, const Snapshot&) = default;
};

TEST_P(BuildQueueTest, AStaleEpochChangesNothing) {
  auto q = open_queue();
  auto versions = open_versions();
  const auto b = submit(*q, "acme-corp/greet");
  auto first = q->claim("worker-a", kLease);
  ASSERT_TRUE(first.ok() && first->has_value());
  const std::int64_t stale = (*first)->epoch;
  advance(kLease);
  auto second = q->claim("worker-b", kLease);
  ASSERT_TRUE(second.ok() && second->has_value());
  const std::int64_t current = (*second)->epoch;
  ASSERT_EQ(current, stale + 1);
  ASSERT_TRUE(q->set_stage(b.id, current, "layers").ok());

  auto snapshot = [&] {
    auto r = q->get(b.id);
    EXPECT_TRUE(r.ok());
    return Snapshot{r->state,
                    r->stage,
                    r->error,
                    r->attempts,
                    r->cancel_requested,
                    r->lease_epoch,
                    r->lease_expires_ms,
                    r->not_before_ms,
                    r->lease_owner,
                    events_of(*q, b.id).size()};
  };
  const Snapshot before = snapshot();
  const std::string taken_over = "lease lost: build " + b.id + " was taken over (epoch " +
                                 std::to_string(stale) + " is not current)";

  advance(seconds(1));
  EXPECT_TRUE(is_error(q->heartbeat(b.id, stale, kLease).status(), Code::kAborted, taken_over));
  EXPECT_TRUE(is_error(q->set_stage(b.id, stale, "image"), Code::kAborted, taken_over));
  EXPECT_TRUE(is_error(q->fail(b.id, stale, unavailable("stalled"), true).status(), Code::kAborted,
                       taken_over));
  EXPECT_TRUE(is_error(q->fail(b.id, stale, unavailable("stalled"), false).status(), Code::kAborted,
                       taken_over));
  EXPECT_TRUE(is_error(q->mark_cancelled(b.id, stale), Code::kAborted, taken_over));
  bool tagged = false;
  EXPECT_TRUE(is_error(commit(*versions, *q, b, stale, digest_of('a'), &tagged).status(),
                       Code::kAborted, taken_over));
  EXPECT_FALSE(tagged);
  // An epoch from the future is no better.
  EXPECT_TRUE(
      is_error(q->heartbeat(b.id, current + 1, kLease).status(), Code::kAborted, "was taken over"));
  EXPECT_EQ(snapshot(), before);
  EXPECT_EQ(*versions->latest_number(b.app), 0);

  // The current holder goes on undisturbed.
  EXPECT_TRUE(q->heartbeat(b.id, current, kLease).ok());
}

TEST_P(BuildQueueTest, TheCurrentEpochOfAnEndedBuildIsRefusedToo) {
  auto q = open_queue();
  const auto b = submit(*q, "acme-corp/greet");
  auto c = q->claim("worker-1", kLease);
  ASSERT_TRUE(c.ok() && c->has_value());
  ASSERT_TRUE(q->fail(b.id, (*c)->epoch, unavailable("flaky"), /*retryable=*/true)
                  .ok());  // back in the queue
  EXPECT_TRUE(is_error(q->heartbeat(b.id, (*c)->epoch, kLease).status(), Code::kAborted,
                       "lease lost: build " + b.id + " is QUEUED, no longer running"));
  EXPECT_TRUE(
      is_error(q->set_stage(b.id, (*c)->epoch, "layers"), Code::kAborted, "no longer running"));
}

// THE case fencing exists for: worker A stalls (a long GC pause, a frozen VM), its lease expires,
// worker B takes the build over and publishes it as v1. When A wakes up and commits, it must
// not publish a v2 of the same build.
TEST_P(BuildQueueTest, AStalledWorkerCannotCommitAfterItsBuildWasTakenOverAndPublished) {
  auto q = open_queue();
  auto versions = open_versions();
  const auto b = submit(*q, "acme-corp/greet");

  auto a = q->claim("worker-a", kLease);
  ASSERT_TRUE(a.ok() && a->has_value());
  ASSERT_EQ((*a)->epoch, 1);
  ASSERT_TRUE(q->set_stage(b.id, 1, "image").ok());
  advance(kLease + seconds(1));  // A stalls past its lease

  auto takeover = q->claim("worker-b", kLease);
  ASSERT_TRUE(takeover.ok() && takeover->has_value());
  ASSERT_EQ((*takeover)->build.id, b.id);
  ASSERT_EQ((*takeover)->epoch, 2);
  ASSERT_TRUE(q->set_stage(b.id, 2, "commit").ok());
  auto published = commit(*versions, *q, b, 2, digest_of('b'));
  ASSERT_TRUE(published.ok()) << published.status().to_string();
  EXPECT_EQ(published->number, 1);

  // A wakes up and commits its own image.
  bool tagged = false;
  auto stale = commit(*versions, *q, b, 1, digest_of('a'), &tagged);
  EXPECT_EQ(stale.status().code(), Code::kAborted);
  EXPECT_EQ(stale.status().message(),
            "lease lost: build " + b.id + " was taken over (epoch 1 is not current)");
  EXPECT_FALSE(tagged);  // refused before anything outside the store
  EXPECT_EQ(*versions->latest_number(b.app), 1);
  auto all = versions->versions(b.app);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].manifest_digest, digest_of('b'));

  auto got = q->get(b.id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->state, BuildState::kSucceeded);
  EXPECT_EQ(got->version, 1);
  EXPECT_EQ(got->manifest_digest, digest_of('b'));
  EXPECT_EQ(got->lease_owner, "worker-b");
  EXPECT_EQ(events_of(*q, b.id).back().message,
            "published as acme-corp/greet:v1 (" + digest_of('b') + ")");

  // The next build of the app takes v2, as if A had never tried.
  const auto next = submit(*q, "acme-corp/greet");
  auto c = q->claim("worker-a", kLease);
  ASSERT_TRUE(c.ok() && c->has_value());
  ASSERT_EQ((*c)->build.id, next.id);
  auto v2 = commit(*versions, *q, next, (*c)->epoch, digest_of('c'));
  ASSERT_TRUE(v2.ok()) << v2.status().to_string();
  EXPECT_EQ(v2->number, 2);
}

TEST_P(BuildQueueTest, AStalledWorkerCannotCommitWhileTheNewOwnerStillRuns) {
  auto q = open_queue();
  auto versions = open_versions();
  const auto b = submit(*q, "acme-corp/greet");
  EXPECT_EQ(claim_id(*q, "worker-a"), b.id);
  advance(kLease);
  EXPECT_EQ(claim_id(*q, "worker-b"), b.id);

  auto stale = commit(*versions, *q, b, 1, digest_of('a'));
  EXPECT_TRUE(is_error(stale.status(), Code::kAborted, "was taken over (epoch 1 is not current)"));
  EXPECT_EQ(*versions->latest_number(b.app), 0);
  EXPECT_EQ(versions->versions(b.app).status().code(), Code::kNotFound);
  EXPECT_EQ(q->get(b.id)->state, BuildState::kRunning);

  auto published = commit(*versions, *q, b, 2, digest_of('b'));
  ASSERT_TRUE(published.ok()) << published.status().to_string();
  EXPECT_EQ(published->number, 1);
}

// Nobody else can hold the build until a claim takes it over, so a late worker may still finish.
TEST_P(BuildQueueTest, AnExpiredLeaseNotYetTakenOverStillCommits) {
  auto q = open_queue();
  auto versions = open_versions();
  const auto b = submit(*q, "acme-corp/greet");
  auto c = q->claim("worker-a", kLease);
  ASSERT_TRUE(c.ok() && c->has_value());
  advance(kLease + seconds(5));
  auto v = commit(*versions, *q, b, (*c)->epoch, digest_of('a'));
  ASSERT_TRUE(v.ok()) << v.status().to_string();
  EXPECT_EQ(v->number, 1);
  EXPECT_EQ(q->get(b.id)->state, BuildState::kSucceeded);
  EXPECT_EQ(claim_id(*q, "worker-b"), "");
}

TEST_P(BuildQueueTest, TheFencedCommitRunsOnlyInsideTheVersionsTransactionOnTheSameDatabase) {
  auto q = open_queue();
  auto versions = open_versions();
  const auto b = submit(*q, "acme-corp/greet");
  auto c = q->claim("worker-a", kLease);
  ASSERT_TRUE(c.ok() && c->has_value());

  // Outside a transaction the check would be a race, not a fence: a handle on a connection of
  // the same database with no transaction open.
  const BuildOutcome outcome{1, digest_of('a'), ""};
  if (GetParam() == QueueBackend::kSqlite) {
    auto db = Database::open(db_path());
    ASSERT_TRUE(db.ok());
    SqliteStoreTx outside(*db);
    EXPECT_TRUE(is_error(q->succeed_in_transaction(outside, b.id, (*c)->epoch, outcome),
                         Code::kFailedPrecondition, "must run inside the transaction"));
  } else {
    auto conn = PgConnection::open(url_);
    ASSERT_TRUE(conn.ok());
    PgStoreTx outside(*conn);
    EXPECT_TRUE(is_error(q->succeed_in_transaction(outside, b.id, (*c)->epoch, outcome),
                         Code::kFailedPrecondition, "must run inside the transaction"));
  }
  // Another store's transaction cannot fence this one's build.
  testing::TempDir elsewhere;
  std::unique_ptr<VersionStore> other;
  if (GetParam() == QueueBackend::kSqlite) {
    auto s = SqliteVersionStore::open(elsewhere / "ignite.db");
    ASSERT_TRUE(s.ok());
    other = std::make_unique<SqliteVersionStore>(std::move(s).value());
  } else {
    auto s = PgVersionStore::open(ignite::testing::shared_postgres().create_database());
    ASSERT_TRUE(s.ok());
    other = std::make_unique<PgVersionStore>(std::move(s).value());
  }
  EXPECT_TRUE(is_error(commit(*other, *q, b, (*c)->epoch, digest_of('a')).status(),
                       Code::kFailedPrecondition, "is not the queue's"));
  EXPECT_EQ(*other->latest_number(b.app), 0);
  EXPECT_EQ(q->get(b.id)->state, BuildState::kRunning);
  EXPECT_EQ(events_of(*q, b.id).size(), 2u);
}

// A transaction of another backend is refused by each of the queue's fences before it reads or
// writes anything: a SQLite queue can only join a SQLite transaction, a PostgreSQL queue a
// PostgreSQL one. (The SQLite queue is shown a stand-in, since store_test runs without a server.)
TEST_P(BuildQueueTest, TheFencesRefuseAnotherBackendsTransaction) {
  auto q = open_queue();
  const auto b = submit(*q, "acme-corp/greet");
  auto c = q->claim("worker-a", kLease);
  ASSERT_TRUE(c.ok() && c->has_value());
  auto sqlite = Database::open(dir_ / "other.db");
  ASSERT_TRUE(sqlite.ok());
  SqliteStoreTx sqlite_tx(*sqlite);
  OtherBackendTx stand_in;
  StoreTx& other = GetParam() == QueueBackend::kSqlite ? static_cast<StoreTx&>(stand_in)
                                                       : static_cast<StoreTx&>(sqlite_tx);
  const BuildOutcome outcome{1, digest_of('a'), ""};
  constexpr std::string_view kDifferent =
      "the version store and the queue are in different databases";
  EXPECT_TRUE(is_error(q->succeed_in_transaction(other, b.id, (*c)->epoch, outcome),
                       Code::kFailedPrecondition, kDifferent));
  EXPECT_TRUE(is_error(q->publishing_in_transaction(other, b.id, (*c)->epoch, outcome),
                       Code::kFailedPrecondition, kDifferent));
  EXPECT_TRUE(is_error(q->succeed_published_in_transaction(other, b.id, outcome),
                       Code::kFailedPrecondition, kDifferent));
  EXPECT_EQ(q->get(b.id)->state, BuildState::kRunning);
  EXPECT_EQ(events_of(*q, b.id).size(), 2u);
}

TEST_P(BuildQueueTest, ACancelRequestedBeforeTheCommitTakesNoNumber) {
  auto q = open_queue();
  auto versions = open_versions();
  const auto b = submit(*q, "acme-corp/greet");
  auto c = q->claim("worker-a", kLease);
  ASSERT_TRUE(c.ok() && c->has_value());
  ASSERT_TRUE(q->request_cancel(b.id).ok());

  bool tagged = false;
  auto v = commit(*versions, *q, b, (*c)->epoch, digest_of('a'), &tagged);
  EXPECT_TRUE(is_error(v.status(), Code::kCancelled, "was cancelled before its commit"));
  EXPECT_FALSE(tagged);
  EXPECT_EQ(*versions->latest_number(b.app), 0);
  ASSERT_TRUE(q->mark_cancelled(b.id, (*c)->epoch).ok());
  EXPECT_EQ(q->get(b.id)->state, BuildState::kCancelled);
}

TEST_P(BuildQueueTest, ACommitPastTheDeadlineTakesNoNumber) {
  auto q = open_queue();
  auto versions = open_versions();
  const auto b = submit(*q, "acme-corp/greet");
  auto c = q->claim("worker-a", minutes(30));
  ASSERT_TRUE(c.ok() && c->has_value());
  advance(minutes(15));
  auto v = commit(*versions, *q, b, (*c)->epoch, digest_of('a'));
  EXPECT_TRUE(
      is_error(v.status(), Code::kDeadlineExceeded, "passed its deadline before its commit"));
  EXPECT_EQ(*versions->latest_number(b.app), 0);
  EXPECT_EQ(q->get(b.id)->state, BuildState::kRunning);  // nothing written in a refused commit
  ASSERT_TRUE(q->sweep().ok());
  EXPECT_EQ(q->get(b.id)->state, BuildState::kFailed);
}

// One connection submits while four threads, each with its own connections (as four worker
// processes would have), claim, stage and commit. Every build is claimed exactly once, the cap
// is never exceeded in any committed state, and every app's numbers are 1..N.
TEST_P(BuildQueueTest, FourWorkersOnTheirOwnConnectionsClaimEachBuildOnce) {
  constexpr int kBuilds = 40;
  constexpr int kWorkers = 4;
  const std::vector<std::string> apps = {"org-a/one", "org-a/two", "org-b/one", "org-b/two"};
  ASSERT_NE(open_queue(), nullptr);
  ASSERT_NE(open_versions(), nullptr);

  std::atomic<bool> all_submitted{false};
  std::mutex mu;
  std::vector<std::string> submitted;
  std::vector<std::string> claimed;

  std::thread submitter([&] {
    auto q = open_queue();
    ASSERT_NE(q, nullptr);
    for (int i = 0; i < kBuilds; ++i) {
      auto b = q->submit(app_id(apps[i % apps.size()]), digest_of('5'), "",
                         i % 5 == 0 ? BuildPriority::kPublish : BuildPriority::kNormal, {});
      ASSERT_TRUE(b.ok()) << b.status().to_string();
      std::lock_guard lock(mu);
      submitted.push_back(b->id);
    }
    all_submitted = true;
  });

  std::vector<std::thread> workers;
  for (int w = 0; w < kWorkers; ++w) {
    workers.emplace_back([&, w] {
      const std::string me = "worker-" + std::to_string(w);
      auto q = open_queue();
      auto versions = open_versions();
      ASSERT_TRUE(q != nullptr && versions != nullptr);
      for (;;) {
        const bool last_round = all_submitted;  // read before the claim finds nothing
        auto c = q->claim(me, minutes(5));
        ASSERT_TRUE(c.ok()) << c.status().to_string();
        if (!c->has_value()) {
          auto queued = q->list(BuildFilter{.state = BuildState::kQueued, .page_size = 1});
          ASSERT_TRUE(queued.ok());
          if (last_round && queued->builds.empty()) return;
          std::this_thread::yield();  // others hold the org's slots, or more is coming
          continue;
        }
        const Claim& claim = **c;
        // Running builds of its org, as another connection reads them (committed state only).
        EXPECT_LE(raw_count("SELECT count(*) FROM builds WHERE state = 'RUNNING' AND org = '" +
                            claim.build.app.org() + "'"),
                  2);
        {
          std::lock_guard lock(mu);
          claimed.push_back(claim.build.id);
        }
        EXPECT_TRUE(q->set_stage(claim.build.id, claim.epoch, "image").ok());
        auto v = commit(*versions, *q, claim.build, claim.epoch, digest_of('d'));
        EXPECT_TRUE(v.ok()) << v.status().to_string();
      }
    });
  }
  submitter.join();
  for (auto& t : workers) t.join();

  ASSERT_EQ(submitted.size(), static_cast<std::size_t>(kBuilds));
  std::vector<std::string> sorted_claims = claimed;
  std::sort(sorted_claims.begin(), sorted_claims.end());
  EXPECT_EQ(std::adjacent_find(sorted_claims.begin(), sorted_claims.end()), sorted_claims.end())
      << "a build was claimed twice";
  std::sort(submitted.begin(), submitted.end());
  EXPECT_EQ(sorted_claims, submitted);

  auto q = open_queue();
  auto versions = open_versions();
  for (const auto& id : submitted) {
    auto b = q->get(id);
    ASSERT_TRUE(b.ok());
    EXPECT_EQ(b->state, BuildState::kSucceeded) << id;
    EXPECT_EQ(b->attempts, 1) << id;
    auto events = events_of(*q, id);
    ASSERT_EQ(events.size(), 4u) << id;  // submitted, claimed, stage, published
    for (std::size_t i = 0; i < events.size(); ++i) {
      EXPECT_EQ(events[i].sequence, static_cast<std::int64_t>(i + 1));
    }
  }
  for (const auto& app : apps) {
    auto all = versions->versions(app_id(app));
    ASSERT_TRUE(all.ok());
    ASSERT_EQ(all->size(), static_cast<std::size_t>(kBuilds) / apps.size()) << app;
    for (std::size_t i = 0; i < all->size(); ++i) {
      EXPECT_EQ((*all)[i].number, static_cast<std::int64_t>(i + 1)) << app;
    }
  }
}

}  // namespace
}  // namespace ignite::store
