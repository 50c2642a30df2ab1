// What only PostgreSQL's queue can show (store_pg_test): workers on connections of their own
// claiming at the same moment, and a stale fenced call meeting a build that another connection
// holds. The rest of PgBuildQueue is tested by the build queue's suite over both backends
// (build_queue_*_test.cc), where four workers also claim, stage and commit side by side.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <future>
#include <latch>
#include <map>
#include <mutex>
#include <thread>

#include "tests/store/build_queue_fixture.h"

namespace ignite::store {
namespace {

class PgBuildQueueTest : public BuildQueueFixture {
 protected:
  QueueBackend backend() const override { return QueueBackend::kPostgres; }

  // Waits until a session of this test's database waits for a lock another holds: the bounded
  // wait for a condition (never a fixed sleep); false when it did not come within a minute.
  bool someone_waits_for_a_lock() {
    for (int i = 0; i < 6000; ++i) {
      if (raw_count("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock'") > 0) {
        return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }
};

// Eight workers, each on its own connection (as eight processes), all claim at once and go on
// claiming, holding what they took, until nothing is left to them. Three orgs of six builds
// each and a cap of two: no build is handed out twice and no org ever runs more than two, in
// what the workers got and in what the database holds. A claim may pass over an org another
// claim is deciding about at that moment (pg_build_queue.cc), so the last slots are filled by
// one more worker afterwards, alone: then every org runs exactly two.
TEST_F(PgBuildQueueTest, ConcurrentClaimsNeverShareABuildNorPassTheCap) {
  constexpr int kWorkers = 8;
  constexpr int kCap = 2;
  const std::vector<std::string> orgs = {"org-a", "org-b", "org-c"};
  auto q = open_queue(kCap);
  ASSERT_NE(q, nullptr);
  for (int i = 0; i < 6; ++i) {
    for (const auto& org : orgs) submit(*q, org + "/app");
  }

  std::mutex mu;
  std::vector<Claim> claims;
  std::latch ready(kWorkers);
  std::vector<std::thread> workers;
  for (int w = 0; w < kWorkers; ++w) {
    workers.emplace_back([&, w] {
      auto mine = open_queue(kCap);
      ready.arrive_and_wait();  // every connection made: the claims start together
      if (mine == nullptr) return;
      for (;;) {
        auto c = mine->claim("worker-" + std::to_string(w), kLease);
        if (!c.ok()) {
          ADD_FAILURE() << c.status().to_string();
          return;
        }
        if (!c->has_value()) return;
        std::lock_guard lock(mu);
        claims.push_back(**c);
      }
    });
  }
  for (auto& t : workers) t.join();

  auto running_in = [&](const std::string& org) {
    return raw_count("SELECT count(*) FROM builds WHERE state = 'RUNNING' AND org = '" + org + "'");
  };
  std::map<std::string, int> per_org;
  std::vector<std::string> ids;
  for (const Claim& c : claims) {
    per_org[c.build.app.org()] += 1;
    ids.push_back(c.build.id);
    EXPECT_EQ(c.epoch, 1) << c.build.id;
  }
  for (const auto& org : orgs) {
    EXPECT_LE(per_org[org], kCap) << org;
    EXPECT_LE(running_in(org), kCap) << org;
  }
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(std::adjacent_find(ids.begin(), ids.end()), ids.end()) << "a build was claimed twice";

  // Alone, one more worker takes whatever slots are left; then each org runs exactly its cap.
  while (!claim_id(*q, "worker-last").empty()) {
  }
  for (const auto& org : orgs) EXPECT_EQ(running_in(org), kCap) << org;
  EXPECT_EQ(raw_count("SELECT count(*) FROM builds WHERE state = 'RUNNING'"),
            static_cast<std::int64_t>(orgs.size()) * kCap);
  // Every running build was claimed once: its first epoch, its one attempt, one claim event.
  EXPECT_EQ(raw_count("SELECT count(*) FROM builds WHERE state = 'RUNNING' AND "
                      "(lease_epoch <> 1 OR attempts <> 1)"),
            0);
  EXPECT_EQ(raw_count("SELECT count(*) FROM build_events WHERE state = 'RUNNING'"),
            static_cast<std::int64_t>(orgs.size()) * kCap);
}

// A worker whose lease was taken over calls in while the new owner is inside its commit, its
// transaction holding the build: the stale call waits for that transaction, then reads the
// build as committed (SUCCEEDED, under the next epoch) and is refused, changing nothing.
TEST_F(PgBuildQueueTest, AStaleEpochWaitsForTheHolderAndIsRefused) {
  auto q = open_queue();
  ASSERT_NE(q, nullptr);
  const auto b = submit(*q, "acme-corp/greet");
  auto first = q->claim("worker-a", kLease);
  ASSERT_TRUE(first.ok() && first->has_value());
  const std::int64_t stale = (*first)->epoch;
  advance(kLease);  // worker-a stalls; its lease expires and worker-b takes the build
  auto second = q->claim("worker-b", kLease);
  ASSERT_TRUE(second.ok() && second->has_value());
  const std::int64_t current = (*second)->epoch;
  ASSERT_EQ(current, stale + 1);

  std::promise<void> holding;
  std::promise<void> go;
  std::shared_future<void> go_now = go.get_future().share();
  std::thread owner([&] {
    auto versions = open_versions();
    auto queue = open_queue();
    if (versions == nullptr || queue == nullptr) {
      holding.set_value();
      return;
    }
    VersionRecord r;
    r.manifest_digest = digest_of('d');
    r.code_hash = b.code_hash;
    r.base_digest = digest_of('b');
    r.inputs = "{}";
    bool told = false;
    auto v = versions->commit_version(b.app, r, [&](StoreTx& tx, std::int64_t n) -> Status {
      IGNITE_RETURN_IF_ERROR(
          queue->succeed_in_transaction(tx, b.id, current, BuildOutcome{n, digest_of('d'), ""}));
      if (!told) {  // (a retried transaction runs this again; the promise is kept once)
        told = true;
        holding.set_value();
      }
      go_now.wait();  // the build's row stays locked until this transaction commits
      return ok_status();
    });
    EXPECT_TRUE(v.ok()) << v.status().to_string();
    if (!told) holding.set_value();
  });

  holding.get_future().wait();
  std::future<Result<bool>> stalled = std::async(std::launch::async, [&] {
    auto queue = open_queue();
    if (queue == nullptr) return Result<bool>(internal_error("no queue"));
    return queue->heartbeat(b.id, stale, kLease);
  });
  const bool waited = someone_waits_for_a_lock();
  go.set_value();
  owner.join();
  const Result<bool> refused = stalled.get();
  EXPECT_TRUE(waited) << "the stale heartbeat never waited for the commit's lock";
  EXPECT_TRUE(is_error(refused.status(), Code::kAborted,
                       "lease lost: build " + b.id + " was taken over (epoch " +
                           std::to_string(stale) + " is not current)"));

  auto got = q->get(b.id);
  ASSERT_TRUE(got.ok()) << got.status().to_string();
  EXPECT_EQ(got->state, BuildState::kSucceeded);
  EXPECT_EQ(got->version, 1);
  EXPECT_EQ(got->lease_epoch, current);
  EXPECT_EQ(got->lease_owner, "worker-b");
  // submitted, claimed, lease expired, claimed again, published: nothing from worker-a since.
  const auto events = events_of(*q, b.id);
  ASSERT_EQ(events.size(), 5u);
  EXPECT_EQ(events.back().state, BuildState::kSucceeded);
}

// A claim passes over a queued build that another transaction holds (here a hand-written one,
// as a cancel or a sweep of another process would), instead of waiting for it: it takes the next
// build. The holder lets go once the claim has answered, or once the claim waits for it (which
// the claim must not do).
TEST_F(PgBuildQueueTest, AClaimPassesOverABuildAnotherTransactionHolds) {
  auto q = open_queue();
  ASSERT_NE(q, nullptr);
  const auto held = submit(*q, "acme-corp/greet", BuildPriority::kPublish);
  const auto next = submit(*q, "acme-corp/greet");

  std::promise<void> holding;
  std::atomic<bool> claimed{false};
  bool claim_waited = false;
  std::thread holder([&] {
    auto conn = PgConnection::open(url_);
    if (!conn.ok()) {
      ADD_FAILURE() << conn.status().to_string();
      holding.set_value();
      return;
    }
    bool told = false;
    Status s = conn->transaction("holding a build", [&]() -> Status {
      IGNITE_RETURN_IF_ERROR(
          conn->exec("locking", "SELECT id FROM builds WHERE id = $1 FOR UPDATE", {held.id})
              .status());
      if (!told) {
        told = true;
        holding.set_value();
      }
      // Until the claim answers, or waits for this lock (bounded: a minute).
      for (int i = 0; i < 6000 && !claimed; ++i) {
        if (raw_count("SELECT count(*) FROM pg_stat_activity WHERE datname = "
                      "current_database() AND wait_event_type = 'Lock'") > 0) {
          claim_waited = true;
          break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
      return ok_status();
    });
    EXPECT_TRUE(s.ok()) << s.to_string();
    if (!told) holding.set_value();
  });
  holding.get_future().wait();
  const std::string got = claim_id(*q, "worker-1");
  claimed = true;
  holder.join();
  EXPECT_FALSE(claim_waited) << "the claim waited for the held build";
  EXPECT_EQ(got, next.id);
  EXPECT_EQ(q->get(held.id)->state, BuildState::kQueued);
  // Once let go, the held build is the next claim's.
  EXPECT_EQ(claim_id(*q, "worker-2"), held.id);
}

// One client's retries of a submission, from several connections at once with the same
// idempotency key: one build is recorded, and every retry is answered with it.
TEST_F(PgBuildQueueTest, ConcurrentRetriesOfOneSubmissionRecordOneBuild) {
  constexpr int kClients = 6;
  ASSERT_NE(open_queue(), nullptr);  // the schema, before the clients race
  SubmitOptions keyed;
  keyed.idempotency_key = "ci-run-42";
  std::mutex mu;
  std::vector<std::string> ids;
  std::latch ready(kClients);
  std::vector<std::thread> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.emplace_back([&] {
      auto mine = open_queue();
      ready.arrive_and_wait();
      if (mine == nullptr) return;
      auto b = mine->submit(app_id("acme-corp/greet"), digest_of('5'), digest_of('c'),
                            BuildPriority::kNormal, keyed);
      ASSERT_TRUE(b.ok()) << b.status().to_string();
      std::lock_guard lock(mu);
      ids.push_back(b->id);
    });
  }
  for (auto& t : clients) t.join();
  ASSERT_EQ(ids.size(), static_cast<std::size_t>(kClients));
  EXPECT_EQ(std::count(ids.begin(), ids.end(), ids.front()), kClients);
  EXPECT_EQ(raw_count("SELECT count(*) FROM builds"), 1);
  EXPECT_EQ(raw_count("SELECT count(*) FROM build_events"), 1);
}

}  // namespace
}  // namespace ignite::store
