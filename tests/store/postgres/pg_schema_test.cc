// The PostgreSQL schema against a real server: made by ensure_pg_schema once (also by several
// processes at once), holding every table and column of the SQLite store, refusing a newer
// version, and enforcing the store's rules itself: each is broken on purpose with raw SQL.
#include "builder/store/postgres/pg_schema.h"

#include <gtest/gtest.h>

#include <map>
#include <thread>
#include <vector>

#include "builder/store/sqlite.h"
#include "builder/store/sqlite_app_catalog.h"
#include "builder/store/sqlite_build_queue.h"
#include "builder/store/sqlite_version_store.h"
#include "tests/testing/postgres_server.h"
#include "tests/testing/temp_dir.h"

namespace ignite::store {
namespace {

using ignite::testing::shared_postgres;

bool has(const Status& s, Code code, std::string_view text) {
  return s.code() == code && s.message().find(text) != std::string::npos;
}

class PgSchemaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    IGNITE_TAKE_POSTGRES_DATABASE(url_);
    auto c = PgConnection::open(url_);
    ASSERT_TRUE(c.ok()) << c.status().to_string();
    conn_.emplace(std::move(c).value());
  }
  PgConnection& c() { return *conn_; }
  Status run(std::string_view sql, const std::vector<PgParam>& params = {}) {
    return c().exec("test statement", sql, params).status();
  }
  // The schema, an app (id 1) and a build b-1 QUEUED in it.
  void make_schema_app_and_build() {
    ASSERT_TRUE(ensure_pg_schema(c()).ok());
    ASSERT_TRUE(
        run("INSERT INTO apps (org, app, created_at) VALUES ('acme-corp', 'greet', 0)").ok());
    ASSERT_TRUE(
        run("INSERT INTO apps (org, app, created_at) VALUES ('acme-corp', 'other', 0)").ok());
    const Status s = run(
        "INSERT INTO builds (id, org, app, state, priority, kind, source_kind, stage, "
        "source_digest, code_hash, version, manifest_digest, lock_hash, error, attempts, "
        "max_attempts, leases_lost, cancel_requested, submitted_at_ms, started_at_ms, "
        "finished_at_ms, deadline_ms, not_before_ms, lease_owner, lease_epoch, lease_expires_ms, "
        "error_code, source_commit) VALUES ('b-1', 'acme-corp', 'greet', 'QUEUED', 1, 'VERSION', "
        "'CODE', '', '', '', 0, '', '', '', 0, 3, 0, 0, 0, 0, 0, 0, 0, '', 0, 0, '', '')");
    ASSERT_TRUE(s.ok()) << s.to_string();
  }
  Status add_version(int app_id, int number) {
    return run(
        "INSERT INTO versions (app_id, number, manifest_digest, code_hash, lock_hash, "
        "base_digest, inputs, created_at) VALUES ($1, $2, 'sha256:m', '', '', 'sha256:b', '{}', 0)",
        {app_id, number});
  }
  Status add_event(const std::string& build, int sequence) {
    return run(
        "INSERT INTO build_events (build_id, sequence, state, stage, message, at_ms) "
        "VALUES ($1, $2, 'QUEUED', '', 'queued', $3)",
        {build, sequence, 1000 + sequence});
  }
  std::int64_t count(std::string_view sql) {
    auto r = c().exec("counting", sql);
    if (!r.ok()) ADD_FAILURE() << r.status().to_string();
    return r.ok() ? *r->integer(0, 0) : -1;
  }

  std::string url_;
  std::optional<PgConnection> conn_;
};

TEST_F(PgSchemaTest, MadeOnceAndThenOnlyRead) {
  EXPECT_EQ(*pg_schema_version(c()), 0);
  ASSERT_TRUE(ensure_pg_schema(c()).ok());
  EXPECT_EQ(*pg_schema_version(c()), kPgSchemaVersion);
  ASSERT_TRUE(run("INSERT INTO meta (key, value) VALUES ('kept', 'yes')").ok());
  const Status again = ensure_pg_schema(c());
  EXPECT_TRUE(again.ok()) << again.to_string();
  EXPECT_EQ(count("SELECT COUNT(*) FROM meta WHERE key = 'kept'"), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM schema_version"), 1);
}

// Every table and column of the SQLite store (its three table sets, each at its current
// version), in the same order, and nothing else but schema_version and sources (the drafts'
// bytes, which the SQLite store keeps as files: workers/source_store.h).
TEST_F(PgSchemaTest, HoldsEveryTableAndColumnOfTheSqliteStore) {
  ASSERT_TRUE(ensure_pg_schema(c()).ok());
  ignite::testing::TempDir dir;
  const std::string path = dir / "ignite.db";
  ASSERT_TRUE(SqliteVersionStore::open(path).ok());
  ASSERT_TRUE(SqliteBuildQueue::open(path).ok());
  ASSERT_TRUE(SqliteAppCatalog::open(path).ok());
  auto db = Database::open(path);
  ASSERT_TRUE(db.ok());
  std::map<std::string, std::vector<std::string>> sqlite_tables;
  auto q = db->prepare(
      "SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p "
      "WHERE m.type = 'table' ORDER BY m.name, p.cid");
  ASSERT_TRUE(q.ok());
  while (*q->step()) sqlite_tables[q->column_text(0)].push_back(q->column_text(1));
  ASSERT_GE(sqlite_tables.size(), 13u);

  std::map<std::string, std::vector<std::string>> pg_tables;
  auto r = c().exec("listing columns",
                    "SELECT table_name, column_name FROM information_schema.columns "
                    "WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position");
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  for (const auto& row : r->rows()) pg_tables[*row[0]].push_back(*row[1]);
  EXPECT_EQ(pg_tables["schema_version"], (std::vector<std::string>{"id", "version"}));
  pg_tables.erase("schema_version");
  EXPECT_EQ(pg_tables["sources"], (std::vector<std::string>{"digest", "bytes", "kept_at_ms"}));
  pg_tables.erase("sources");
  EXPECT_EQ(pg_tables, sqlite_tables);
}

TEST_F(PgSchemaTest, ANewerSchemaIsRefusedNamingBothVersions) {
  ASSERT_TRUE(ensure_pg_schema(c()).ok());
  ASSERT_TRUE(run("UPDATE schema_version SET version = 9").ok());
  const Status s = ensure_pg_schema(c());
  EXPECT_EQ(s.code(), Code::kFailedPrecondition);
  // The URL as messages show it: any userinfo redacted, password or not.
  std::string shown = url_;
  shown.replace(shown.find("postgres@"), 9, "****@");
  EXPECT_EQ(s.message(), "database " + shown +
                             " has schema version 9, this ignite-builder reads version 1 (was it "
                             "written by a newer ignite-builder?)");
}

// Processes starting at once on an empty database: one makes the schema under the advisory
// lock, the others find it made. Without the lock, concurrent CREATEs fail on the catalogs.
TEST_F(PgSchemaTest, SeveralProcessesStartingAtOnceAllSucceed) {
  constexpr int kStarters = 6;
  std::vector<PgConnection> conns;
  for (int i = 0; i < kStarters; ++i) {
    auto c = PgConnection::open(url_);
    ASSERT_TRUE(c.ok()) << c.status().to_string();
    conns.push_back(std::move(c).value());
  }
  std::vector<Status> results(kStarters);
  std::vector<std::thread> threads;
  for (int i = 0; i < kStarters; ++i) {
    threads.emplace_back([&, i] { results[i] = ensure_pg_schema(conns[i]); });
  }
  for (auto& t : threads) t.join();
  for (const Status& s : results) EXPECT_TRUE(s.ok()) << s.to_string();
  EXPECT_EQ(*pg_schema_version(c()), kPgSchemaVersion);
}

TEST_F(PgSchemaTest, VersionsAreGaplessPerAppAndNeverChange) {
  make_schema_app_and_build();
  ASSERT_TRUE(add_version(1, 1).ok());
  EXPECT_TRUE(has(add_version(1, 3), Code::kFailedPrecondition,
                  "version numbers are gapless: app 1 takes version 2, not 3"));
  EXPECT_TRUE(has(add_version(1, 1), Code::kFailedPrecondition, "takes version 2, not 1"));
  EXPECT_EQ(add_version(2, 2).code(), Code::kFailedPrecondition);  // each app starts at 1
  EXPECT_TRUE(add_version(2, 1).ok());
  EXPECT_TRUE(add_version(1, 2).ok());

  EXPECT_TRUE(has(run("UPDATE versions SET manifest_digest = 'sha256:x' WHERE number = 1"),
                  Code::kFailedPrecondition, "versions are immutable"));
  EXPECT_TRUE(has(run("UPDATE versions SET number = number + 10"), Code::kFailedPrecondition,
                  "versions are immutable"));
  EXPECT_TRUE(has(run("DELETE FROM versions WHERE number = 2"), Code::kFailedPrecondition,
                  "versions are immutable"));
  EXPECT_TRUE(
      has(run("TRUNCATE versions CASCADE"), Code::kFailedPrecondition, "versions are immutable"));
  EXPECT_EQ(count("SELECT COUNT(*) FROM versions WHERE manifest_digest = 'sha256:m'"), 3);
}

// A number cannot be taken past one another transaction has not committed: the number that
// transaction rolls back stays free, so no gap can come of it.
TEST_F(PgSchemaTest, NoNumberIsTakenPastAnUncommittedOne) {
  make_schema_app_and_build();
  auto other = PgConnection::open(url_);
  ASSERT_TRUE(other.ok());
  ASSERT_TRUE(other->exec("begin", "BEGIN").ok());
  ASSERT_TRUE(other
                  ->exec("adding 1",
                         "INSERT INTO versions (app_id, number, manifest_digest, "
                         "code_hash, lock_hash, base_digest, inputs, created_at) "
                         "VALUES (1, 1, 'sha256:m', '', '', 'sha256:b', '{}', 0)")
                  .ok());
  EXPECT_TRUE(has(add_version(1, 2), Code::kFailedPrecondition, "takes version 1, not 2"));
  ASSERT_TRUE(other->exec("rollback", "ROLLBACK").ok());
  EXPECT_TRUE(add_version(1, 1).ok());
}

TEST_F(PgSchemaTest, BuildEventsAreGaplessPerBuildAndNeverChange) {
  make_schema_app_and_build();
  EXPECT_TRUE(has(add_event("b-1", 2), Code::kFailedPrecondition,
                  "build event sequences are gapless: build b-1 takes event 1, not 2"));
  ASSERT_TRUE(add_event("b-1", 1).ok());
  ASSERT_TRUE(add_event("b-1", 2).ok());
  EXPECT_EQ(add_event("b-1", 2).code(), Code::kFailedPrecondition);
  EXPECT_TRUE(has(run("UPDATE build_events SET message = 'rewritten'"), Code::kFailedPrecondition,
                  "build events are immutable"));
  EXPECT_EQ(count("SELECT COUNT(*) FROM build_events WHERE message = 'queued'"), 2);
}

TEST_F(PgSchemaTest, AFinishedBuildNeverChanges) {
  make_schema_app_and_build();
  ASSERT_TRUE(run("UPDATE builds SET state = 'RUNNING', lease_epoch = 1 WHERE id = 'b-1'").ok());
  ASSERT_TRUE(run("UPDATE builds SET state = 'FAILED', error = 'boom' WHERE id = 'b-1'").ok());
  EXPECT_TRUE(has(run("UPDATE builds SET state = 'QUEUED' WHERE id = 'b-1'"),
                  Code::kFailedPrecondition, "a finished build never changes (build b-1)"));
  EXPECT_TRUE(has(run("UPDATE builds SET error = '' WHERE id = 'b-1'"), Code::kFailedPrecondition,
                  "a finished build never changes"));
  EXPECT_EQ(count("SELECT COUNT(*) FROM builds WHERE state = 'FAILED' AND error = 'boom'"), 1);
}

TEST_F(PgSchemaTest, TheChecksOfTheSqliteSchemaHoldToo) {
  make_schema_app_and_build();
  // A version build succeeds with a number; a draft build never takes one; an image has no
  // codeHash.
  EXPECT_EQ(run("UPDATE builds SET state = 'SUCCEEDED' WHERE id = 'b-1'").code(),
            Code::kFailedPrecondition);
  EXPECT_EQ(run("UPDATE builds SET kind = 'DRAFT', version = 3 WHERE id = 'b-1'").code(),
            Code::kFailedPrecondition);
  EXPECT_EQ(run("UPDATE builds SET source_kind = 'IMAGE', code_hash = 'sha256:c'").code(),
            Code::kFailedPrecondition);
  EXPECT_EQ(run("UPDATE builds SET state = 'LOST'").code(), Code::kFailedPrecondition);
  // One numbered publication intent per app.
  const std::string intent =
      "INSERT INTO pending_tags (org, app, registry, manifest_digest, code_hash, lock_hash, "
      "base_digest, inputs, created_at, number) VALUES ('acme-corp', 'greet', 'r:5000', $1, '', "
      "'', 'sha256:b', '{}', 0, 1)";
  ASSERT_TRUE(run(intent, {"sha256:m1"}).ok());
  EXPECT_EQ(run(intent, {"sha256:m2"}).code(), Code::kAlreadyExists);
  // A draft needs its catalog app.
  EXPECT_EQ(run("INSERT INTO drafts VALUES ('acme-corp', 'nope', 1, 'd', '', 'b-1', 0)").code(),
            Code::kFailedPrecondition);
}

TEST_F(PgSchemaTest, EventsEnterTheOutboxWithTheirTransactionOnceItIsOn) {
  make_schema_app_and_build();
  ASSERT_TRUE(add_event("b-1", 1).ok());
  EXPECT_EQ(count("SELECT COUNT(*) FROM event_outbox"), 0);  // off: nothing kept
  ASSERT_TRUE(run("INSERT INTO meta (key, value) VALUES ('event_outbox', 'on')").ok());
  ASSERT_TRUE(add_event("b-1", 2).ok());
  EXPECT_EQ(count("SELECT COUNT(*) FROM event_outbox WHERE sequence = 2 AND at_ms = 1002"), 1);
  // Rolled back with the event: never an outbox row for an event that is not there.
  const Status s = c().transaction("an event that fails later", [&]() -> Status {
    IGNITE_RETURN_IF_ERROR(add_event("b-1", 3));
    return aborted("the state change failed");
  });
  EXPECT_EQ(s.code(), Code::kAborted);
  EXPECT_EQ(count("SELECT COUNT(*) FROM event_outbox"), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM build_events"), 2);
}

}  // namespace
}  // namespace ignite::store
