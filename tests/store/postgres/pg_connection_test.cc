// PgConnection against a real PostgreSQL (tests/testing/postgres_server.h): parameters and rows,
// each SQLSTATE mapping the store relies on, transactions (rollback, the retry of a serialization
// failure and of a deadlock), and a connection lost to a killed session or a restarted server
// made again on the next call.
#include "builder/store/postgres/pg_connection.h"

#include <gtest/gtest.h>

#include <atomic>
#include <latch>
#include <thread>

#include "tests/testing/postgres_server.h"

namespace ignite::store {
namespace {

using ignite::testing::PostgresServer;
using ignite::testing::shared_postgres;

bool has(const Status& s, Code code, std::string_view text) {
  return s.code() == code && s.message().find(text) != std::string::npos;
}

class PgConnectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    IGNITE_TAKE_POSTGRES_DATABASE(url_);
  }
  PgConnection connect() {
    auto c = PgConnection::open(url_);
    if (!c.ok()) ADD_FAILURE() << c.status().to_string();
    return std::move(c).value();
  }
  std::string url_;
};

TEST_F(PgConnectionTest, ParametersAreBoundApartAndRowsComeBackAsText) {
  PgConnection c = connect();
  ASSERT_TRUE(c.exec("making t", "CREATE TABLE t (k TEXT PRIMARY KEY, n BIGINT, note TEXT)").ok());
  // A value that would end the statement were it spliced into the SQL.
  const std::string hostile = "x'); DROP TABLE t; --";
  auto ins = c.exec("filling t", "INSERT INTO t VALUES ($1, $2, $3), ($4, $5, $6)",
                    {hostile, std::int64_t{9'000'000'000}, std::nullopt, "b", -1, "é\ttab"});
  ASSERT_TRUE(ins.ok()) << ins.status().to_string();
  EXPECT_EQ(ins->affected(), 2);
  auto rows = c.exec("reading t", "SELECT k, n, note FROM t ORDER BY n DESC");
  ASSERT_TRUE(rows.ok()) << rows.status().to_string();
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ(rows->text(0, 0), hostile);
  EXPECT_EQ(*rows->integer(0, 1), 9'000'000'000);
  EXPECT_TRUE(rows->is_null(0, 2));
  EXPECT_EQ(rows->text(0, 2), "");
  EXPECT_EQ(*rows->integer(1, 1), -1);
  EXPECT_EQ(rows->text(1, 2), "é\ttab");
  EXPECT_EQ(rows->integer(0, 2).status().code(), Code::kInternal);  // NULL is no integer
  EXPECT_EQ(rows->integer(1, 0).status().code(), Code::kInternal);  // "b" neither
  auto updated = c.exec("touching t", "UPDATE t SET note = 'seen' WHERE n < $1", {0});
  ASSERT_TRUE(updated.ok());
  EXPECT_EQ(updated->affected(), 1);
}

TEST_F(PgConnectionTest, AUniqueViolationIsAlreadyExists) {
  PgConnection c = connect();
  ASSERT_TRUE(c.exec("making t", "CREATE TABLE t (k TEXT PRIMARY KEY)").ok());
  ASSERT_TRUE(c.exec("adding a", "INSERT INTO t VALUES ($1)", {"a"}).ok());
  const Status s = c.exec("adding a again", "INSERT INTO t VALUES ($1)", {"a"}).status();
  EXPECT_TRUE(has(s, Code::kAlreadyExists, "adding a again: duplicate key value")) << s.to_string();
  EXPECT_TRUE(has(s, Code::kAlreadyExists, "(SQLSTATE 23505)")) << s.to_string();
}

TEST_F(PgConnectionTest, OtherIntegrityViolationsAreFailedPrecondition) {
  PgConnection c = connect();
  ASSERT_TRUE(c.exec("making t", "CREATE TABLE t (n BIGINT NOT NULL CHECK (n > 0))").ok());
  EXPECT_TRUE(has(c.exec("adding 0", "INSERT INTO t VALUES (0)").status(),
                  Code::kFailedPrecondition, "(SQLSTATE 23514)"));
  EXPECT_TRUE(has(c.exec("adding NULL", "INSERT INTO t VALUES (NULL)").status(),
                  Code::kFailedPrecondition, "(SQLSTATE 23502)"));
}

TEST_F(PgConnectionTest, AnyOtherErrorIsInternalNamingTheStatementAndTheServersMessage) {
  PgConnection c = connect();
  const Status s = c.exec("listing nothing", "SELECT * FROM no_such_table").status();
  EXPECT_EQ(s.code(), Code::kInternal);
  EXPECT_EQ(s.message(),
            "listing nothing: relation \"no_such_table\" does not exist (SQLSTATE 42P01)");
  EXPECT_TRUE(has(c.exec("misspelt", "SELEKT 1").status(), Code::kInternal,
                  "misspelt: syntax error at or near \"SELEKT\" (SQLSTATE 42601)"));
  // The connection is still good after errors.
  EXPECT_TRUE(c.exec("after", "SELECT 1").ok());
}

TEST_F(PgConnectionTest, ATransactionCommitsOrRollsBackWhole) {
  PgConnection c = connect();
  ASSERT_TRUE(c.exec("making t", "CREATE TABLE t (k TEXT PRIMARY KEY)").ok());
  const Status failed = c.transaction("adding a and b", [&]() -> Status {
    IGNITE_RETURN_IF_ERROR(c.exec("adding a", "INSERT INTO t VALUES ('a')").status());
    EXPECT_TRUE(c.in_transaction());
    return failed_precondition("the caller changed its mind");
  });
  EXPECT_TRUE(has(failed, Code::kFailedPrecondition, "the caller changed its mind"));
  EXPECT_FALSE(c.in_transaction());
  EXPECT_TRUE(c.exec("counting", "SELECT k FROM t")->empty());

  // A statement that failed inside it fails it too, even when the body does not say so.
  const Status swallowed = c.transaction("adding a twice", [&]() -> Status {
    EXPECT_TRUE(c.exec("adding a", "INSERT INTO t VALUES ('a')").ok());
    EXPECT_FALSE(c.exec("adding a again", "INSERT INTO t VALUES ('a')").ok());
    return ok_status();
  });
  EXPECT_TRUE(has(swallowed, Code::kInternal, "a statement of the transaction failed"));
  EXPECT_TRUE(c.exec("counting", "SELECT k FROM t")->empty());

  ASSERT_TRUE(c.transaction("adding a and b", [&]() -> Status {
                 IGNITE_RETURN_IF_ERROR(c.exec("adding a", "INSERT INTO t VALUES ('a')").status());
                 // Nested: part of this one.
                 return c.transaction("adding b", [&] {
                   return c.exec("adding b", "INSERT INTO t VALUES ('b')").status();
                 });
               }).ok());
  EXPECT_EQ(c.exec("counting", "SELECT k FROM t")->size(), 2u);
}

// A REPEATABLE READ transaction whose row another connection changed after its snapshot: the
// server refuses its update (40001), and transaction() runs the body again, on a new snapshot.
TEST_F(PgConnectionTest, ASerializationFailureIsAbortedAndRunAgain) {
  PgConnection c = connect();
  PgConnection other = connect();
  ASSERT_TRUE(c.exec("making t", "CREATE TABLE t (k TEXT PRIMARY KEY, n BIGINT)").ok());
  ASSERT_TRUE(c.exec("adding a", "INSERT INTO t VALUES ('a', 0)").ok());
  int attempts = 0;
  const Status s = c.transaction(
      "adding one",
      [&]() -> Status {
        ++attempts;
        IGNITE_ASSIGN_OR_RETURN(PgResult r, c.exec("reading a", "SELECT n FROM t WHERE k = 'a'"));
        IGNITE_ASSIGN_OR_RETURN(std::int64_t n, r.integer(0, 0));
        if (attempts == 1) {  // another writer, between this one's read and write
          EXPECT_TRUE(other.exec("bumping a", "UPDATE t SET n = n + 10 WHERE k = 'a'").ok());
        }
        return c.exec("writing a", "UPDATE t SET n = $1 WHERE k = 'a'", {n + 1}).status();
      },
      PgIsolation::kRepeatableRead);
  ASSERT_TRUE(s.ok()) << s.to_string();
  EXPECT_EQ(attempts, 2);
  EXPECT_EQ(*c.exec("reading a", "SELECT n FROM t")->integer(0, 0), 11);

  // A body that always meets another writer gives up after kMaxTransactionAttempts, ABORTED.
  attempts = 0;
  const Status given_up = c.transaction(
      "adding one",
      [&]() -> Status {
        ++attempts;
        IGNITE_RETURN_IF_ERROR(c.exec("reading a", "SELECT n FROM t WHERE k = 'a'").status());
        EXPECT_TRUE(other.exec("bumping a", "UPDATE t SET n = n + 10 WHERE k = 'a'").ok());
        return c.exec("writing a", "UPDATE t SET n = 0 WHERE k = 'a'").status();
      },
      PgIsolation::kRepeatableRead);
  EXPECT_TRUE(has(given_up, Code::kAborted, "adding one: aborted 5 times in a row: writing a: "));
  EXPECT_TRUE(has(given_up, Code::kAborted, "(SQLSTATE 40001)")) << given_up.to_string();
  EXPECT_EQ(attempts, PgConnection::kMaxTransactionAttempts);
}

// Two transactions that each hold the row the other wants: the server ends one (40P01), which
// transaction() rolls back and runs again once the other has committed.
TEST_F(PgConnectionTest, ADeadlockIsAbortedAndTheLoserRunsAgain) {
  {
    PgConnection c = connect();
    ASSERT_TRUE(c.exec("making t", "CREATE TABLE t (k TEXT PRIMARY KEY, n BIGINT)").ok());
    ASSERT_TRUE(c.exec("adding a, b", "INSERT INTO t VALUES ('a', 0), ('b', 0)").ok());
  }
  std::latch both_hold_one(2);
  std::atomic<int> attempts{0};
  auto worker = [&](std::string first, std::string second, Status* out) {
    PgConnection c = connect();
    bool waited = false;
    *out = c.transaction("crossing", [&]() -> Status {
      ++attempts;
      IGNITE_RETURN_IF_ERROR(
          c.exec("first", "UPDATE t SET n = n + 1 WHERE k = $1", {first}).status());
      if (!waited) {
        waited = true;
        both_hold_one.arrive_and_wait();
      }
      return c.exec("second", "UPDATE t SET n = n + 1 WHERE k = $1", {second}).status();
    });
  };
  Status one, two;
  std::thread t1(worker, "a", "b", &one);
  std::thread t2(worker, "b", "a", &two);
  t1.join();
  t2.join();
  EXPECT_TRUE(one.ok()) << one.to_string();
  EXPECT_TRUE(two.ok()) << two.to_string();
  // The loser ran again at least once. (It may meet the winner once more: run again at once, it
  // can take its first row back before the winner, woken, takes it.)
  EXPECT_GE(attempts.load(), 3);
  PgConnection c = connect();
  EXPECT_EQ(*c.exec("reading", "SELECT SUM(n) FROM t")->integer(0, 0), 4);
}

TEST_F(PgConnectionTest, AKilledSessionIsUnavailableAndTheNextCallConnectsAgain) {
  PgConnection c = connect();
  PgConnection admin = connect();
  auto pid = c.exec("my pid", "SELECT pg_backend_pid()");
  ASSERT_TRUE(pid.ok());
  // With a timeout: returns once the session has ended, not when it was told to.
  ASSERT_TRUE(
      admin.exec("ending it", "SELECT pg_terminate_backend($1::int, 10000)", {pid->text(0, 0)})
          .ok());
  const Status lost = c.exec("after the kill", "SELECT 1").status();
  EXPECT_TRUE(has(lost, Code::kUnavailable, "after the kill: lost the connection to "))
      << lost.to_string();
  auto again = c.exec("once more", "SELECT 2");
  ASSERT_TRUE(again.ok()) << again.status().to_string();
  EXPECT_EQ(again->text(0, 0), "2");
  EXPECT_NE(c.exec("my pid", "SELECT pg_backend_pid()")->text(0, 0), pid->text(0, 0));
}

TEST_F(PgConnectionTest, AConnectionLostInsideATransactionFailsItWithoutRetrying) {
  PgConnection c = connect();
  PgConnection admin = connect();
  ASSERT_TRUE(c.exec("making t", "CREATE TABLE t (k TEXT PRIMARY KEY)").ok());
  int attempts = 0;
  const Status s = c.transaction("adding a", [&]() -> Status {
    ++attempts;
    IGNITE_RETURN_IF_ERROR(c.exec("adding a", "INSERT INTO t VALUES ('a')").status());
    EXPECT_TRUE(admin
                    .exec("ending it",
                          "SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity "
                          "WHERE datname = current_database() AND pid <> pg_backend_pid() AND "
                          "state = 'idle in transaction'")
                    .ok());
    return c.exec("adding b", "INSERT INTO t VALUES ('b')").status();
  });
  EXPECT_EQ(s.code(), Code::kUnavailable) << s.to_string();
  EXPECT_EQ(attempts, 1);
  EXPECT_FALSE(c.in_transaction());
  EXPECT_TRUE(c.exec("counting", "SELECT k FROM t")->empty());  // connected again, nothing kept
}

TEST(PgRestartTest, ARestartedServerCostsOneCallNotTheConnection) {
  IGNITE_REQUIRE_POSTGRES();
  PostgresServer server;  // its own: the others' sessions stay out of it
  ASSERT_TRUE(server.ready()) << server.log_tail();
  const std::string url = server.create_database();
  auto c = PgConnection::open(url);
  ASSERT_TRUE(c.ok()) << c.status().to_string();
  ASSERT_TRUE(c->exec("making t", "CREATE TABLE t (k TEXT)").ok());
  server.start_again();
  ASSERT_TRUE(server.ready()) << server.log_tail();
  const Status lost = c->exec("first call", "INSERT INTO t VALUES ('a')").status();
  EXPECT_EQ(lost.code(), Code::kUnavailable) << lost.to_string();
  auto next = c->exec("second call", "INSERT INTO t VALUES ('b')");
  ASSERT_TRUE(next.ok()) << next.status().to_string();
  EXPECT_EQ(c->exec("reading", "SELECT k FROM t")->size(), 1u);

  // While the server is down: UNAVAILABLE on each call, and back once it is up.
  server.stop();
  EXPECT_EQ(c->exec("while down", "SELECT 1").status().code(), Code::kUnavailable);
  EXPECT_EQ(c->exec("still down", "SELECT 1").status().code(), Code::kUnavailable);
  server.start_again();
  ASSERT_TRUE(server.ready()) << server.log_tail();
  EXPECT_TRUE(c->exec("up again", "SELECT 1").ok());
}

TEST(PgOpenTest, OnlyPostgresUrlsAndNeverAPasswordInAMessage) {
  EXPECT_TRUE(has(PgConnection::open("mysql://u@h/db").status(), Code::kInvalidArgument,
                  "database URL mysql://****@h/db is not a postgres:// (or postgresql://) URL"));
  EXPECT_TRUE(has(PgConnection::open("postgres://h/db?nonsense=1").status(), Code::kInvalidArgument,
                  "invalid URI query parameter: \"nonsense\""));
  // Port 1 on loopback: nothing listens there, so libpq fails at once.
  const Status refused = PgConnection::open("postgres://ignite:s3cret-pw@127.0.0.1:1/db").status();
  EXPECT_TRUE(has(refused, Code::kUnavailable, "connecting to postgres://****@127.0.0.1:1/db: "))
      << refused.to_string();
  EXPECT_EQ(refused.message().find("s3cret-pw"), std::string::npos) << refused.message();
  const Status query_pw =
      PgConnection::open("postgresql://127.0.0.1:1/db?password=s3cret-pw&user=ignite").status();
  EXPECT_EQ(query_pw.code(), Code::kUnavailable);
  EXPECT_EQ(query_pw.message().find("s3cret-pw"), std::string::npos) << query_pw.message();
}

}  // namespace
}  // namespace ignite::store
