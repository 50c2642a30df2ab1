// The SQLite wrapper's error paths: a failed bind is never lost.
#include "builder/store/sqlite.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace ignite::store
