// Which database a store's records are in (store_backend.h): the flag's value checked, and
// messages that never show a password. Opening each kind is tested with its backend's own tests.
#include "builder/store/store_backend.h"

#include <gtest/gtest.h>

namespace ignite::store {
namespace {

TEST(StoreBackendTest, ADirectoryAloneIsTheEmbeddedStore) {
  const StoreBackend store("/var/lib/ignite-builder");
  EXPECT_FALSE(store.is_postgres());
  EXPECT_EQ(store.dir(), "/var/lib/ignite-builder");
  EXPECT_EQ(store.describe(), "/var/lib/ignite-builder/ignite.db");
  auto made = StoreBackend::make("/srv/store", "");
  ASSERT_TRUE(made.ok()) << made.status().to_string();
  EXPECT_FALSE(made->is_postgres());
  EXPECT_EQ(made->sqlite_path(), "/srv/store/ignite.db");
}

TEST(StoreBackendTest, APostgresUrlKeepsTheRecordsThereWithoutShowingItsPassword) {
  for (const std::string url : {"postgres://builder:s3cret-pw@db.internal:5432/ignite",
                                "postgresql://builder:s3cret-pw@db.internal/ignite?sslmode=require"}) {
    auto made = StoreBackend::make("/srv/cache", url);
    ASSERT_TRUE(made.ok()) << made.status().to_string();
    EXPECT_TRUE(made->is_postgres());
    EXPECT_EQ(made->postgres_url(), url);
    EXPECT_EQ(made->dir(), "/srv/cache");
    EXPECT_EQ(made->describe().find("s3cret-pw"), std::string::npos) << made->describe();
    EXPECT_NE(made->describe().find("db.internal"), std::string::npos) << made->describe();
  }
}

TEST(StoreBackendTest, AnotherKindOfDatabaseIsRefusedByName) {
  for (const std::string bad : {"mysql://root:hunter22@db/ignite", "/srv/ignite.db", "postgres:/x"}) {
    auto made = StoreBackend::make("/srv/store", bad);
    ASSERT_FALSE(made.ok()) << bad;
    EXPECT_EQ(made.status().code(), Code::kInvalidArgument);
    EXPECT_NE(made.status().message().find("--database takes a postgres://"), std::string::npos);
    EXPECT_EQ(made.status().message().find("hunter22"), std::string::npos)
        << made.status().message();
  }
}

}  // namespace
}  // namespace ignite::store
