// read_queue_stats against a real queue: builds submitted, claimed, taken back after a lost
// lease and cancelled through SqliteBuildQueue, with the fake clock of build_queue_fixture.h.
#include "builder/store/queue_stats.h"

#include "tests/store/build_queue_fixture.h"

namespace ignite::store {
namespace {

std::int64_t count_of(const QueueStats& stats, BuildState state, BuildKind kind) {
  for (const auto& c : stats.by_state) {
    if (c.state == state && c.kind == kind) return c.builds;
  }
  ADD_FAILURE() << "no count for " << build_state_name(state) << " " << build_kind_name(kind);
  return -1;
}

std::string queued_text(const QueueStats& stats) {
  std::string out;
  for (const auto& o : stats.queued_by_org) out += o.org + "=" + std::to_string(o.queued) + " ";
  return out;
}

TEST_F(SqliteBuildQueueTest, QueueStatsOfAnEmptyQueueAreZeros) {
  auto q = open_sqlite_queue();
  auto stats = read_queue_stats(q.database());
  ASSERT_TRUE(stats.ok()) << stats.status().to_string();
  EXPECT_TRUE(stats->queued_by_org.empty());
  EXPECT_EQ(stats->by_state.size(), 10u);  // every state and kind, zeros included
  for (const auto& c : stats->by_state) EXPECT_EQ(c.builds, 0);
  EXPECT_EQ(stats->leases_lost, 0);
}

TEST_F(SqliteBuildQueueTest, QueueStatsCountQueuedBuildsByOrgAndEveryBuildByStateAndKind) {
  auto q = open_sqlite_queue();
  const auto first = submit(q, "acme-corp/greet");
  submit(q, "acme-corp/greet");
  submit(q, "zeta/api");
  auto draft = q.submit(app_id("acme-corp/greet"), digest_of('5'), digest_of('c'),
                        BuildPriority::kNormal, SubmitOptions{.kind = BuildKind::kDraft});
  ASSERT_TRUE(draft.ok()) << draft.status().to_string();
  const auto cancelled = submit(q, "zeta/api");
  ASSERT_TRUE(q.request_cancel(cancelled.id).ok());
  EXPECT_EQ(claim_id(q, "worker-1"), first.id);

  auto stats = read_queue_stats(q.database());
  ASSERT_TRUE(stats.ok()) << stats.status().to_string();
  EXPECT_EQ(queued_text(*stats), "acme-corp=2 zeta=1 ");  // the draft counts with its org
  EXPECT_EQ(count_of(*stats, BuildState::kQueued, BuildKind::kVersion), 2);
  EXPECT_EQ(count_of(*stats, BuildState::kQueued, BuildKind::kDraft), 1);
  EXPECT_EQ(count_of(*stats, BuildState::kRunning, BuildKind::kVersion), 1);
  EXPECT_EQ(count_of(*stats, BuildState::kCancelled, BuildKind::kVersion), 1);
  EXPECT_EQ(count_of(*stats, BuildState::kSucceeded, BuildKind::kVersion), 0);
  EXPECT_EQ(stats->leases_lost, 0);
}

TEST_F(SqliteBuildQueueTest, QueueStatsCountALeaseTakenBackAndKeepItOnceTheBuildEnds) {
  auto q = open_sqlite_queue();
  const auto b = submit(q, "acme-corp/greet");
  auto first = q.claim("worker-1", kLease);
  ASSERT_TRUE(first.ok() && first->has_value());
  advance(kLease);
  ASSERT_TRUE(q.sweep().ok());  // the lease expired: the build is queued again

  auto stats = read_queue_stats(q.database());
  ASSERT_TRUE(stats.ok()) << stats.status().to_string();
  EXPECT_EQ(stats->leases_lost, 1);
  EXPECT_EQ(queued_text(*stats), "acme-corp=1 ");
  EXPECT_EQ(count_of(*stats, BuildState::kRunning, BuildKind::kVersion), 0);

  // Claimed again and published: the lost lease stays counted.
  auto second = q.claim("worker-2", kLease);
  ASSERT_TRUE(second.ok() && second->has_value());
  auto versions = open_sqlite_versions();
  ASSERT_TRUE(commit(versions, q, b, (*second)->epoch, digest_of('e')).ok());
  stats = read_queue_stats(q.database());
  ASSERT_TRUE(stats.ok()) << stats.status().to_string();
  EXPECT_EQ(stats->leases_lost, 1);
  EXPECT_TRUE(stats->queued_by_org.empty());
  EXPECT_EQ(count_of(*stats, BuildState::kSucceeded, BuildKind::kVersion), 1);
}

// The reader keeps the counts of finished builds below the oldest unfinished one: read after
// read, it must give what a fresh reader counting every build gives.
TEST_F(SqliteBuildQueueTest, QueueStatsReadAgainAgreeWithAFullCount) {
  auto q = open_sqlite_queue(/*max_running_per_org=*/10);
  auto versions = open_sqlite_versions();
  QueueStatsReader kept;
  auto expect_agree = [&](const char* when) {
    SCOPED_TRACE(when);
    auto again = kept.read(q.database());
    auto fresh = read_queue_stats(q.database());
    ASSERT_TRUE(again.ok() && fresh.ok());
    EXPECT_EQ(queued_text(*again), queued_text(*fresh));
    EXPECT_EQ(again->leases_lost, fresh->leases_lost);
    for (std::size_t i = 0; i < fresh->by_state.size(); ++i) {
      EXPECT_EQ(again->by_state[i].builds, fresh->by_state[i].builds)
          << build_state_name(fresh->by_state[i].state);
    }
  };
  std::vector<BuildRecord> builds;
  for (int i = 0; i < 4; ++i) builds.push_back(submit(q, "acme-corp/greet"));
  expect_agree("all queued");
  // The oldest stays running throughout; the others end one way or another behind it.
  auto oldest = q.claim("w", kLease);
  ASSERT_TRUE(oldest.ok() && oldest->has_value());
  auto second = q.claim("w", kLease);
  ASSERT_TRUE(second.ok() && second->has_value());
  ASSERT_TRUE(commit(versions, q, builds[1], (*second)->epoch, digest_of('1')).ok());
  ASSERT_TRUE(q.request_cancel(builds[2].id).ok());
  expect_agree("one published behind a running one");
  advance(kLease);
  ASSERT_TRUE(q.sweep().ok());  // the oldest one's lease expired: queued again
  expect_agree("a lease taken back");
  auto again = q.claim("w", kLease);
  ASSERT_TRUE(again.ok() && again->has_value());
  EXPECT_EQ((*again)->build.id, builds[0].id);
  ASSERT_TRUE(commit(versions, q, builds[0], (*again)->epoch, digest_of('2')).ok());
  expect_agree("the oldest published: everything below builds[3] is frozen");
  auto last = q.claim("w", kLease);
  ASSERT_TRUE(last.ok() && last->has_value());
  ASSERT_TRUE(q.fail(builds[3].id, (*last)->epoch, invalid_argument("broken"), false).ok());
  expect_agree("nothing unfinished");
  submit(q, "zeta/api");
  expect_agree("a new build after everything was frozen");
  auto stats = kept.read(q.database());
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(count_of(*stats, BuildState::kSucceeded, BuildKind::kVersion), 2);
  EXPECT_EQ(count_of(*stats, BuildState::kCancelled, BuildKind::kVersion), 1);
  EXPECT_EQ(count_of(*stats, BuildState::kFailed, BuildKind::kVersion), 1);
  EXPECT_EQ(count_of(*stats, BuildState::kQueued, BuildKind::kVersion), 1);
  EXPECT_EQ(stats->leases_lost, 1);
}

TEST_F(SqliteBuildQueueTest, QueueStatsNameTheDatabaseWhenTheQueueHasNoTables) {
  auto db = Database::open(db_path());
  ASSERT_TRUE(db.ok());
  auto stats = read_queue_stats(*db);
  ASSERT_FALSE(stats.ok());
  EXPECT_TRUE(
      is_error(stats.status(), Code::kInternal, "reading the queue's figures from " + db_path()))
      << stats.status().to_string();
}

}  // namespace
}  // namespace ignite::store
