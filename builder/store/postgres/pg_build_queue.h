// BuildQueue over PostgreSQL (issue 16, docs/decisions/postgres-store.md): builds,
// idempotency_keys and build_events of pg_schema.sql, with the same semantics, errors and
// messages as SqliteBuildQueue (both decide through queue_rules.h).
//
// Where SQLite puts every call behind the database's one write lock, this takes row locks at
// READ COMMITTED, so calls about different builds do not wait for each other:
// - every call that changes a build first locks its row (SELECT ... FOR UPDATE), then decides
//   on what it read, so two changes of one build are in one order and none acts on a stale
//   read; every event's writer holds its build's row, so sequences are read and taken safely;
// - fenced calls write with `WHERE id = $1 AND lease_epoch = $2 AND state = 'RUNNING'` and check
//   that one row changed (the row lock makes that a second line; the finished-builds trigger is
//   the last);
// - claims and sweeps take rows with FOR UPDATE SKIP LOCKED, so concurrent workers pass each
//   other instead of queueing; the per-org cap is counted under an advisory lock of the org
//   (claim(), in pg_build_queue.cc, says why that is enough).
// Each call is one transaction (PgConnection::transaction, retried whole on 40001/40P01), its
// events written with its state change (and, by trigger, their outbox rows). The
// *_in_transaction fences run on the connection of the version store's PgStoreTx, inside its
// transaction. Times come from QueueOptions::now_ms, never from the server's clock.
//
// One object per thread: it owns one connection (made again on the next call when lost).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "builder/store/build_queue.h"
#include "builder/store/postgres/pg_connection.h"

namespace ignite::store {

class PgBuildQueue final : public BuildQueue {
 public:
  // Connects to `url` (postgres://...), creating or migrating the schema when needed
  // (ensure_pg_schema: FAILED_PRECONDITION on a newer one). INVALID_ARGUMENT for a cap below 1.
  static Result<PgBuildQueue> open(std::string_view url, QueueOptions options = {});

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

 private:
  PgBuildQueue(PgConnection conn, QueueOptions options)
      : conn_(std::move(conn)), options_(std::move(options)) {}
  std::int64_t now_ms() const;
  std::chrono::milliseconds backoff(int failed_attempts) const;
  // A fenced call: in one transaction, the build's row locked, the clock read, the lease checked
  // (ABORTED when lost), then `body` with the build and the time. `body` writes through
  // save_fenced; it returns what the call answers after committing (an error such as CANCELLED
  // or DEADLINE_EXCEEDED there still commits what it wrote); a failure of the transaction itself
  // wins.
  Status fenced(std::string_view ctx, std::string_view id, std::int64_t epoch,
                const std::function<Status(BuildRecord&, std::int64_t now, Status& answer)>& body);
  // Inside a transaction: fails every unfinished build past its deadline and settles every
  // expired lease, skipping rows another transaction holds (it settles them, or renews them).
  Status sweep_in(std::int64_t now);
  // Inside claim()'s transaction: the build to claim, locked, or nullopt.
  Result<std::optional<BuildRecord>> pick(std::int64_t now);
  // The checks of every *_in_transaction call: `store_tx` is a PostgreSQL transaction on this
  // queue's database, open, and `outcome` names a version. Returns its connection.
  Result<PgConnection*> check_store_tx(StoreTx& store_tx, std::string_view id,
                                       const BuildOutcome& outcome, const std::string& ctx);

  PgConnection conn_;
  QueueOptions options_;
};

}  // namespace ignite::store
