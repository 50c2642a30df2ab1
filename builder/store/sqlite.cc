#include "builder/store/sqlite.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <thread>

namespace ignite::store {
namespace {

// How long a writer waits for another process's transaction before giving up with UNAVAILABLE.
constexpr int kBusyTimeoutMs = 60'000;

}  // namespace

Status sqlite_status(sqlite3* db, int rc, std::string_view context) {
  std::string msg(context);
  msg += ": ";
  msg += db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return unavailable(msg + " (the store is busy; retry)");
    case SQLITE_CONSTRAINT:
      return failed_precondition(msg);
    case SQLITE_FULL:
      return resource_exhausted(msg);
    case SQLITE_CANTOPEN:
      return failed_precondition(msg);
    case SQLITE_PERM:
    case SQLITE_READONLY:
      return permission_denied(msg);
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return data_loss(msg);
    default:
      return internal_error(msg);
  }
}

Result<Database> Database::open(const std::string& path, Create create) {
  if (create == Create::kNo && ::access(path.c_str(), F_OK) != 0) {
    return not_found("database " + path + " does not exist");
  }
  sqlite3* raw = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX;
  if (create == Create::kIfMissing) flags |= SQLITE_OPEN_CREATE;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  std::unique_ptr<sqlite3, Closer> db(raw);
  if (rc != SQLITE_OK) return sqlite_status(raw, rc, "opening database " + path);
  sqlite3_busy_timeout(raw, kBusyTimeoutMs);
  sqlite3_extended_result_codes(raw, 1);
  Database out(std::move(db), path);
  // WAL lets readers go on while one writer commits; NORMAL sync is durable at checkpoints
  // and never corrupts; FULL is used since a committed version must survive power loss.
  //
  // Several processes opening a new database at once all switch it to WAL: each holds a shared
  // lock and wants the exclusive one, and SQLite breaks that deadlock by answering SQLITE_BUSY
  // at once, without the busy handler. The switch is idempotent, so it is tried again.
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(kBusyTimeoutMs);
  auto pause = std::chrono::milliseconds(5);
  for (;;) {
    Status s = out.exec(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; "
        "PRAGMA foreign_keys = ON;");
    if (s.ok()) break;
    if (s.code() != Code::kUnavailable || std::chrono::steady_clock::now() >= deadline) return s;
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(200));
  }
  return out;
}

Status Database::exec(std::string_view sql) {
  char* err = nullptr;
  std::string text(sql);
  int rc = sqlite3_exec(db_.get(), text.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    sqlite3_free(err);
    return sqlite_status(db_.get(), rc, "database " + path_);
  }
  return ok_status();
}

Result<Statement> Database::prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db_.get(), sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) return sqlite_status(db_.get(), rc, "preparing a statement on " + path_);
  return Statement(db_.get(), stmt);
}

std::int64_t Database::last_insert_rowid() const { return sqlite3_last_insert_rowid(db_.get()); }

void Statement::note_bind(int rc, int index) {
  if (rc == SQLITE_OK || !bind_status_.ok()) return;
  bind_status_ = sqlite_status(
      db_, rc,
      "binding parameter " + std::to_string(index) + " of \"" + sqlite3_sql(stmt_.get()) + "\"");
}

Statement& Statement::bind(int index, std::int64_t value) {
  note_bind(sqlite3_bind_int64(stmt_.get(), index, value), index);
  return *this;
}

Statement& Statement::bind(int index, std::string_view value) {
  // sqlite3_bind_text64 takes the length as 64 bits, so no size is truncated on the way;
  // SQLite itself refuses text over its limit (SQLITE_TOOBIG). A null pointer would bind NULL,
  // not '': an empty view (std::string_view() has no data) is text too.
  note_bind(sqlite3_bind_text64(stmt_.get(), index, value.data() ? value.data() : "",
                                value.size(), SQLITE_TRANSIENT, SQLITE_UTF8),
            index);
  return *this;
}

Result<bool> Statement::step() {
  if (!bind_status_.ok()) return bind_status_;
  int rc = sqlite3_step(stmt_.get());
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return sqlite_status(
      db_, rc,
      std::string("running \"") + sqlite3_sql(stmt_.get()) + "\" on " +
          (sqlite3_db_filename(db_, "main") ? sqlite3_db_filename(db_, "main") : "database"));
}

Status Statement::run() {
  for (;;) {
    IGNITE_ASSIGN_OR_RETURN(bool row, step());
    if (!row) return ok_status();
  }
}

void Statement::reset() {
  sqlite3_reset(stmt_.get());
  sqlite3_clear_bindings(stmt_.get());
  bind_status_ = ok_status();
}

std::int64_t Statement::column_int(int index) const {
  return sqlite3_column_int64(stmt_.get(), index);
}

std::string Statement::column_text(int index) const {
  const auto* p = sqlite3_column_text(stmt_.get(), index);
  int n = sqlite3_column_bytes(stmt_.get(), index);
  return p ? std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n))
           : std::string();
}

bool Statement::column_is_null(int index) const {
  return sqlite3_column_type(stmt_.get(), index) == SQLITE_NULL;
}

Result<Transaction> Transaction::begin_immediate(Database& db) {
  IGNITE_RETURN_IF_ERROR(db.exec("BEGIN IMMEDIATE"));
  return Transaction(&db);
}

Transaction::~Transaction() {
  if (db_ != nullptr) (void)db_->exec("ROLLBACK");
}

Status Transaction::commit() {
  if (db_ == nullptr) return internal_error("transaction already ended");
  Status s = db_->exec("COMMIT");
  if (s.ok()) db_ = nullptr;
  return s;
}

Result<std::optional<std::string>> read_meta(Database& db, std::string_view key) {
  IGNITE_ASSIGN_OR_RETURN(
      Statement has,
      db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'"));
  IGNITE_ASSIGN_OR_RETURN(bool exists, has.step());
  if (!exists) return std::optional<std::string>();
  IGNITE_ASSIGN_OR_RETURN(Statement q, db.prepare("SELECT value FROM meta WHERE key = ?1"));
  q.bind(1, key);
  IGNITE_ASSIGN_OR_RETURN(bool row, q.step());
  if (!row) return std::optional<std::string>();
  return std::optional<std::string>(q.column_text(0));
}

Result<std::string> ensure_versioned_tables(Database& db, std::string_view key,
                                            const char* schema_sql, int version,
                                            std::string_view what) {
  IGNITE_ASSIGN_OR_RETURN(std::optional<std::string> recorded, read_meta(db, key));
  if (recorded) return *recorded;
  IGNITE_ASSIGN_OR_RETURN(Transaction tx, Transaction::begin_immediate(db));
  IGNITE_ASSIGN_OR_RETURN(recorded, read_meta(db, key));  // another process, meanwhile?
  if (!recorded) {
    IGNITE_RETURN_IF_ERROR(db.exec(schema_sql).with_context("creating " + std::string(what)));
    IGNITE_ASSIGN_OR_RETURN(Statement q,
                            db.prepare("INSERT INTO meta (key, value) VALUES (?1, ?2)"));
    q.bind(1, key).bind(2, std::to_string(version));
    IGNITE_RETURN_IF_ERROR(q.run());
    recorded = std::to_string(version);
  }
  IGNITE_RETURN_IF_ERROR(tx.commit());
  return *recorded;
}

}  // namespace ignite::store
