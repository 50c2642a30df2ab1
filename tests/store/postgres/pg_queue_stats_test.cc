// PgQueueStatsReader where PostgreSQL differs from SQLite (store_pg_test): a build's seq may
// commit after a higher one was committed, finished and read, which a reader keeping the counts
// below the oldest unfinished seq (as SQLite's does) would count twice, then never. The figures
// both backends share are queue_stats_test.cc's.
#include "builder/store/postgres/pg_queue_stats.h"

#include <gtest/gtest.h>

#include "builder/store/postgres/pg_schema.h"
#include "tests/testing/postgres_server.h"

namespace ignite::store {
namespace {

std::int64_t count_of(const QueueStats& stats, BuildState state) {
  for (const auto& c : stats.by_state) {
    if (c.state == state && c.kind == BuildKind::kVersion) return c.builds;
  }
  ADD_FAILURE() << "no count for " << build_state_name(state);
  return -1;
}

class PgQueueStatsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    IGNITE_TAKE_POSTGRES_DATABASE(url_);
    auto c = PgConnection::open(url_);
    ASSERT_TRUE(c.ok()) << c.status().to_string();
    conn_.emplace(std::move(c).value());
    ASSERT_TRUE(ensure_pg_schema(*conn_).ok());
  }
  // A QUEUED version build `id` of acme-corp/greet, written past the queue (so that the test
  // decides when its transaction commits); its seq is drawn from the identity as the queue's is.
  static Status insert_build(PgConnection& conn, const std::string& id) {
    return conn
        .exec("inserting " + id,
              "INSERT INTO builds (id, org, app, state, priority, kind, source_kind, stage, "
              "source_digest, code_hash, version, manifest_digest, lock_hash, error, attempts, "
              "max_attempts, leases_lost, cancel_requested, submitted_at_ms, started_at_ms, "
              "finished_at_ms, deadline_ms, not_before_ms, lease_owner, lease_epoch, "
              "lease_expires_ms, error_code, source_commit) VALUES ($1, 'acme-corp', 'greet', "
              "'QUEUED', 1, 'VERSION', 'CODE', '', '', '', 0, '', '', '', 0, 3, 0, 0, 0, 0, 0, "
              "0, 0, '', 0, 0, '', '')",
              {id})
        .status();
  }
  Status end_build(const std::string& id, const std::string& state) {
    return conn_->exec("ending " + id, "UPDATE builds SET state = $2 WHERE id = $1", {id, state})
        .status();
  }
  std::int64_t seq_of(const std::string& id) {
    auto r = conn_->exec("seq", "SELECT seq FROM builds WHERE id = $1", {id});
    EXPECT_TRUE(r.ok() && !r->empty());
    return r.ok() && !r->empty() ? *r->integer(0, 0) : -1;
  }

  std::string url_;
  std::optional<PgConnection> conn_;
};

TEST_F(PgQueueStatsTest, ABuildWhoseSeqCommitsLateIsCountedOnceThroughout) {
  PgQueueStatsReader reader;  // one reader for every read, as /metrics keeps one
  auto late = PgConnection::open(url_);
  ASSERT_TRUE(late.ok()) << late.status().to_string();
  ASSERT_TRUE(late->exec("begin", "BEGIN").ok());
  ASSERT_TRUE(insert_build(*late, "b-late").ok());  // draws the lower seq, commits later
  ASSERT_TRUE(insert_build(*conn_, "b-early").ok());
  ASSERT_TRUE(end_build("b-early", "CANCELLED").ok());

  auto stats = reader.read(*conn_);
  ASSERT_TRUE(stats.ok()) << stats.status().to_string();
  EXPECT_EQ(count_of(*stats, BuildState::kCancelled), 1);
  EXPECT_EQ(count_of(*stats, BuildState::kQueued), 0);  // b-late not committed yet

  ASSERT_TRUE(late->exec("commit", "COMMIT").ok());
  EXPECT_LT(seq_of("b-late"), seq_of("b-early"));  // what the test is about
  stats = reader.read(*conn_);
  ASSERT_TRUE(stats.ok()) << stats.status().to_string();
  EXPECT_EQ(count_of(*stats, BuildState::kCancelled), 1);
  EXPECT_EQ(count_of(*stats, BuildState::kQueued), 1);
  ASSERT_EQ(stats->queued_by_org.size(), 1u);
  EXPECT_EQ(stats->queued_by_org[0].org, "acme-corp");

  ASSERT_TRUE(end_build("b-late", "FAILED").ok());
  stats = reader.read(*conn_);
  ASSERT_TRUE(stats.ok()) << stats.status().to_string();
  EXPECT_EQ(count_of(*stats, BuildState::kCancelled), 1);
  EXPECT_EQ(count_of(*stats, BuildState::kFailed), 1);
  EXPECT_EQ(count_of(*stats, BuildState::kQueued), 0);
  EXPECT_TRUE(stats->queued_by_org.empty());
}

}  // namespace
}  // namespace ignite::store
