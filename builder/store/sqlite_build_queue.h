// BuildQueue over the store's SQLite database (STORE/ignite.db, beside the version store's
// tables; queue_schema.sql, docs/queue.md). Every change, with its event, is one BEGIN IMMEDIATE
// transaction: the database's write lock puts claims, heartbeats, commits and cancels from every
// thread and process in one order, and each decision (is this epoch current? is the org at its
// cap?) is read under the same lock as the write that follows it.
//
// One object per thread: it owns one connection, and a connection runs one transaction at a
// time. Inside SqliteVersionStore::commit_version's `publish` callback, call only
// succeed_in_transaction (it joins that transaction, a SqliteStoreTx of the same file); any other
// method would wait for the write lock that the same thread holds on the version store's
// connection, until the busy timeout.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "builder/store/build_queue.h"
#include "builder/store/sqlite.h"

namespace ignite::store {

inline constexpr int kQueueSchemaVersion = 4;

// Creates the queue's tables in `db` when missing, or upgrades them to kQueueSchemaVersion:
// what open() does first, for the other users of these tables (the event outbox).
// `path` names the database in messages.
Status ensure_queue_schema(Database& db, const std::string& path);

class SqliteBuildQueue final : public BuildQueue {
 public:
  // Opens the database at `path` (usually the version store's ignite.db) with a connection of
  // its own, creating the queue's tables when they are missing, or upgrading a schema 1, 2 or 3
  // queue (the only writes it does, under the write lock). FAILED_PRECONDITION on a schema version
  // it does not know.
  static Result<SqliteBuildQueue> open(const std::string& path, QueueOptions options = {},
                                       Database::Create create = Database::Create::kIfMissing);

  Result<BuildRecord> submit(const AppId& app, std::string_view source_digest,
                             std::string_view code_hash, BuildPriority priority,
                             const SubmitOptions& options) override;
  Result<std::optional<Claim>> claim(std::string_view worker_id,
                                     std::chrono::milliseconds lease) override;
  Result<bool> heartbeat(std::string_view id, std::int64_t epoch,
                         std::chrono::milliseconds lease) override;
  Status set_stage(std::string_view id, std::int64_t epoch, std::string_view stage) override;
  Result<BuildRecord> fail(std::string_view id, std::int64_t epoch, const Status& error,
                           bool retryable) override;
  Status mark_cancelled(std::string_view id, std::int64_t epoch) override;
  Result<BuildRecord> request_cancel(std::string_view id) override;
  Result<BuildRecord> raise_priority(std::string_view id, std::string_view why) override;
  Result<BuildRecord> get(std::string_view id) override;
  Result<BuildPage> list(const BuildFilter& filter) override;
  Result<std::vector<BuildEvent>> events(std::string_view id, std::int64_t after_sequence) override;
  Status sweep() override;
  Status succeed_in_transaction(StoreTx& store_tx, std::string_view id, std::int64_t epoch,
                                const BuildOutcome& outcome) override;
  Result<BuildRecord> succeed_draft(std::string_view id, std::int64_t epoch,
                                    const BuildOutcome& outcome) override;
  Status publishing_in_transaction(StoreTx& store_tx, std::string_view id, std::int64_t epoch,
                                   const BuildOutcome& outcome) override;
  Status succeed_published_in_transaction(StoreTx& store_tx, std::string_view id,
                                          const BuildOutcome& outcome) override;

  Database& database() { return db_; }

 private:
  SqliteBuildQueue(Database db, QueueOptions options)
      : db_(std::move(db)), options_(std::move(options)) {}
  std::int64_t now_ms() const;
  // The start of every fenced call (heartbeat, set_stage, fail, mark_cancelled): the write lock,
  // the clock read under it, the build, and its lease checked (ABORTED when lost).
  struct Fenced {
    Transaction tx;
    std::int64_t now;
    BuildRecord build;
  };
  Result<Fenced> begin_fenced(std::string_view id, std::int64_t epoch);
  // Past its deadline, a fenced heartbeat or stage fails the build and reports it.
  Status fail_past_deadline(Fenced& f);
  std::chrono::milliseconds backoff(int failed_attempts) const;
  // The checks of every *_in_transaction call: `store_tx` is a SQLite transaction on this
  // database, open, and `outcome` names a version. Returns its connection.
  Result<Database*> check_store_tx(StoreTx& store_tx, std::string_view id,
                                   const BuildOutcome& outcome, const std::string& ctx);
  // The lease, the deadline and a requested cancel, read on `store_tx` (nothing written).
  Result<BuildRecord> load_fenced_in(Database& store_tx, std::string_view id, std::int64_t epoch,
                                     std::int64_t now);
  // sweep() under a transaction the caller holds.
  Status sweep_locked(std::int64_t now);

  Database db_;
  QueueOptions options_;
};

}  // namespace ignite::store
