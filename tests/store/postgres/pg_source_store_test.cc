// Draft sources in PostgreSQL (pg_source_store.h), and workers::SourceStore on a shared store:
// what one node keeps, another node finds (its own cache directory filled on first use), and
// bytes that do not match their digest are refused rather than built.
#include "builder/store/postgres/pg_source_store.h"

#include <gtest/gtest.h>

#include "builder/util/file_io.h"
#include "builder/util/sha256.h"
#include "tests/testing/postgres_server.h"
#include "tests/testing/temp_dir.h"
#include "workers/source_store.h"

namespace ignite::store {
namespace {

class PgSourceStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    IGNITE_TAKE_POSTGRES_DATABASE(url_);
  }
  StoreBackend node(const std::string& name) {
    auto b = StoreBackend::make(dir_ / name, url_);
    EXPECT_TRUE(b.ok()) << b.status().to_string();
    return *b;
  }
  std::string url_;
  ignite::testing::TempDir dir_;
};

TEST_F(PgSourceStoreTest, KeepsBytesOnceAndGivesThemBack) {
  auto store = PgSourceStore::open(url_);
  ASSERT_TRUE(store.ok()) << store.status().to_string();
  std::string bytes("\x00\x01\xff tar bytes\n", 14);
  const std::string digest = "sha256:" + sha256_hex(bytes);
  ASSERT_TRUE(store->put(digest, bytes, 1).ok());
  ASSERT_TRUE(store->put(digest, bytes, 2).ok());  // again: a no-op
  auto got = store->get(digest);
  ASSERT_TRUE(got.ok()) << got.status().to_string();
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ(**got, bytes);
  auto missing = store->get("sha256:" + std::string(64, '0'));
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
  // Never changed once kept.
  EXPECT_NE(ignite::testing::shared_postgres().run_sql(
                url_.substr(url_.rfind('/') + 1), "UPDATE sources SET bytes = 'x'::bytea"),
            "");
}

TEST_F(PgSourceStoreTest, WhatOneNodeKeepsAnotherNodeFinds) {
  const workers::SourceStore a(node("node-a"));
  const workers::SourceStore b(node("node-b"));
  const std::string bytes = "def handler(payload, ctx):\n    return payload\n";
  auto digest = a.put(bytes);
  ASSERT_TRUE(digest.ok()) << digest.status().to_string();
  auto path = b.path(*digest);
  ASSERT_TRUE(path.ok()) << path.status().to_string();
  EXPECT_EQ(path->rfind(dir_ / "node-b", 0), 0u) << *path;  // b's own cache
  auto read = read_file(*path);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(*read, bytes);
  auto again = b.path(*digest);  // from the cache now
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *path);
  auto unknown = b.path("sha256:" + std::string(64, 'a'));
  EXPECT_EQ(unknown.status().code(), Code::kNotFound);
}

TEST_F(PgSourceStoreTest, BytesThatDoNotMatchTheirDigestAreRefused) {
  const std::string claimed = "sha256:" + sha256_hex("what was submitted");
  const std::string database = url_.substr(url_.rfind('/') + 1);
  ASSERT_TRUE(PgSourceStore::open(url_).ok());  // the schema
  ASSERT_EQ(ignite::testing::shared_postgres().run_sql(
                database, "INSERT INTO sources VALUES ('" + claimed +
                              "', convert_to('something else', 'UTF8'), 0)"),
            "");
  const workers::SourceStore b(node("node-b"));
  auto path = b.path(claimed);
  ASSERT_FALSE(path.ok());
  EXPECT_EQ(path.status().code(), Code::kDataLoss);
  EXPECT_NE(path.status().message().find(claimed), std::string::npos);
}

}  // namespace
}  // namespace ignite::store
