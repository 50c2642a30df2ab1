// The queue's figures for /metrics against a real queue: builds submitted, claimed, taken back
// after a lost lease and cancelled through the queue, with the fake clock of
// build_queue_fixture.h. One suite over every backend: each case reads a SqliteBuildQueue's store
// with QueueStatsReader ("Sqlite", in store_test) and a PgBuildQueue's with PgQueueStatsReader
// ("Postgres", in store_pg_test, against a real server; skipped without PostgreSQL, failed
// instead under CI), which must give the same figures. A seq committed late, which only
// PostgreSQL has, is postgres/pg_queue_stats_test.cc's.
#include <gtest/gtest.h>

#include <optional>

#include "builder/store/postgres/pg_queue_stats.h"
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

class QueueStatsTest : public BuildQueueFixture,
                       public ::testing::WithParamInterface<QueueBackend> {
 protected:
  QueueBackend backend() const override { return GetParam(); }

  // One read by the reader this test keeps across reads, as /metrics keeps one, on the test's
  // own connection to the store (made on first use).
  Result<QueueStats> read_kept() {
    IGNITE_RETURN_IF_ERROR(connect());
    if (backend() == QueueBackend::kSqlite) return kept_.read(*db_);
    return pg_kept_.read(*conn_);
  }
  // One read by a reader of its own, counting every build.
  Result<QueueStats> read_fresh() {
    IGNITE_RETURN_IF_ERROR(connect());
    if (backend() == QueueBackend::kSqlite) return read_queue_stats(*db_);
    return read_queue_stats(*conn_);
  }
  // The store as its errors name it.
  std::string store_name() {
    if (backend() == QueueBackend::kSqlite) return db_path();
    return conn_ ? conn_->url_for_messages() : url_;
  }

  Status connect() {
    if (backend() == QueueBackend::kSqlite) {
      if (!db_) {
        IGNITE_ASSIGN_OR_RETURN(Database db, Database::open(db_path()));
        db_.emplace(std::move(db));
      }
      return ok_status();
    }
    if (!conn_) {
      IGNITE_ASSIGN_OR_RETURN(PgConnection conn, PgConnection::open(url_));
      conn_.emplace(std::move(conn));
    }
    return ok_status();
  }

  std::optional<Database> db_;
  std::optional<PgConnection> conn_;
  QueueStatsReader kept_;
  PgQueueStatsReader pg_kept_;
};

#ifdef IGNITE_QUEUE_STATS_BACKEND_POSTGRES
INSTANTIATE_TEST_SUITE_P(Postgres, QueueStatsTest, ::testing::Values(QueueBackend::kPostgres),
                         queue_backend_name);
#else
INSTANTIATE_TEST_SUITE_P(Sqlite, QueueStatsTest, ::testing::Values(QueueBackend::kSqlite),
                         queue_backend_name);
#endif

TEST_P(QueueStatsTest, OfAnEmptyQueueAreZeros) {
  auto q = open_queue();
  ASSERT_TRUE(q);
  auto stats = read_fresh();
  ASSERT_TRUE(stats.ok()) << stats.status().to_string();
  EXPECT_TRUE(stats->queued_by_org.empty());
  EXPECT_EQ(stats->by_state.size(), 10u);  // every state and kind, zeros included
  for (const auto& c : stats->by_state) EXPECT_EQ(c.builds, 0);
  EXPECT_EQ(stats->leases_lost, 0);
}

TEST_P(QueueStatsTest, CountQueuedBuildsByOrgAndEveryBuildByStateAndKind) {
  auto q = open_queue();
  ASSERT_TRUE(q);
  const auto first = submit(*q, "acme-corp/greet");
  submit(*q, "acme-corp/greet");
  submit(*q, "zeta/api");
  submit(*q, "acme1/api");  // after acme-corp bytewise, before it in en_US's collation
  auto draft = q->submit(app_id("acme-corp/greet"), digest_of('5'), digest_of('c'),
                         BuildPriority::kNormal, SubmitOptions{.kind = BuildKind::kDraft});
  ASSERT_TRUE(draft.ok()) << draft.status().to_string();
  const auto cancelled = submit(*q, "zeta/api");
  ASSERT_TRUE(q->request_cancel(cancelled.id).ok());
  EXPECT_EQ(claim_id(*q, "worker-1"), first.id);

  auto stats = read_fresh();
  ASSERT_TRUE(stats.ok()) << stats.status().to_string();
  EXPECT_EQ(queued_text(*stats), "acme-corp=2 acme1=1 zeta=1 ");  // the draft counts with its org
  EXPECT_EQ(count_of(*stats, BuildState::kQueued, BuildKind::kVersion), 3);
  EXPECT_EQ(count_of(*stats, BuildState::kQueued, BuildKind::kDraft), 1);
  EXPECT_EQ(count_of(*stats, BuildState::kRunning, BuildKind::kVersion), 1);
  EXPECT_EQ(count_of(*stats, BuildState::kCancelled, BuildKind::kVersion), 1);
  EXPECT_EQ(count_of(*stats, BuildState::kSucceeded, BuildKind::kVersion), 0);
  EXPECT_EQ(stats->leases_lost, 0);
}

TEST_P(QueueStatsTest, CountALeaseTakenBackAndKeepItOnceTheBuildEnds) {
  auto q = open_queue();
  ASSERT_TRUE(q);
  const auto b = submit(*q, "acme-corp/greet");
  auto first = q->claim("worker-1", kLease);
  ASSERT_TRUE(first.ok() && first->has_value());
  advance(kLease);
  ASSERT_TRUE(q->sweep().ok());  // the lease expired: the build is queued again

  auto stats = read_fresh();
  ASSERT_TRUE(stats.ok()) << stats.status().to_string();
  EXPECT_EQ(stats->leases_lost, 1);
  EXPECT_EQ(queued_text(*stats), "acme-corp=1 ");
  EXPECT_EQ(count_of(*stats, BuildState::kRunning, BuildKind::kVersion), 0);

  // Claimed again and published: the lost lease stays counted.
  auto second = q->claim("worker-2", kLease);
  ASSERT_TRUE(second.ok() && second->has_value());
  auto versions = open_versions();
  ASSERT_TRUE(versions);
  ASSERT_TRUE(commit(*versions, *q, b, (*second)->epoch, digest_of('e')).ok());
  stats = read_fresh();
  ASSERT_TRUE(stats.ok()) << stats.status().to_string();
  EXPECT_EQ(stats->leases_lost, 1);
  EXPECT_TRUE(stats->queued_by_org.empty());
  EXPECT_EQ(count_of(*stats, BuildState::kSucceeded, BuildKind::kVersion), 1);
}

// SQLite's reader keeps the counts of finished builds below the oldest unfinished one; read
// after read, a kept reader must give what a fresh reader counting every build gives.
TEST_P(QueueStatsTest, ReadAgainAgreeWithAFullCount) {
  auto q = open_queue(/*max_running_per_org=*/10);
  auto versions = open_versions();
  ASSERT_TRUE(q && versions);
  auto expect_agree = [&](const char* when) {
    SCOPED_TRACE(when);
    auto again = read_kept();
    auto fresh = read_fresh();
    ASSERT_TRUE(again.ok() && fresh.ok());
    EXPECT_EQ(queued_text(*again), queued_text(*fresh));
    EXPECT_EQ(again->leases_lost, fresh->leases_lost);
    for (std::size_t i = 0; i < fresh->by_state.size(); ++i) {
      EXPECT_EQ(again->by_state[i].builds, fresh->by_state[i].builds)
          << build_state_name(fresh->by_state[i].state);
    }
  };
  std::vector<BuildRecord> builds;
  for (int i = 0; i < 4; ++i) builds.push_back(submit(*q, "acme-corp/greet"));
  expect_agree("all queued");
  // The oldest stays running throughout; the others end one way or another behind it.
  auto oldest = q->claim("w", kLease);
  ASSERT_TRUE(oldest.ok() && oldest->has_value());
  auto second = q->claim("w", kLease);
  ASSERT_TRUE(second.ok() && second->has_value());
  ASSERT_TRUE(commit(*versions, *q, builds[1], (*second)->epoch, digest_of('1')).ok());
  ASSERT_TRUE(q->request_cancel(builds[2].id).ok());
  expect_agree("one published behind a running one");
  advance(kLease);
  ASSERT_TRUE(q->sweep().ok());  // the oldest one's lease expired: queued again
  expect_agree("a lease taken back");
  auto again = q->claim("w", kLease);
  ASSERT_TRUE(again.ok() && again->has_value());
  EXPECT_EQ((*again)->build.id, builds[0].id);
  ASSERT_TRUE(commit(*versions, *q, builds[0], (*again)->epoch, digest_of('2')).ok());
  expect_agree("the oldest published: everything below builds[3] is frozen");
  auto last = q->claim("w", kLease);
  ASSERT_TRUE(last.ok() && last->has_value());
  ASSERT_TRUE(q->fail(builds[3].id, (*last)->epoch, invalid_argument("broken"), false).ok());
  expect_agree("nothing unfinished");
  submit(*q, "zeta/api");
  expect_agree("a new build after everything was frozen");
  auto stats = read_kept();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(count_of(*stats, BuildState::kSucceeded, BuildKind::kVersion), 2);
  EXPECT_EQ(count_of(*stats, BuildState::kCancelled, BuildKind::kVersion), 1);
  EXPECT_EQ(count_of(*stats, BuildState::kFailed, BuildKind::kVersion), 1);
  EXPECT_EQ(count_of(*stats, BuildState::kQueued, BuildKind::kVersion), 1);
  EXPECT_EQ(stats->leases_lost, 1);
}

TEST_P(QueueStatsTest, NameTheDatabaseWhenTheQueueHasNoTables) {
  auto stats = read_fresh();  // nothing opened the queue: a database without its tables
  ASSERT_FALSE(stats.ok());
  EXPECT_TRUE(
      is_error(stats.status(), Code::kInternal, "reading the queue's figures from " + store_name()))
      << stats.status().to_string();
}

}  // namespace
}  // namespace ignite::store
