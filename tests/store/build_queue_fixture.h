// What the build queue's tests share: a store of the test's own (a SQLite file in a temporary
// directory, or a fresh database on the test program's PostgreSQL), a fake clock (nothing ever
// sleeps; time moves only when a test says so), and the fenced commit as a worker will make it.
//
// BuildQueueTest is one suite over both backends, as version_store_test.cc is: its SQLite
// instance runs in store_test, its PostgreSQL one in store_pg_test (compiled with
// IGNITE_BUILD_QUEUE_BACKEND_POSTGRES; skipped without PostgreSQL, failed instead under CI), and
// both must answer alike, errors and messages included. SqliteBuildQueueTest is for what only
// SQLite has (its schema versions and upgrades, its database handle).
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "builder/store/postgres/pg_build_queue.h"
#include "builder/store/postgres/pg_connection.h"
#include "builder/store/postgres/pg_version_store.h"
#include "builder/store/sqlite_build_queue.h"
#include "builder/store/sqlite_version_store.h"
#include "tests/testing/postgres_server.h"
#include "tests/testing/temp_dir.h"

namespace ignite::store {

using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

inline constexpr milliseconds kLease = seconds(30);

inline AppId app_id(std::string_view text) { return *AppId::parse(text); }

// A draft build's options (SaveDraft's: the image only, no version).
inline SubmitOptions draft_options() {
  SubmitOptions o;
  o.kind = BuildKind::kDraft;
  return o;
}

// "sha256:" and 64 copies of one hex digit.
inline std::string digest_of(char hex) { return "sha256:" + std::string(64, hex); }

// A table's columns as "name type notnull default", in order: what an upgraded queue must share
// with a new one, whatever path it took (an upgrade's ALTER TABLE and a new table's CREATE TABLE
// must end the same).
inline std::vector<std::string> table_columns(Database& db, std::string_view table) {
  std::vector<std::string> out;
  auto q = db.prepare(
      "SELECT name, type, \"notnull\", COALESCE(dflt_value, '(none)') "
      "FROM pragma_table_info(?1) ORDER BY cid");
  if (!q.ok()) {
    ADD_FAILURE() << q.status().to_string();
    return out;
  }
  q->bind(1, table);
  for (;;) {
    auto row = q->step();
    if (!row.ok()) ADD_FAILURE() << row.status().to_string();
    if (!row.ok() || !*row) break;
    out.push_back(q->column_text(0) + " " + q->column_text(1) + " " + q->column_text(2) + " " +
                  q->column_text(3));
  }
  return out;
}

// The queue's schema version as meta records it.
inline std::string queue_schema_version(Database& db) {
  auto v = read_meta(db, "queue_schema_version");
  if (!v.ok()) ADD_FAILURE() << v.status().to_string();
  return v.ok() && v->has_value() ? **v : std::string("(none)");
}

enum class QueueBackend { kSqlite, kPostgres };

inline std::string queue_backend_name(const ::testing::TestParamInfo<QueueBackend>& info) {
  return info.param == QueueBackend::kSqlite ? "Sqlite" : "Postgres";
}

// The helpers of both fixtures below; `backend()` says which store they open.
class BuildQueueFixture : public ::testing::Test {
 protected:
  virtual QueueBackend backend() const = 0;

  void SetUp() override {
    if (backend() == QueueBackend::kPostgres) {
      IGNITE_TAKE_POSTGRES_DATABASE(url_);
    }
  }

  std::string db_path() const { return dir_ / "ignite.db"; }

  QueueOptions options(int max_running_per_org = 2) {
    QueueOptions o;
    o.max_running_per_org = max_running_per_org;
    o.now_ms = [this] { return now_; };
    return o;
  }

  // A queue of this test's store on a connection of its own (as another process's).
  Result<std::unique_ptr<BuildQueue>> try_open_queue(QueueOptions o) {
    if (backend() == QueueBackend::kSqlite) {
      IGNITE_ASSIGN_OR_RETURN(SqliteBuildQueue q, SqliteBuildQueue::open(db_path(), std::move(o)));
      return std::unique_ptr<BuildQueue>(std::make_unique<SqliteBuildQueue>(std::move(q)));
    }
    IGNITE_ASSIGN_OR_RETURN(PgBuildQueue q, PgBuildQueue::open(url_, std::move(o)));
    return std::unique_ptr<BuildQueue>(std::make_unique<PgBuildQueue>(std::move(q)));
  }
  std::unique_ptr<BuildQueue> open_queue(QueueOptions o) {
    auto q = try_open_queue(std::move(o));
    if (!q.ok()) ADD_FAILURE() << q.status().to_string();
    return q.ok() ? std::move(q).value() : nullptr;
  }
  std::unique_ptr<BuildQueue> open_queue(int max_running_per_org = 2) {
    return open_queue(options(max_running_per_org));
  }

  // The version store of the same store, on a connection of its own.
  std::unique_ptr<VersionStore> open_versions() {
    if (backend() == QueueBackend::kSqlite) {
      auto v = SqliteVersionStore::open(db_path());
      if (!v.ok()) ADD_FAILURE() << v.status().to_string();
      return v.ok() ? std::make_unique<SqliteVersionStore>(std::move(v).value()) : nullptr;
    }
    auto v = PgVersionStore::open(url_);
    if (!v.ok()) ADD_FAILURE() << v.status().to_string();
    return v.ok() ? std::make_unique<PgVersionStore>(std::move(v).value()) : nullptr;
  }

  // Runs `sql` on the store's database past the queue (what a hand-written statement does).
  Status raw(const std::string& sql) {
    if (backend() == QueueBackend::kSqlite) {
      auto db = Database::open(db_path());
      if (!db.ok()) return db.status();
      return db->exec(sql);
    }
    auto conn = PgConnection::open(url_);
    if (!conn.ok()) return conn.status();
    return conn->exec("a raw statement", sql).status();
  }
  // The first column of the first row of `sql`, an integer, read past the queue; -1 (and a
  // test failure) when the query fails.
  std::int64_t raw_count(const std::string& sql) {
    if (backend() == QueueBackend::kSqlite) {
      auto db = Database::open(db_path());
      if (!db.ok()) {
        ADD_FAILURE() << db.status().to_string();
        return -1;
      }
      auto q = db->prepare(sql);
      if (!q.ok()) {
        ADD_FAILURE() << q.status().to_string();
        return -1;
      }
      auto row = q->step();
      if (!row.ok() || !*row) {
        ADD_FAILURE() << sql << ": no row";
        return -1;
      }
      return q->column_int(0);
    }
    auto conn = PgConnection::open(url_);
    if (!conn.ok()) {
      ADD_FAILURE() << conn.status().to_string();
      return -1;
    }
    auto r = conn->exec("a raw query", sql);
    if (!r.ok()) {
      ADD_FAILURE() << r.status().to_string();
      return -1;
    }
    auto n = r->integer(0, 0);
    if (!n.ok()) ADD_FAILURE() << n.status().to_string();
    return n.ok() ? *n : -1;
  }

  void advance(milliseconds d) { now_ += d.count(); }
  std::int64_t now() const { return now_; }

  BuildRecord submit(BuildQueue& q, std::string_view app,
                     BuildPriority priority = BuildPriority::kNormal,
                     const SubmitOptions& submit_options = {}) {
    auto b = q.submit(app_id(app), digest_of('5'), digest_of('c'), priority, submit_options);
    if (!b.ok()) ADD_FAILURE() << b.status().to_string();
    return std::move(b).value();
  }

  // The claimed build's id, "" when there was none (a failure when `expect` is set).
  std::string claim_id(BuildQueue& q, std::string_view worker, milliseconds lease = kLease) {
    auto c = q.claim(worker, lease);
    if (!c.ok()) {
      ADD_FAILURE() << c.status().to_string();
      return "";
    }
    return c->has_value() ? (*c)->build.id : "";
  }

  // The fenced commit as a worker makes it: the queue's check first inside the version's
  // transaction, then what stands for the registry tag (`*tagged`), which a refused worker must
  // never reach.
  static Result<VersionRecord> commit(VersionStore& versions, BuildQueue& q, const BuildRecord& b,
                                      std::int64_t epoch, const std::string& manifest,
                                      bool* tagged = nullptr) {
    VersionRecord r;
    r.manifest_digest = manifest;
    r.code_hash = b.code_hash;
    r.base_digest = digest_of('b');
    r.inputs = "{}";
    return versions.commit_version(b.app, r, [&](StoreTx& tx, std::int64_t number) -> Status {
      IGNITE_RETURN_IF_ERROR(
          q.succeed_in_transaction(tx, b.id, epoch, BuildOutcome{number, manifest, ""}));
      if (tagged != nullptr) *tagged = true;
      return ok_status();
    });
  }

  std::vector<BuildEvent> events_of(BuildQueue& q, const std::string& id) {
    auto e = q.events(id, 0);
    if (!e.ok()) ADD_FAILURE() << e.status().to_string();
    return e.ok() ? *e : std::vector<BuildEvent>{};
  }

  testing::TempDir dir_;
  std::string url_;                       // PostgreSQL: this test's database
  std::int64_t now_ = 1'700'000'000'000;  // fixed: tests never depend on the machine's clock
};

// The suite over both backends (instantiated in build_queue_test.cc).
class BuildQueueTest : public BuildQueueFixture,
                       public ::testing::WithParamInterface<QueueBackend> {
 protected:
  QueueBackend backend() const override { return GetParam(); }
};

// What only the SQLite queue has: its file, its schema versions and their upgrades.
class SqliteBuildQueueTest : public BuildQueueFixture {
 protected:
  QueueBackend backend() const override { return QueueBackend::kSqlite; }

  SqliteBuildQueue open_sqlite_queue(int max_running_per_org = 2) {
    auto q = SqliteBuildQueue::open(db_path(), options(max_running_per_org));
    if (!q.ok()) ADD_FAILURE() << q.status().to_string();
    return std::move(q).value();
  }

  SqliteVersionStore open_sqlite_versions() {
    auto v = SqliteVersionStore::open(db_path());
    if (!v.ok()) ADD_FAILURE() << v.status().to_string();
    return std::move(v).value();
  }

  // `table`'s columns in a queue made new (beside the test's own database).
  std::vector<std::string> new_queue_columns(std::string_view table) {
    auto q = SqliteBuildQueue::open(dir_ / "new.db", options());
    if (!q.ok()) {
      ADD_FAILURE() << q.status().to_string();
      return {};
    }
    return table_columns(q->database(), table);
  }
};

// Whether `s` is an error with `code` whose message contains `part`, saying what it was if not.
inline ::testing::AssertionResult is_error(const Status& s, Code code, std::string_view part) {
  if (s.code() == code && s.message().find(part) != std::string::npos) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << "got " << s.to_string() << ", expected "
                                       << code_name(code) << " containing \"" << part << "\"";
}

}  // namespace ignite::store
