// The SQLite wrapper's error paths: a failed bind is never lost.
#include "builder/store/sqlite.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "tests/testing/temp_dir.h"

namespace ignite::store {
namespace {

TEST(SqliteTest, AFailedBindIsReportedByTheNextStepAndForgottenByReset) {
  testing::TempDir dir;
  auto db = Database::open(dir.path() + "/t.db");
  ASSERT_TRUE(db.ok()) << db.status().message();
  ASSERT_TRUE(db->exec("CREATE TABLE t (a INTEGER, b TEXT)").ok());
  auto insert = db->prepare("INSERT INTO t (a, b) VALUES (?1, ?2)");
  ASSERT_TRUE(insert.ok()) << insert.status().message();

  // Parameter 3 does not exist: the insert must not run with ?1 and ?2 alone.
  Status s = insert->bind(1, std::int64_t{7}).bind(3, "x").bind(2, "y").run();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("binding parameter 3"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("INSERT INTO t"), std::string::npos) << s.message();

  auto count = db->prepare("SELECT count(*) FROM t");
  ASSERT_TRUE(count.ok());
  ASSERT_TRUE(*count->step());
  EXPECT_EQ(count->column_int(0), 0);

  insert->reset();
  ASSERT_TRUE(insert->bind(1, std::int64_t{7}).bind(2, "y").run().ok());
  count->reset();
  ASSERT_TRUE(*count->step());
  EXPECT_EQ(count->column_int(0), 1);
}

// Opening a new database from many connections at once: each switches it to WAL, which
// deadlocks between them and makes SQLite answer SQLITE_BUSY without its busy handler.
TEST(SqliteTest, ManyConnectionsOpenANewDatabaseAtOnce) {
  for (int round = 0; round < 20; ++round) {
    testing::TempDir dir;
    const std::string path = dir.path() + "/new.db";
    std::atomic<int> ready{0};
    std::vector<Status> results(8);
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([&, t] {
        ++ready;
        while (ready.load() < 8) std::this_thread::yield();
        auto db = Database::open(path);
        results[t] = db.ok() ? db->exec("CREATE TABLE IF NOT EXISTS t (a INTEGER)") : db.status();
      });
    }
    for (auto& th : threads) th.join();
    for (const Status& r : results) ASSERT_TRUE(r.ok()) << "round " << round << ": " << r.message();
  }
}

}  // namespace
}  // namespace ignite::store
