// PgStoreTx, the PostgreSQL backend's StoreTx, on a real connection (store_pg_test): it hands out
// its own connection and refuses to be a SQLite one, so a SQLite queue cannot join it.
#include "builder/store/postgres/pg_store_tx.h"

#include <gtest/gtest.h>

#include "builder/store/sqlite_build_queue.h"
#include "tests/store/build_queue_fixture.h"
#include "tests/testing/postgres_server.h"
#include "tests/testing/temp_dir.h"

namespace ignite::store {
namespace {

class PgStoreTxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    IGNITE_TAKE_POSTGRES_DATABASE(url_);
  }
  std::string url_;
};

TEST_F(PgStoreTxTest, APostgresTransactionHandsOutItsOwnConnectionAndNoSqliteOne) {
  auto conn = PgConnection::open(url_);
  ASSERT_TRUE(conn.ok()) << conn.status().to_string();
  Status s = conn->transaction("a transaction", [&]() -> Status {
    PgStoreTx tx(*conn);
    StoreTx& opaque = tx;
    EXPECT_EQ(opaque.backend(), "postgres");
    auto got = opaque.postgres();
    EXPECT_TRUE(got.ok() && *got == &*conn);
    auto sqlite = opaque.sqlite();
    EXPECT_TRUE(is_error(sqlite.status(), Code::kFailedPrecondition,
                         "the version store and the queue are in different databases (a "
                         "postgres transaction where a sqlite one is needed)"));
    return ok_status();
  });
  EXPECT_TRUE(s.ok()) << s.to_string();
}

// A SQLite queue's fences refuse a PostgreSQL transaction before they touch anything.
TEST_F(PgStoreTxTest, ASqliteQueueRefusesAPostgresTransaction) {
  testing::TempDir dir;
  auto q = SqliteBuildQueue::open(dir / "ignite.db");
  ASSERT_TRUE(q.ok()) << q.status().to_string();
  auto conn = PgConnection::open(url_);
  ASSERT_TRUE(conn.ok()) << conn.status().to_string();
  Status s = conn->transaction("a transaction", [&]() -> Status {
    PgStoreTx tx(*conn);
    const BuildOutcome outcome{1, digest_of('a'), ""};
    EXPECT_TRUE(is_error(q->succeed_in_transaction(tx, "b-" + std::string(32, '0'), 1, outcome),
                         Code::kFailedPrecondition,
                         "the version store and the queue are in different databases"));
    return ok_status();
  });
  EXPECT_TRUE(s.ok()) << s.to_string();
}

}  // namespace
}  // namespace ignite::store
