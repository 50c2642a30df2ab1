// The version store: gapless numbers, immutable versions, publish locks, intents and the
// registry queries. One suite over every backend: each case runs against SqliteVersionStore
// ("Sqlite", in store_test) and PgVersionStore ("Postgres", in store_pg_test, against a real
// server; skipped without PostgreSQL, failed instead under CI), which must answer alike, errors
// and messages included. What only SQLite has (its schema versions) is tested on SQLite alone.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <future>
#include <memory>
#include <thread>

#include "builder/store/postgres/pg_connection.h"
#include "builder/store/postgres/pg_version_store.h"
#include "builder/store/sqlite_version_store.h"
#include "tests/store/build_queue_fixture.h"
#include "tests/testing/postgres_server.h"
#include "tests/testing/temp_dir.h"

namespace ignite::store {
namespace {

enum class Backend { kSqlite, kPostgres };

std::string backend_name(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::kSqlite ? "Sqlite" : "Postgres";
}

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

constexpr std::int64_t kNow = 1'700'000'000'000;
constexpr std::int64_t kLease = 30'000;

class VersionStoreTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (GetParam() == Backend::kPostgres) {
      IGNITE_TAKE_POSTGRES_DATABASE(url_);
    }
  }
  // A store of this test's database on a connection of its own (as another process's).
  std::unique_ptr<VersionStore> open() {
    if (GetParam() == Backend::kSqlite) {
      auto s = SqliteVersionStore::open(dir_ / "ignite.db");
      if (!s.ok()) ADD_FAILURE() << s.status().to_string();
      return s.ok() ? std::make_unique<SqliteVersionStore>(std::move(s).value()) : nullptr;
    }
    auto s = PgVersionStore::open(url_);
    if (!s.ok()) ADD_FAILURE() << s.status().to_string();
    return s.ok() ? std::make_unique<PgVersionStore>(std::move(s).value()) : nullptr;
  }
  // Runs `sql` on the database itself, past the store (what a hand-written statement does).
  Status raw(const std::string& sql) {
    if (GetParam() == Backend::kSqlite) {
      auto db = Database::open(dir_ / "ignite.db");
      if (!db.ok()) return db.status();
      return db->exec(sql);
    }
    auto conn = PgConnection::open(url_);
    if (!conn.ok()) return conn.status();
    return conn->exec("a raw statement", sql).status();
  }
  // The number of rows in meta with key `key`, read past the store.
  std::int64_t meta_rows(const std::string& key) {
    const std::string sql = "SELECT count(*) FROM meta WHERE key = '" + key + "'";
    if (GetParam() == Backend::kSqlite) {
      auto db = Database::open(dir_ / "ignite.db");
      EXPECT_TRUE(db.ok());
      auto q = db->prepare(sql);
      EXPECT_TRUE(q.ok());
      EXPECT_TRUE(*q->step());
      return q->column_int(0);
    }
    auto conn = PgConnection::open(url_);
    EXPECT_TRUE(conn.ok());
    auto r = conn->exec("counting", sql);
    EXPECT_TRUE(r.ok()) << r.status().to_string();
    return *r->integer(0, 0);
  }
  // A statement writing `key` into meta through the guard's transaction, whichever backend's.
  static Status write_meta_through(StoreTx& tx, const std::string& key) {
    const std::string sql = "INSERT INTO meta (key, value) VALUES ('" + key + "', 'x')";
    if (tx.backend() == "sqlite") {
      IGNITE_ASSIGN_OR_RETURN(Database * db, tx.sqlite());
      return db->exec(sql);
    }
    IGNITE_ASSIGN_OR_RETURN(PgConnection * conn, tx.postgres());
    return conn->exec("writing meta in the guard", sql).status();
  }

  testing::TempDir dir_;
  std::string url_;
};

#ifdef IGNITE_VERSION_STORE_BACKEND_POSTGRES
INSTANTIATE_TEST_SUITE_P(Postgres, VersionStoreTest, ::testing::Values(Backend::kPostgres),
                         backend_name);
#else
INSTANTIATE_TEST_SUITE_P(Sqlite, VersionStoreTest, ::testing::Values(Backend::kSqlite),
                         backend_name);
#endif

TEST_P(VersionStoreTest, NumbersAreOneTwoThreePerApp) {
  auto store = open();
  ASSERT_TRUE(store);
  for (int i = 1; i <= 3; ++i) {
    auto v = store->commit_version(greet(), record("sha256:m" + std::to_string(i)), publish_ok);
    ASSERT_TRUE(v.ok()) << v.status().to_string();
    EXPECT_EQ(v->number, i);
    EXPECT_GT(v->created_at, 0);
  }
  auto other =
      store->commit_version(*AppId::parse("acme-corp/other"), record("sha256:x"), publish_ok);
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(other->number, 1);
  auto list = store->versions(greet());
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 3u);
  EXPECT_EQ((*list)[2].manifest_digest, "sha256:m3");
  EXPECT_EQ((*list)[2].number, 3);
  EXPECT_EQ((*list)[2].inputs, "{}");
  EXPECT_EQ(*store->latest_number(greet()), 3);
}

TEST_P(VersionStoreTest, FailedPublishUsesNoNumber) {
  auto store = open();
  ASSERT_TRUE(store);
  std::int64_t offered = 0;
  auto failed = store->commit_version(greet(), record("sha256:a"), [&](StoreTx&, std::int64_t n) {
    offered = n;
    return unavailable("registry went away");
  });
  EXPECT_TRUE(is_error(failed.status(), Code::kUnavailable, "registry went away"));
  EXPECT_EQ(offered, 1);
  auto v = store->commit_version(greet(), record("sha256:b"), publish_ok);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->number, 1);
  EXPECT_EQ(store->versions(greet())->size(), 1u);
}

// The guard gets the transaction of its own backend, and what it writes through it commits or
// rolls back with the version.
TEST_P(VersionStoreTest, TheGuardWritesInsideTheVersionsTransaction) {
  auto store = open();
  ASSERT_TRUE(store);
  auto failed = store->commit_version(greet(), record("sha256:a"), [&](StoreTx& tx, std::int64_t) {
    IGNITE_RETURN_IF_ERROR(write_meta_through(tx, "guard-rolled-back"));
    return aborted("fence lost");
  });
  EXPECT_TRUE(is_error(failed.status(), Code::kAborted, "fence lost"));
  EXPECT_EQ(meta_rows("guard-rolled-back"), 0);
  std::string refused;
  auto v = store->commit_version(greet(), record("sha256:b"), [&](StoreTx& tx, std::int64_t) {
    const bool sqlite = GetParam() == Backend::kSqlite;
    EXPECT_EQ(tx.backend(), sqlite ? "sqlite" : "postgres");
    refused = sqlite ? tx.postgres().status().to_string() : tx.sqlite().status().to_string();
    return write_meta_through(tx, "guard-committed");
  });
  ASSERT_TRUE(v.ok()) << v.status().to_string();
  EXPECT_EQ(v->number, 1);
  EXPECT_EQ(meta_rows("guard-committed"), 1);
  EXPECT_NE(refused.find("the version store and the queue are in different databases"),
            std::string::npos)
      << refused;
}

TEST_P(VersionStoreTest, VersionsNeverChange) {
  auto store = open();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->commit_version(greet(), record("sha256:a"), publish_ok).ok());
  Status update = raw("UPDATE versions SET manifest_digest = 'sha256:evil'");
  EXPECT_TRUE(is_error(update, Code::kFailedPrecondition, "versions are immutable"));
  EXPECT_EQ(raw("DELETE FROM versions").code(), Code::kFailedPrecondition);
  // Nor can a hand-written insert skip a number on PostgreSQL, whose schema has a gapless
  // trigger (SQLite's schema.sql has none: its write lock and the store are the only writers).
  if (GetParam() == Backend::kPostgres) {
    EXPECT_EQ(raw("INSERT INTO versions (app_id, number, manifest_digest, code_hash, lock_hash, "
                  "base_digest, inputs, created_at) SELECT id, 3, 'd', 'c', 'l', 'b', '{}', 1 "
                  "FROM apps")
                  .code(),
              Code::kFailedPrecondition);
  }
  EXPECT_EQ(store->versions(greet())->at(0).manifest_digest, "sha256:a");
}

TEST_P(VersionStoreTest, MissingAppIsNotFound) {
  auto store = open();
  ASSERT_TRUE(store);
  EXPECT_TRUE(is_error(store->versions(greet()).status(), Code::kNotFound,
                       "no versions of acme-corp/greet in the store"));
  EXPECT_EQ(*store->latest_number(greet()), 0);
  EXPECT_TRUE(store->all_versions()->empty());
}

// Separate connections contend like separate processes do: every commit gets its own number,
// without a gap (SQLite: the write lock; PostgreSQL: the app's row locked before max(number)).
TEST_P(VersionStoreTest, ConcurrentWritersGetGaplessNumbers) {
  ASSERT_TRUE(open());
  constexpr int kWriters = 6;
  constexpr int kEach = 5;
  std::vector<std::thread> threads;
  std::vector<std::vector<std::int64_t>> got(kWriters);
  std::vector<std::string> errors(kWriters);
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      auto store = open();  // a connection of its own
      if (!store) return;
      for (int i = 0; i < kEach; ++i) {
        auto v = store->commit_version(greet(), record("sha256:w" + std::to_string(w)), publish_ok);
        if (!v.ok()) {
          errors[w] = v.status().to_string();
          return;
        }
        got[w].push_back(v->number);
      }
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& e : errors) EXPECT_EQ(e, "");
  std::vector<std::int64_t> all;
  for (auto& g : got) all.insert(all.end(), g.begin(), g.end());
  std::sort(all.begin(), all.end());
  ASSERT_EQ(all.size(), static_cast<std::size_t>(kWriters * kEach));
  for (std::size_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i], static_cast<std::int64_t>(i + 1));
  auto store = open();
  ASSERT_TRUE(store);
  EXPECT_EQ(store->versions(greet())->size(), static_cast<std::size_t>(kWriters * kEach));
}

TEST_P(VersionStoreTest, APublishLockIsHeldUntilItExpiresOrIsReleased) {
  auto store = open();
  ASSERT_TRUE(store);
  auto a = store->take_publish_lock(greet(), "worker-a", kNow, kLease);
  ASSERT_TRUE(a.ok() && a->has_value()) << a.status().to_string();
  EXPECT_EQ((*a)->epoch, 1);
  EXPECT_EQ((*a)->holder, "worker-a");
  VersionStore::LockBusy busy;
  auto b = store->take_publish_lock(greet(), "worker-b", kNow + 1, kLease, &busy);
  ASSERT_TRUE(b.ok());
  EXPECT_FALSE(b->has_value());
  EXPECT_EQ(busy.holder, "worker-a");
  EXPECT_EQ(busy.expires_ms, kNow + kLease);
  // Renewed, it runs longer; a lock of another app is another lock.
  ASSERT_TRUE(store->renew_publish_lock(greet(), **a, kNow + 10, kLease).ok());
  EXPECT_FALSE(
      store->take_publish_lock(greet(), "worker-b", kNow + kLease + 1, kLease)->has_value());
  EXPECT_TRUE(store->take_publish_lock(*AppId::parse("acme-corp/other"), "worker-b", kNow, kLease)
                  ->has_value());
  // Expired, it is taken with the next epoch, and the old holder's steps are refused.
  auto c = store->take_publish_lock(greet(), "worker-b", kNow + 10 + kLease + 1, kLease);
  ASSERT_TRUE(c.ok() && c->has_value());
  EXPECT_EQ((*c)->epoch, 2);
  EXPECT_TRUE(is_error(store->renew_publish_lock(greet(), **a, kNow, kLease), Code::kAborted,
                       "lease lost: the publish lock of acme-corp/greet was taken over by "
                       "worker-b (epoch 2); holder worker-a with epoch 1 may no longer publish"));
  // A release by the old holder is a no-op; by the holder it frees the lock at once.
  ASSERT_TRUE(store->release_publish_lock(greet(), **a).ok());
  EXPECT_FALSE(store->take_publish_lock(greet(), "worker-c", kNow + kLease, kLease)->has_value());
  ASSERT_TRUE(store->release_publish_lock(greet(), **c).ok());
  auto d = store->take_publish_lock(greet(), "worker-c", kNow + kLease, kLease);
  ASSERT_TRUE(d.ok() && d->has_value());
  EXPECT_EQ((*d)->epoch, 3);
  // A holder known to have stopped loses its lease before it expires.
  auto e =
      store->take_publish_lock(greet(), "worker-d", kNow + kLease + 1, kLease, nullptr, "worker-c");
  ASSERT_TRUE(e.ok() && e->has_value());
  EXPECT_EQ((*e)->epoch, 4);
}

TEST_P(VersionStoreTest, AnIntentTakesTheNextNumberAndCommitsItUnderTheLock) {
  auto store = open();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->commit_version(greet(), record("sha256:one"), publish_ok).ok());
  auto lock = store->take_publish_lock(greet(), "worker-a", kNow, kLease);
  ASSERT_TRUE(lock.ok() && lock->has_value());
  std::int64_t guarded = 0;
  auto intent = store->record_intent(greet(), record("sha256:two"), "registry.example:5000", "b-2",
                                     **lock, [&](StoreTx&, const PublishIntent& i) {
                                       guarded = i.record.number;
                                       return ok_status();
                                     });
  ASSERT_TRUE(intent.ok()) << intent.status().to_string();
  EXPECT_EQ(intent->record.number, 2);
  EXPECT_EQ(guarded, 2);
  EXPECT_EQ(intent->registry, "registry.example:5000");
  EXPECT_EQ(intent->build_id, "b-2");
  EXPECT_EQ(intent->lock_epoch, 1);
  auto found = store->publish_intent(greet());
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->record.number, 2);
  EXPECT_EQ((*found)->record.manifest_digest, "sha256:two");
  EXPECT_EQ((*found)->holder, "worker-a");
  EXPECT_EQ((*found)->build_id, "b-2");
  EXPECT_EQ((*found)->record.registries, std::vector<std::string>{"registry.example:5000"});

  // While it is in flight the number is spoken for: no commit takes it, no second intent.
  EXPECT_TRUE(is_error(store->commit_version(greet(), record("sha256:x"), publish_ok).status(),
                       Code::kUnavailable,
                       "version 2 of acme-corp/greet (sha256:two) is being published to "
                       "registry registry.example:5000 by build b-2 (publish lock holder "
                       "worker-a); wait for it to finish"));
  EXPECT_TRUE(is_error(
      store->record_intent(greet(), record("sha256:y"), "registry.example:5000", "b-3", **lock)
          .status(),
      Code::kFailedPrecondition, "; roll it forward first"));

  auto v = store->commit_intent(greet(), *intent, **lock);
  ASSERT_TRUE(v.ok()) << v.status().to_string();
  EXPECT_EQ(v->number, 2);
  EXPECT_FALSE(store->publish_intent(greet())->has_value());
  auto list = store->versions(greet());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[1].registries, std::vector<std::string>{"registry.example:5000"});
  EXPECT_EQ(*store->registry_tagged_numbers(greet(), "registry.example:5000"),
            std::vector<std::int64_t>{2});
  EXPECT_TRUE(store->registry_tagged_numbers(greet(), "other.example")->empty());
  // Committed, the intent is gone: committing it again is a lost lease.
  EXPECT_TRUE(is_error(store->commit_intent(greet(), *intent, **lock).status(), Code::kAborted,
                       "lease lost: the intent to publish version 2 of acme-corp/greet is gone"));
}

TEST_P(VersionStoreTest, AFailedGuardOrADroppedIntentLeavesTheNumberFree) {
  auto store = open();
  ASSERT_TRUE(store);
  auto lock = store->take_publish_lock(greet(), "worker-a", kNow, kLease);
  ASSERT_TRUE(lock.ok() && lock->has_value());
  auto refused = store->record_intent(
      greet(), record("sha256:a"), "r.example", "b-1", **lock,
      [](StoreTx&, const PublishIntent&) { return aborted("lease lost: the build's fence"); });
  EXPECT_TRUE(is_error(refused.status(), Code::kAborted, "the build's fence"));
  EXPECT_FALSE(store->publish_intent(greet())->has_value());
  auto intent = store->record_intent(greet(), record("sha256:a"), "r.example", "b-1", **lock);
  ASSERT_TRUE(intent.ok()) << intent.status().to_string();
  EXPECT_EQ(intent->record.number, 1);
  auto failed = store->commit_intent(greet(), *intent, **lock, [](StoreTx&, const PublishIntent&) {
    return aborted("fence lost at commit");
  });
  EXPECT_TRUE(is_error(failed.status(), Code::kAborted, "fence lost at commit"));
  EXPECT_TRUE(store->publish_intent(greet())->has_value());  // still there to roll forward
  ASSERT_TRUE(store->drop_intent(greet(), *intent, **lock).ok());
  EXPECT_FALSE(store->publish_intent(greet())->has_value());
  EXPECT_EQ(*store->latest_number(greet()), 0);
  auto v = store->commit_version(greet(), record("sha256:b"), publish_ok);
  ASSERT_TRUE(v.ok()) << v.status().to_string();
  EXPECT_EQ(v->number, 1);
}

// A holder whose lock was taken over may do nothing more; the new holder rolls its intent
// forward.
TEST_P(VersionStoreTest, TheNextHolderRollsALeftIntentForward) {
  auto store = open();
  ASSERT_TRUE(store);
  auto a = store->take_publish_lock(greet(), "worker-a", kNow, kLease);
  ASSERT_TRUE(a.ok() && a->has_value());
  auto intent = store->record_intent(greet(), record("sha256:a"), "r.example", "b-1", **a);
  ASSERT_TRUE(intent.ok());
  auto b = store->take_publish_lock(greet(), "worker-b", kNow + kLease + 1, kLease);
  ASSERT_TRUE(b.ok() && b->has_value());
  const std::string lost =
      "lease lost: the publish lock of acme-corp/greet was taken over by "
      "worker-b (epoch 2); holder worker-a with epoch 1";
  EXPECT_TRUE(is_error(store->commit_intent(greet(), *intent, **a).status(), Code::kAborted, lost));
  EXPECT_TRUE(is_error(store->drop_intent(greet(), *intent, **a), Code::kAborted, lost));
  EXPECT_TRUE(
      is_error(store->record_intent(greet(), record("sha256:z"), "r.example", "", **a).status(),
               Code::kAborted, lost));
  auto left = store->publish_intent(greet());
  ASSERT_TRUE(left.ok() && left->has_value());
  PublishIntent forward = **left;
  forward.record.inputs = "{\"recovered\":true}";
  auto v = store->commit_intent(greet(), forward, **b);
  ASSERT_TRUE(v.ok()) << v.status().to_string();
  EXPECT_EQ(v->number, 1);
  EXPECT_EQ(store->versions(greet())->at(0).inputs, "{\"recovered\":true}");
}

TEST_P(VersionStoreTest, RegistryQueriesFindAnotherAppWithTheSameBaseOrLock) {
  auto store = open();
  ASSERT_TRUE(store);
  const AppId other = *AppId::parse("acme-corp/other");
  const AppId third = *AppId::parse("beta-org/third");
  VersionRecord r = record("sha256:o1");
  r.lock_hash = "sha256:lock";
  r.registries = {"z.example", "a.example"};
  ASSERT_TRUE(store->commit_version(other, r, publish_ok).ok());
  ASSERT_TRUE(store->commit_version(third, record("sha256:t1"), publish_ok).ok());
  // Read back sorted.
  EXPECT_EQ(store->versions(other)->at(0).registries,
            (std::vector<std::string>{"a.example", "z.example"}));
  auto by_base = store->app_in_registry_with_base("a.example", "sha256:b", greet());
  ASSERT_TRUE(by_base.ok() && by_base->has_value()) << by_base.status().to_string();
  EXPECT_EQ((*by_base)->to_string(), "acme-corp/other");
  EXPECT_FALSE(store->app_in_registry_with_base("a.example", "sha256:b", other)->has_value());
  EXPECT_FALSE(store->app_in_registry_with_base("b.example", "sha256:b", greet())->has_value());
  auto by_lock = store->app_in_registry_with_lock("z.example", "sha256:lock", greet());
  ASSERT_TRUE(by_lock.ok() && by_lock->has_value());
  EXPECT_EQ((*by_lock)->to_string(), "acme-corp/other");
  EXPECT_FALSE(store->app_in_registry_with_lock("z.example", "sha256:nope", greet())->has_value());

  auto all = store->all_versions();
  ASSERT_TRUE(all.ok()) << all.status().to_string();
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].app.to_string(), "acme-corp/other");
  EXPECT_EQ((*all)[1].app.to_string(), "beta-org/third");
  EXPECT_EQ((*all)[1].versions.at(0).manifest_digest, "sha256:t1");
}

// A pending tag of schema 2 (number 0), left by a builder that stopped, is found by its digest
// and forgotten when its version is recorded.
TEST_P(VersionStoreTest, ALeftPendingTagIsFoundAndForgottenWithItsVersion) {
  auto store = open();
  ASSERT_TRUE(store);
  ASSERT_TRUE(raw("INSERT INTO pending_tags (org, app, registry, manifest_digest, code_hash, "
                  "lock_hash, base_digest, inputs, created_at) VALUES ('acme-corp', 'greet', "
                  "'r.example', 'sha256:left', 'sha256:c', 'sha256:l', 'sha256:b', '{}', 1)")
                  .ok());
  auto left = store->pending_tag(greet(), "r.example", "sha256:left");
  ASSERT_TRUE(left.ok() && left->has_value()) << left.status().to_string();
  EXPECT_EQ((*left)->lock_hash, "sha256:l");
  EXPECT_EQ((*left)->registries, std::vector<std::string>{"r.example"});
  EXPECT_FALSE(store->pending_tag(greet(), "r.example", "sha256:other")->has_value());
  EXPECT_FALSE(store->publish_intent(greet())->has_value());  // not a numbered intent
  VersionRecord r = **left;
  ASSERT_TRUE(store->commit_version(greet(), r, publish_ok).ok());
  EXPECT_FALSE(store->pending_tag(greet(), "r.example", "sha256:left")->has_value());
}

#ifdef IGNITE_VERSION_STORE_BACKEND_POSTGRES
// PostgreSQL runs a transaction that a deadlock aborted (40P01) again, and its guard with it, on
// a fresh transaction: what the first run wrote through the guard's StoreTx is gone, what the
// second wrote commits with the version. The deadlock is made on purpose: the guard holds
// advisory lock 1 and waits for 2, which another connection holds while it waits for 1; that
// connection's deadlock_timeout is long, so the guard's transaction is the one aborted.
TEST_P(VersionStoreTest, AGuardRunsAgainWhenPostgresRetriesTheTransaction) {
  auto store = open();
  ASSERT_TRUE(store);
  auto other = PgConnection::open(url_);
  ASSERT_TRUE(other.ok()) << other.status().to_string();
  ASSERT_TRUE(other->exec("long deadlock timeout", "SET deadlock_timeout = '10min'").ok());
  std::promise<void> other_holds_2;
  std::promise<void> go;
  Status other_status;
  std::thread t([&] {
    other_status = other->transaction("the other side", [&]() -> Status {
      IGNITE_RETURN_IF_ERROR(other->exec("lock 2", "SELECT pg_advisory_xact_lock(2)").status());
      other_holds_2.set_value();
      go.get_future().wait();
      return other->exec("lock 1", "SELECT pg_advisory_xact_lock(1)").status();
    });
  });
  other_holds_2.get_future().wait();
  int runs = 0;
  bool released = false;  // the other side let go on, which it waits for
  auto v = store->commit_version(greet(), record("sha256:a"), [&](StoreTx& tx, std::int64_t n) {
    ++runs;
    EXPECT_EQ(n, 1);
    IGNITE_ASSIGN_OR_RETURN(PgConnection * conn, tx.postgres());
    IGNITE_RETURN_IF_ERROR(write_meta_through(tx, "guard-run-" + std::to_string(runs)));
    if (runs > 1) return ok_status();
    IGNITE_RETURN_IF_ERROR(conn->exec("lock 1", "SELECT pg_advisory_xact_lock(1)").status());
    go.set_value();
    released = true;
    // Waits (bounded) until the other side waits for lock 1, so the cycle is whole when this
    // side's deadlock check runs.
    for (int i = 0; i < 3000; ++i) {
      IGNITE_ASSIGN_OR_RETURN(PgResult w, conn->exec("waiters",
                                                     "SELECT count(*) FROM pg_locks "
                                                     "WHERE locktype = 'advisory' AND "
                                                     "NOT granted"));
      IGNITE_ASSIGN_OR_RETURN(std::int64_t waiting, w.integer(0, 0));
      if (waiting > 0) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return conn->exec("lock 2", "SELECT pg_advisory_xact_lock(2)").status();
  });
  if (!released) go.set_value();  // the guard failed early: the other side must not wait forever
  t.join();
  ASSERT_TRUE(v.ok()) << v.status().to_string();
  EXPECT_TRUE(other_status.ok()) << other_status.to_string();
  EXPECT_EQ(runs, 2);
  EXPECT_EQ(v->number, 1);
  EXPECT_EQ(meta_rows("guard-run-1"), 0);
  EXPECT_EQ(meta_rows("guard-run-2"), 1);
  EXPECT_EQ(store->versions(greet())->size(), 1u);
}
#endif

#ifndef IGNITE_VERSION_STORE_BACKEND_POSTGRES
// SQLite's own: its schema versions (PostgreSQL's are pg_schema_test's).
TEST(SqliteVersionStoreTest, RefusesNewerSchema) {
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
#endif

}  // namespace
}  // namespace ignite::store
