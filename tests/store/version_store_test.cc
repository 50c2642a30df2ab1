#include "builder/store/sqlite_version_store.h"

#include <gtest/gtest.h>

#include <thread>

#include "tests/testing/temp_dir.h"

namespace ignite::store {
namespace {

AppId greet() { return *AppId::parse("acme-corp/greet"); }

VersionRecord record(const std::string& digest) {
  VersionRecord r;
  r.manifest_digest = digest;
  r.code_hash = "sha256:c";
  r.base_digest = "sha256:b";
  r.inputs = "{}";
  return r;
}

Status publish_ok(StoreTx&, std::int64_t) { return ok_status(); }

TEST(VersionStoreTest, NumbersAreOneTwoThreePerApp) {
  testing::TempDir dir;
  auto store = SqliteVersionStore::open(dir / "ignite.db");
  ASSERT_TRUE(store.ok()) << store.status().to_string();
  for (int i = 1; i <= 3; ++i) {
    auto v = store->commit_version(greet(), record("sha256:m" + std::to_string(i)), publish_ok);
    ASSERT_TRUE(v.ok()) << v.status().to_string();
    EXPECT_EQ(v->number, i);
  }
  auto other =
      store->commit_version(*AppId::parse("acme-corp/other"), record("sha256:x"), publish_ok);
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(other->number, 1);
  auto list = store->versions(greet());
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 3u);
  EXPECT_EQ((*list)[2].manifest_digest, "sha256:m3");
  EXPECT_EQ(*store->latest_number(greet()), 3);
}

TEST(VersionStoreTest, FailedPublishUsesNoNumber) {
  testing::TempDir dir;
  auto store = SqliteVersionStore::open(dir / "ignite.db");
  ASSERT_TRUE(store.ok());
  std::int64_t offered = 0;
  auto failed = store->commit_version(greet(), record("sha256:a"), [&](StoreTx&, std::int64_t n) {
    offered = n;
    return unavailable("registry went away");
  });
  EXPECT_EQ(failed.status().code(), Code::kUnavailable);
  EXPECT_EQ(offered, 1);
  auto v = store->commit_version(greet(), record("sha256:b"), publish_ok);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->number, 1);
  EXPECT_EQ(store->versions(greet())->size(), 1u);
}

TEST(VersionStoreTest, VersionsNeverChange) {
  testing::TempDir dir;
  auto store = SqliteVersionStore::open(dir / "ignite.db");
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE(store->commit_version(greet(), record("sha256:a"), publish_ok).ok());
  Status update = store->database().exec("UPDATE versions SET manifest_digest = 'sha256:evil'");
  EXPECT_EQ(update.code(), Code::kFailedPrecondition);
  EXPECT_NE(update.message().find("versions are immutable"), std::string::npos) << update.message();
  EXPECT_EQ(store->database().exec("DELETE FROM versions").code(), Code::kFailedPrecondition);
  EXPECT_EQ(store->versions(greet())->at(0).manifest_digest, "sha256:a");
}

TEST(VersionStoreTest, RefusesNewerSchema) {
  testing::TempDir dir;
  {
    auto store = SqliteVersionStore::open(dir / "ignite.db");
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE(
        store->database().exec("UPDATE meta SET value = '99' WHERE key = 'schema_version'").ok());
  }
  auto again = SqliteVersionStore::open(dir / "ignite.db");
  EXPECT_EQ(again.status().code(), Code::kFailedPrecondition);
  EXPECT_NE(again.status().message().find("has schema version 99"), std::string::npos);
}

TEST(VersionStoreTest, MissingAppIsNotFound) {
  testing::TempDir dir;
  auto store = SqliteVersionStore::open(dir / "ignite.db");
  ASSERT_TRUE(store.ok());
  EXPECT_EQ(store->versions(greet()).status().code(), Code::kNotFound);
  EXPECT_EQ(*store->latest_number(greet()), 0);
}

// Separate connections contend like separate processes do: every commit gets its own number.
TEST(VersionStoreTest, ConcurrentWritersGetGaplessNumbers) {
  testing::TempDir dir;
  ASSERT_TRUE(SqliteVersionStore::open(dir / "ignite.db").ok());
  constexpr int kWriters = 6;
  constexpr int kEach = 5;
  std::vector<std::thread> threads;
  std::vector<std::vector<std::int64_t>> got(kWriters);
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      auto store = SqliteVersionStore::open(dir / "ignite.db");
      ASSERT_TRUE(store.ok()) << store.status().to_string();
      for (int i = 0; i < kEach; ++i) {
        auto v = store->commit_version(greet(), record("sha256:w" + std::to_string(w)), publish_ok);
        ASSERT_TRUE(v.ok()) << v.status().to_string();
        got[w].push_back(v->number);
      }
    });
  }
  for (auto& t : threads) t.join();
  std::vector<std::int64_t> all;
  for (auto& g : got) all.insert(all.end(), g.begin(), g.end());
  std::sort(all.begin(), all.end());
  ASSERT_EQ(all.size(), static_cast<std::size_t>(kWriters * kEach));
  for (std::size_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i], static_cast<std::int64_t>(i + 1));
}

}  // namespace
}  // namespace ignite::store
