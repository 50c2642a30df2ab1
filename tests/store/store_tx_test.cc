#include "builder/store/store_tx.h"

#include <gtest/gtest.h>

#include "builder/store/sqlite_store_tx.h"
#include "tests/store/other_backend_tx.h"
#include "tests/testing/temp_dir.h"

namespace ignite::store {
namespace {

TEST(StoreTxTest, ASqliteTransactionHandsOutItsOwnConnection) {
  testing::TempDir dir;
  auto db = Database::open(dir / "ignite.db", Database::Create::kIfMissing);
  ASSERT_TRUE(db.ok()) << db.status().to_string();
  SqliteStoreTx tx(*db);
  StoreTx& opaque = tx;
  EXPECT_EQ(opaque.backend(), "sqlite");
  auto got = opaque.sqlite();
  ASSERT_TRUE(got.ok()) << got.status().to_string();
  EXPECT_EQ(*got, &*db);
  auto pg = opaque.postgres();
  EXPECT_EQ(pg.status().code(), Code::kFailedPrecondition);
  EXPECT_NE(pg.status().message().find("a sqlite transaction where a postgres one is needed"),
            std::string::npos)
      << pg.status().to_string();
}

TEST(StoreTxTest, AnotherBackendsTransactionIsNoSqliteConnection) {
  OtherBackendTx tx;
  auto got = static_cast<StoreTx&>(tx).sqlite();
  EXPECT_EQ(got.status().code(), Code::kFailedPrecondition);
  EXPECT_NE(
      got.status().message().find("the version store and the queue are in different databases"),
      std::string::npos)
      << got.status().to_string();
  EXPECT_NE(got.status().message().find("a postgres transaction"), std::string::npos)
      << got.status().to_string();
}

}  // namespace
}  // namespace ignite::store
