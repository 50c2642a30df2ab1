// SQLite in RAII: a connection, prepared statements, and a transaction guard that rolls back
// unless committed. SQLITE_BUSY past the busy timeout is UNAVAILABLE (retry); constraint
// failures are FAILED_PRECONDITION; anything else INTERNAL.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "builder/util/status.h"

namespace ignite::store {

class Statement;

class Database {
 public:
  enum class Create { kIfMissing, kNo };
  // Opens (creating it when asked) in WAL mode with a busy timeout, so several processes can
  // share it. kNo: NOT_FOUND when the file is not there.
  static Result<Database> open(const std::string& path, Create create = Create::kIfMissing);

  Database(Database&&) noexcept = default;
  Database& operator=(Database&&) noexcept = default;

  // Runs one or more statements that return no rows.
  Status exec(std::string_view sql);
  Result<Statement> prepare(std::string_view sql);
  std::int64_t last_insert_rowid() const;
  const std::string& path() const { return path_; }
  sqlite3* handle() const { return db_.get(); }

 private:
  struct Closer {
    void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
  };
  Database(std::unique_ptr<sqlite3, Closer> db, std::string path)
      : db_(std::move(db)), path_(std::move(path)) {}
  std::unique_ptr<sqlite3, Closer> db_;
  std::string path_;
};

class Statement {
 public:
  Statement(Statement&&) noexcept = default;
  Statement& operator=(Statement&&) noexcept = default;

  // A bind that fails (an index out of range, text too big) is remembered and reported by the
  // next step(), so that calls can be chained and no statement runs with a missing value.
  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, std::string_view value);

  // Steps once: true when a row is available, false when done.
  Result<bool> step();
  // Steps to the end, for statements that return no rows.
  Status run();
  void reset();  // also forgets the bindings and a failed bind

  std::int64_t column_int(int index) const;
  std::string column_text(int index) const;
  bool column_is_null(int index) const;

 private:
  friend class Database;
  struct Finalizer {
    void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
  };
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  void note_bind(int rc, int index);

  sqlite3* db_;
  std::unique_ptr<sqlite3_stmt, Finalizer> stmt_;
  Status bind_status_;  // the first failed bind since the last reset()
};

// BEGIN IMMEDIATE: takes the database's write lock at once, so two writers never both read
// "the next number" before one of them commits.
class Transaction {
 public:
  static Result<Transaction> begin_immediate(Database& db);
  ~Transaction();
  Transaction(Transaction&& other) noexcept : db_(other.db_) { other.db_ = nullptr; }
  Transaction& operator=(Transaction&&) = delete;

  Status commit();

 private:
  explicit Transaction(Database* db) : db_(db) {}
  Database* db_;  // null once committed or rolled back
};

// The value of `key` in the database's `meta` table, where each set of tables (the version
// store, the queue, the catalog) records its schema version; nullopt when there is no `meta`
// table yet or no such key.
Result<std::optional<std::string>> read_meta(Database& db, std::string_view key);

// A set of tables versioned under `key` in `meta`: when the database has none yet, runs
// `schema_sql` and records `version`, under the write lock and after looking again (another
// process may have made them meanwhile). The write lock is taken only then, so opening never
// waits for a writer. Returns the version recorded (the caller upgrades an older one, refuses
// one it does not know).
Result<std::string> ensure_versioned_tables(Database& db, std::string_view key,
                                            const char* schema_sql, int version,
                                            std::string_view what);

// The Status for an SQLite result code, with the database's message.
Status sqlite_status(sqlite3* db, int rc, std::string_view context);

}  // namespace ignite::store
