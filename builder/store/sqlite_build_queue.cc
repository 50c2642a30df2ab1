#include "builder/store/sqlite_build_queue.h"

#include <chrono>

#include "builder/store/build_event_row.h"
#include "builder/store/build_id.h"
#include "builder/store/queue_rules.h"
#include "builder/store/queue_schema_sql.h"
#include "builder/util/quote.h"
#include "builder/util/wall_clock.h"

namespace ignite::store {
namespace {

namespace rules = queue_rules;

// The columns of a BuildRecord, in read_record's order; `seq` follows them where a query needs it.
// The columns of queue schema 1; schema 2 added `kind` and `source_kind` after them, schema 3
// `error_code` and `source_commit`, schema 4 `sbom_digest` and `provenance_digest`.
#define IGNITE_QUEUE_COLUMNS_V1                                                                \
  "id, org, app, state, priority, stage, source_digest, code_hash, version, manifest_digest, " \
  "lock_hash, error, attempts, max_attempts, leases_lost, cancel_requested, submitted_at_ms, " \
  "started_at_ms, finished_at_ms, deadline_ms, not_before_ms, lease_owner, lease_epoch, "      \
  "lease_expires_ms"
constexpr std::string_view kColumnsV1 = IGNITE_QUEUE_COLUMNS_V1;
constexpr std::string_view kColumnsV2 = IGNITE_QUEUE_COLUMNS_V1 ", kind, source_kind";
constexpr std::string_view kColumnsV3 =
    IGNITE_QUEUE_COLUMNS_V1 ", kind, source_kind, error_code, source_commit";
constexpr std::string_view kColumns = IGNITE_QUEUE_COLUMNS_V1
    ", kind, source_kind, error_code, source_commit, sbom_digest, provenance_digest";
#undef IGNITE_QUEUE_COLUMNS_V1
static_assert(kColumns == rules::kBuildColumns);
constexpr int kSeqColumn = rules::kBuildColumnCount;

Result<BuildRecord> read_record(const Statement& q) {
  IGNITE_ASSIGN_OR_RETURN(AppId app, AppId::from_parts(q.column_text(1), q.column_text(2)));
  const std::string id = q.column_text(0);
  std::optional<BuildState> state = parse_build_state(q.column_text(3));
  if (!state) {
    return data_loss("build " + id + " has the unknown state " + quote_text(q.column_text(3)));
  }
  BuildRecord r{id, std::move(app)};
  r.state = *state;
  r.priority = q.column_int(4) == 2 ? BuildPriority::kPublish : BuildPriority::kNormal;
  r.stage = q.column_text(5);
  r.source_digest = q.column_text(6);
  r.code_hash = q.column_text(7);
  r.version = q.column_int(8);
  r.manifest_digest = q.column_text(9);
  r.lock_hash = q.column_text(10);
  r.error = q.column_text(11);
  r.attempts = static_cast<int>(q.column_int(12));
  r.max_attempts = static_cast<int>(q.column_int(13));
  r.leases_lost = static_cast<int>(q.column_int(14));
  r.cancel_requested = q.column_int(15) != 0;
  r.submitted_at_ms = q.column_int(16);
  r.started_at_ms = q.column_int(17);
  r.finished_at_ms = q.column_int(18);
  r.deadline_ms = q.column_int(19);
  r.not_before_ms = q.column_int(20);
  r.lease_owner = q.column_text(21);
  r.lease_epoch = q.column_int(22);
  r.lease_expires_ms = q.column_int(23);
  std::optional<BuildKind> kind = parse_build_kind(q.column_text(24));
  if (!kind)
    return data_loss("build " + id + " has the unknown kind " + quote_text(q.column_text(24)));
  r.kind = *kind;
  std::optional<SourceKind> source_kind = parse_source_kind(q.column_text(25));
  if (!source_kind) {
    return data_loss("build " + id + " has the unknown source kind " +
                     quote_text(q.column_text(25)));
  }
  r.source_kind = *source_kind;
  IGNITE_ASSIGN_OR_RETURN(r.error_code, read_code(q.column_text(26), "build " + id));
  r.source_commit = q.column_text(27);
  r.sbom_digest = q.column_text(28);
  r.provenance_digest = q.column_text(29);
  return r;
}

Result<BuildRecord> load(Database& db, std::string_view id) {
  IGNITE_ASSIGN_OR_RETURN(
      Statement q, db.prepare("SELECT " + std::string(kColumns) + " FROM builds WHERE id = ?1"));
  q.bind(1, id);
  IGNITE_ASSIGN_OR_RETURN(bool row, q.step());
  if (!row) return not_found("build " + std::string(id) + " not found");
  return read_record(q);
}

// Binds id as ?1 and every other column as ?2...?30, in kColumns's order.
void bind_record(Statement& q, const BuildRecord& b) {
  q.bind(1, b.id)
      .bind(2, b.app.org())
      .bind(3, b.app.app())
      .bind(4, build_state_name(b.state))
      .bind(5, rules::priority_value(b.priority))
      .bind(6, b.stage)
      .bind(7, b.source_digest)
      .bind(8, b.code_hash)
      .bind(9, b.version)
      .bind(10, b.manifest_digest)
      .bind(11, b.lock_hash)
      .bind(12, b.error)
      .bind(13, std::int64_t{b.attempts})
      .bind(14, std::int64_t{b.max_attempts})
      .bind(15, std::int64_t{b.leases_lost})
      .bind(16, std::int64_t{b.cancel_requested ? 1 : 0})
      .bind(17, b.submitted_at_ms)
      .bind(18, b.started_at_ms)
      .bind(19, b.finished_at_ms)
      .bind(20, b.deadline_ms)
      .bind(21, b.not_before_ms)
      .bind(22, b.lease_owner)
      .bind(23, b.lease_epoch)
      .bind(24, b.lease_expires_ms)
      .bind(25, build_kind_name(b.kind))
      .bind(26, source_kind_name(b.source_kind))
      .bind(27, code_column(b.error_code))
      .bind(28, b.source_commit)
      .bind(29, b.sbom_digest)
      .bind(30, b.provenance_digest);
}

// Whether an event of `b` as it is now carries b's error: the failure that ended it, or the one
// that sent it back to the queue for a retry (a build queued again after an attempt).
Status add_event(Database& db, const BuildRecord& b, std::string_view message, std::int64_t now) {
  // The next sequence is read in the same statement, under the write lock the caller holds.
  // (With the outbox on, a trigger puts the event in it too: queue_schema.sql.)
  IGNITE_ASSIGN_OR_RETURN(
      Statement q,
      db.prepare("INSERT INTO build_events (build_id, sequence, state, stage, message, at_ms, "
                 "version, manifest_digest, code_hash, lock_hash, error_code, error, "
                 "sbom_digest, provenance_digest) "
                 "SELECT ?1, COALESCE(MAX(sequence), 0) + 1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
                 "?10, ?11, ?12, ?13 FROM build_events WHERE build_id = ?1"));
  const bool with_error = rules::event_has_error(b);
  q.bind(1, b.id)
      .bind(2, build_state_name(b.state))
      .bind(3, b.stage)
      .bind(4, message)
      .bind(5, now)
      .bind(6, b.version)
      .bind(7, b.manifest_digest)
      .bind(8, b.code_hash)
      .bind(9, b.lock_hash)
      .bind(10, with_error ? code_column(b.error_code) : std::string_view())
      .bind(11, with_error ? std::string_view(b.error) : std::string_view())
      .bind(12, b.sbom_digest)
      .bind(13, b.provenance_digest);
  return q.run();
}

Status insert(Database& db, const BuildRecord& b, std::string_view message, std::int64_t now) {
  IGNITE_ASSIGN_OR_RETURN(
      Statement q, db.prepare("INSERT INTO builds (" + std::string(kColumns) +
                              ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
                              "?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, "
                              "?27, ?28, ?29, ?30)"));
  bind_record(q, b);
  IGNITE_RETURN_IF_ERROR(q.run());
  return add_event(db, b, message, now);
}

// Writes the whole record back with its event: callers load, decide and change the record in
// C++ under the write lock, which keeps every transition readable in one place.
Status save(Database& db, const BuildRecord& b, std::string_view message, std::int64_t now) {
  IGNITE_ASSIGN_OR_RETURN(
      Statement q,
      db.prepare("UPDATE builds SET org = ?2, app = ?3, state = ?4, priority = ?5, stage = ?6, "
                 "source_digest = ?7, code_hash = ?8, version = ?9, manifest_digest = ?10, "
                 "lock_hash = ?11, error = ?12, attempts = ?13, max_attempts = ?14, "
                 "leases_lost = ?15, cancel_requested = ?16, submitted_at_ms = ?17, "
                 "started_at_ms = ?18, finished_at_ms = ?19, deadline_ms = ?20, "
                 "not_before_ms = ?21, lease_owner = ?22, lease_epoch = ?23, "
                 "lease_expires_ms = ?24, kind = ?25, source_kind = ?26, error_code = ?27, "
                 "source_commit = ?28, sbom_digest = ?29, provenance_digest = ?30 WHERE id = ?1"));
  bind_record(q, b);
  IGNITE_RETURN_IF_ERROR(q.run());
  return add_event(db, b, message, now);
}

// The ids a query returns, read to the end before any of them is changed.
Result<std::vector<std::string>> select_ids(Database& db, std::string_view sql, std::int64_t now) {
  IGNITE_ASSIGN_OR_RETURN(Statement q, db.prepare(sql));
  q.bind(1, now);
  std::vector<std::string> ids;
  for (;;) {
    IGNITE_ASSIGN_OR_RETURN(bool row, q.step());
    if (!row) break;
    ids.push_back(q.column_text(0));
  }
  return ids;
}

// Queue schema 1, 2 or 3 to 4.
//
// From 1 or 2, builds is rebuilt: schema 2 gave it `kind` and `source_kind`, and a success check
// that lets a draft build succeed without a number; schema 3 gave it `error_code` and
// `source_commit` and let a GIT source have a codeHash. SQLite cannot change a table's CHECK in
// place, so builds is made anew (with schema 4's columns) and its rows copied, all in one
// transaction, by SQLite's own procedure for it: foreign keys off (build_events and
// idempotency_keys refer to builds), and legacy renames, so that renaming the old table away does
// not rewrite those references to follow it. The outbox's tables are new.
//
// From 3, builds only gains schema 4's columns (`sbom_digest`, `provenance_digest`), which ALTER
// TABLE adds in place. build_events only ever gains columns; their defaults fill the old rows
// (an old event has no version, no digests, no error).
Status upgrade_queue(Database& db, const std::string& from) {
  const bool rebuild = from == "1" || from == "2";
  auto attestation_columns = [](const std::string& table) {
    return "ALTER TABLE " + table + " ADD COLUMN sbom_digest TEXT NOT NULL DEFAULT '';" +
           "ALTER TABLE " + table + " ADD COLUMN provenance_digest TEXT NOT NULL DEFAULT '';";
  };
  IGNITE_RETURN_IF_ERROR(db.exec("PRAGMA foreign_keys = OFF; PRAGMA legacy_alter_table = ON;"));
  Status upgraded = [&]() -> Status {
    IGNITE_ASSIGN_OR_RETURN(Transaction tx, Transaction::begin_immediate(db));
    IGNITE_ASSIGN_OR_RETURN(std::optional<std::string> version,
                            read_meta(db, "queue_schema_version"));
    if (version != from) return tx.commit();  // another process upgraded it meanwhile
    if (rebuild) {
      // The old table's indexes and trigger go first: their names are the new table's.
      IGNITE_RETURN_IF_ERROR(
          db.exec("DROP TRIGGER IF EXISTS finished_builds_never_change;"
                  "DROP INDEX IF EXISTS builds_queued; DROP INDEX IF EXISTS builds_running_by_org;"
                  "DROP INDEX IF EXISTS builds_running_by_lease;"
                  "DROP INDEX IF EXISTS builds_unfinished_by_deadline;"
                  "DROP INDEX IF EXISTS builds_by_app; DROP INDEX IF EXISTS builds_by_state;"
                  "ALTER TABLE builds RENAME TO builds_old;"
                  "ALTER TABLE build_events ADD COLUMN version INTEGER NOT NULL DEFAULT 0;"
                  "ALTER TABLE build_events ADD COLUMN manifest_digest TEXT NOT NULL DEFAULT '';"
                  "ALTER TABLE build_events ADD COLUMN code_hash TEXT NOT NULL DEFAULT '';"
                  "ALTER TABLE build_events ADD COLUMN lock_hash TEXT NOT NULL DEFAULT '';"
                  "ALTER TABLE build_events ADD COLUMN error_code TEXT NOT NULL DEFAULT '';"
                  "ALTER TABLE build_events ADD COLUMN error TEXT NOT NULL DEFAULT '';"));
    } else {
      IGNITE_RETURN_IF_ERROR(db.exec(attestation_columns("builds")));
    }
    IGNITE_RETURN_IF_ERROR(db.exec(attestation_columns("build_events")));
    IGNITE_RETURN_IF_ERROR(db.exec(kQueueSchemaSql));
    if (rebuild) {
      // What the old rows lack: a schema 1 build is a version build of code; none has an error
      // code, a commit or an attestation yet (the last two take their columns' defaults).
      const std::string old_columns =
          from == "1" ? std::string(kColumnsV1) + ", 'VERSION', 'CODE'" : std::string(kColumnsV2);
      IGNITE_RETURN_IF_ERROR(db.exec("INSERT INTO builds (seq, " + std::string(kColumnsV3) +
                                     ") SELECT seq, " + old_columns +
                                     ", '', '' FROM builds_old;"
                                     "DROP TABLE builds_old;"));
    }
    IGNITE_RETURN_IF_ERROR(db.exec("UPDATE meta SET value = '" +
                                   std::to_string(kQueueSchemaVersion) +
                                   "' WHERE key = 'queue_schema_version';"));
    IGNITE_ASSIGN_OR_RETURN(Statement check, db.prepare("PRAGMA foreign_key_check"));
    IGNITE_ASSIGN_OR_RETURN(bool dangling, check.step());
    if (dangling) {
      return data_loss("upgrading the build queue: a row of table " + check.column_text(0) +
                       " refers to no build; nothing was changed");
    }
    return tx.commit();
  }();
  Status restored = db.exec("PRAGMA legacy_alter_table = OFF; PRAGMA foreign_keys = ON;");
  if (!upgraded.ok()) {
    return upgraded.with_context("upgrading the build queue from schema " + from + " to " +
                                 std::to_string(kQueueSchemaVersion));
  }
  return restored;
}

}  // namespace

Status ensure_queue_schema(Database& db, const std::string& path) {
  const std::string current = std::to_string(kQueueSchemaVersion);
  IGNITE_ASSIGN_OR_RETURN(std::string version,
                          ensure_versioned_tables(db, "queue_schema_version", kQueueSchemaSql,
                                                  kQueueSchemaVersion, "the build queue"));
  if (version == "1" || version == "2" || version == "3") {
    IGNITE_RETURN_IF_ERROR(upgrade_queue(db, version).with_context("opening " + path));
    version = current;
  }
  if (version != current) {
    return failed_precondition("database " + path + " has build queue schema version " + version +
                               ", this ignite-builder reads version " + current +
                               " (was it written by a newer ignite-builder?)");
  }
  return ok_status();
}

Result<SqliteBuildQueue> SqliteBuildQueue::open(const std::string& path, QueueOptions options,
                                                Database::Create create) {
  IGNITE_RETURN_IF_ERROR(rules::check_queue_options(options));
  IGNITE_ASSIGN_OR_RETURN(Database db, Database::open(path, create));
  IGNITE_RETURN_IF_ERROR(ensure_queue_schema(db, path));
  return SqliteBuildQueue(std::move(db), std::move(options));
}

std::int64_t SqliteBuildQueue::now_ms() const { return rules::queue_now_ms(options_); }

std::chrono::milliseconds SqliteBuildQueue::backoff(int failed_attempts) const {
  return rules::queue_backoff(options_, failed_attempts);
}

Result<BuildRecord> SqliteBuildQueue::submit(const AppId& app, std::string_view source_digest,
                                             std::string_view code_hash, BuildPriority priority,
                                             const SubmitOptions& options) {
  IGNITE_RETURN_IF_ERROR(rules::check_submit(app, source_digest, code_hash, options));
  const std::string ctx = rules::submit_context(app);
  const std::string& key = options.idempotency_key;
  IGNITE_ASSIGN_OR_RETURN(std::string id, new_build_id());
  auto tx = Transaction::begin_immediate(db_);
  if (!tx.ok()) return tx.status().with_context(ctx);
  // Every method reads the clock under the write lock, so that a call which waited for the lock
  // never acts on the time before its wait (an expired lease it would not see, a lease shorter
  // than asked).
  const std::int64_t now = now_ms();
  const std::string request =
      key.empty() ? std::string()
                  : rules::idempotency_request(app, source_digest, code_hash, priority, options);
  if (!key.empty()) {
    IGNITE_ASSIGN_OR_RETURN(
        Statement q, db_.prepare("SELECT request, build_id FROM idempotency_keys WHERE org = ?1 "
                                 "AND key = ?2 AND created_ms > ?3"));
    q.bind(1, app.org()).bind(2, key).bind(3, now - kIdempotencyWindow.count());
    IGNITE_ASSIGN_OR_RETURN(bool seen, q.step());
    if (seen) {
      if (q.column_text(0) != request) {
        return rules::idempotency_key_reused(app, key, q.column_text(1));
      }
      return load(db_, q.column_text(1));  // the first submission's build, as it is now
    }
  }
  BuildRecord b = rules::new_build(id, app, source_digest, code_hash, priority, options, now);
  if (Status s = insert(db_, b, rules::submitted_text(b, options), now); !s.ok()) {
    return s.with_context(ctx);
  }
  if (!key.empty()) {
    // Replaces a key past its window (the lookup above saw none within it).
    IGNITE_ASSIGN_OR_RETURN(
        Statement q, db_.prepare("INSERT OR REPLACE INTO idempotency_keys (org, key, request, "
                                 "build_id, created_ms) VALUES (?1, ?2, ?3, ?4, ?5)"));
    q.bind(1, app.org()).bind(2, key).bind(3, request).bind(4, b.id).bind(5, now);
    if (Status s = q.run(); !s.ok()) return s.with_context(ctx);
  }
  if (Status s = tx->commit(); !s.ok()) return s.with_context(ctx);
  return b;
}

Status SqliteBuildQueue::sweep_locked(std::int64_t now) {
  // Deadlines first: a build past its deadline fails as such, even when its lease expired too.
  IGNITE_ASSIGN_OR_RETURN(
      std::vector<std::string> late,
      select_ids(db_,
                 "SELECT id FROM builds WHERE state IN ('QUEUED', 'RUNNING') AND "
                 "deadline_ms <= ?1 ORDER BY seq",
                 now));
  for (const auto& id : late) {
    IGNITE_ASSIGN_OR_RETURN(BuildRecord b, load(db_, id));
    rules::fail_for_deadline(b, now);
    IGNITE_RETURN_IF_ERROR(save(db_, b, b.error, now));
  }

  IGNITE_ASSIGN_OR_RETURN(
      std::vector<std::string> lost,
      select_ids(db_,
                 "SELECT id FROM builds WHERE state = 'RUNNING' AND lease_expires_ms <= ?1 "
                 "ORDER BY seq",
                 now));
  for (const auto& id : lost) {
    IGNITE_ASSIGN_OR_RETURN(BuildRecord b, load(db_, id));
    const std::string text = rules::expire_lease(b, now);
    IGNITE_RETURN_IF_ERROR(save(db_, b, text, now));
  }
  return ok_status();
}

Status SqliteBuildQueue::sweep() {
  IGNITE_ASSIGN_OR_RETURN(Transaction tx, Transaction::begin_immediate(db_));
  IGNITE_RETURN_IF_ERROR(sweep_locked(now_ms()));
  return tx.commit();
}

Result<std::optional<Claim>> SqliteBuildQueue::claim(std::string_view worker_id,
                                                     std::chrono::milliseconds lease) {
  IGNITE_RETURN_IF_ERROR(rules::validate_name(worker_id, "worker id"));
  if (lease.count() <= 0) return invalid_argument("a lease must be positive");
  IGNITE_ASSIGN_OR_RETURN(Transaction tx, Transaction::begin_immediate(db_));
  const std::int64_t now = now_ms();
  IGNITE_RETURN_IF_ERROR(sweep_locked(now));

  std::optional<std::string> pick;
  {
    // builds_queued gives the order; the cap is counted per candidate's org, under the lock,
    // so two claims can never both take an org's last slot.
    IGNITE_ASSIGN_OR_RETURN(
        Statement q,
        db_.prepare("SELECT b.id FROM builds AS b WHERE b.state = 'QUEUED' AND "
                    "b.not_before_ms <= ?1 AND (SELECT count(*) FROM builds AS r WHERE "
                    "r.state = 'RUNNING' AND r.org = b.org) < ?2 "
                    "ORDER BY b.priority DESC, b.seq LIMIT 1"));
    q.bind(1, now).bind(2, std::int64_t{options_.max_running_per_org});
    IGNITE_ASSIGN_OR_RETURN(bool row, q.step());
    if (row) pick = q.column_text(0);
  }
  if (!pick) {
    IGNITE_RETURN_IF_ERROR(tx.commit());  // what the sweep did
    return std::optional<Claim>();
  }

  IGNITE_ASSIGN_OR_RETURN(BuildRecord b, load(db_, *pick));
  const std::string text = rules::take_claim(b, worker_id, lease, now);
  IGNITE_RETURN_IF_ERROR(save(db_, b, text, now));
  IGNITE_RETURN_IF_ERROR(tx.commit());
  const std::int64_t epoch = b.lease_epoch;
  return std::optional<Claim>(Claim{std::move(b), epoch});
}

Result<SqliteBuildQueue::Fenced> SqliteBuildQueue::begin_fenced(std::string_view id,
                                                                std::int64_t epoch) {
  IGNITE_ASSIGN_OR_RETURN(Transaction tx, Transaction::begin_immediate(db_));
  const std::int64_t now = now_ms();
  IGNITE_ASSIGN_OR_RETURN(BuildRecord b, load(db_, id));
  IGNITE_RETURN_IF_ERROR(rules::check_lease(b, epoch));
  return Fenced{std::move(tx), now, std::move(b)};
}

Status SqliteBuildQueue::fail_past_deadline(Fenced& f) {
  rules::fail_for_deadline(f.build, f.now);
  IGNITE_RETURN_IF_ERROR(save(db_, f.build, f.build.error, f.now));
  IGNITE_RETURN_IF_ERROR(f.tx.commit());
  return rules::deadline_status(f.build);
}

Result<bool> SqliteBuildQueue::heartbeat(std::string_view id, std::int64_t epoch,
                                         std::chrono::milliseconds lease) {
  IGNITE_RETURN_IF_ERROR(rules::validate_id(id));
  if (lease.count() <= 0) return invalid_argument("a lease must be positive");
  IGNITE_ASSIGN_OR_RETURN(Fenced f, begin_fenced(id, epoch));
  if (rules::past_deadline(f.build, f.now)) return fail_past_deadline(f);
  // No event: a heartbeat changes nothing a watcher follows, and would flood the history.
  IGNITE_ASSIGN_OR_RETURN(Statement q,
                          db_.prepare("UPDATE builds SET lease_expires_ms = ?2 WHERE id = ?1"));
  q.bind(1, f.build.id).bind(2, f.now + lease.count());
  IGNITE_RETURN_IF_ERROR(q.run());
  IGNITE_RETURN_IF_ERROR(f.tx.commit());
  return f.build.cancel_requested;
}

Status SqliteBuildQueue::set_stage(std::string_view id, std::int64_t epoch,
                                   std::string_view stage) {
  IGNITE_RETURN_IF_ERROR(rules::validate_id(id));
  IGNITE_RETURN_IF_ERROR(rules::validate_name(stage, "stage name"));
  IGNITE_ASSIGN_OR_RETURN(Fenced f, begin_fenced(id, epoch));
  if (rules::past_deadline(f.build, f.now)) return fail_past_deadline(f);
  BuildRecord& b = f.build;
  if (b.cancel_requested) {
    const std::string text = rules::cancel_before_stage(b, stage, f.now);
    IGNITE_RETURN_IF_ERROR(save(db_, b, text, f.now));
    IGNITE_RETURN_IF_ERROR(f.tx.commit());
    return rules::stage_cancelled_status(b, text);
  }
  b.stage = std::string(stage);
  IGNITE_RETURN_IF_ERROR(save(db_, b, "stage " + b.stage, f.now));
  return f.tx.commit();
}

Result<BuildRecord> SqliteBuildQueue::fail(std::string_view id, std::int64_t epoch,
                                           const Status& error, bool retryable) {
  IGNITE_RETURN_IF_ERROR(rules::validate_id(id));
  IGNITE_ASSIGN_OR_RETURN(Fenced f, begin_fenced(id, epoch));
  BuildRecord& b = f.build;
  const std::string text = rules::record_failure(b, error, retryable, backoff(b.attempts), f.now);
  IGNITE_RETURN_IF_ERROR(save(db_, b, text, f.now));
  IGNITE_RETURN_IF_ERROR(f.tx.commit());
  return b;
}

Status SqliteBuildQueue::mark_cancelled(std::string_view id, std::int64_t epoch) {
  IGNITE_RETURN_IF_ERROR(rules::validate_id(id));
  IGNITE_ASSIGN_OR_RETURN(Fenced f, begin_fenced(id, epoch));
  std::string text;
  IGNITE_RETURN_IF_ERROR(rules::mark_cancelled(f.build, f.now, &text));
  IGNITE_RETURN_IF_ERROR(save(db_, f.build, text, f.now));
  return f.tx.commit();
}

Result<BuildRecord> SqliteBuildQueue::request_cancel(std::string_view id) {
  IGNITE_RETURN_IF_ERROR(rules::validate_id(id));
  IGNITE_ASSIGN_OR_RETURN(Transaction tx, Transaction::begin_immediate(db_));
  const std::int64_t now = now_ms();
  IGNITE_ASSIGN_OR_RETURN(BuildRecord b, load(db_, id));
  IGNITE_ASSIGN_OR_RETURN(std::optional<std::string> text, rules::request_cancel(b, now));
  if (!text) return b;  // asked before; nothing new to record
  IGNITE_RETURN_IF_ERROR(save(db_, b, *text, now));
  IGNITE_RETURN_IF_ERROR(tx.commit());
  return b;
}

Result<BuildRecord> SqliteBuildQueue::raise_priority(std::string_view id, std::string_view why) {
  IGNITE_RETURN_IF_ERROR(rules::validate_id(id));
  IGNITE_ASSIGN_OR_RETURN(Transaction tx, Transaction::begin_immediate(db_));
  const std::int64_t now = now_ms();
  IGNITE_ASSIGN_OR_RETURN(BuildRecord b, load(db_, id));
  std::optional<std::string> text = rules::raise_priority(b, why);
  if (!text) return b;
  IGNITE_RETURN_IF_ERROR(save(db_, b, *text, now));
  IGNITE_RETURN_IF_ERROR(tx.commit());
  return b;
}

Result<BuildRecord> SqliteBuildQueue::get(std::string_view id) {
  IGNITE_RETURN_IF_ERROR(rules::validate_id(id));
  return load(db_, id);
}

Result<BuildPage> SqliteBuildQueue::list(const BuildFilter& filter) {
  IGNITE_ASSIGN_OR_RETURN(const int size, rules::page_size(filter));
  std::optional<std::int64_t> before;
  if (!filter.page_token.empty()) {
    IGNITE_ASSIGN_OR_RETURN(before, rules::parse_page_token(filter.page_token));
  }
  // Fixed fragments, values bound: the filters only choose which fragments are there.
  std::string sql = "SELECT " + std::string(kColumns) + ", seq FROM builds WHERE 1 = 1";
  if (filter.app) sql += " AND org = ?1 AND app = ?2";
  if (filter.state) sql += " AND state = ?3";
  if (before) sql += " AND seq < ?4";
  if (filter.org) sql += " AND org = ?6";
  sql += " ORDER BY seq DESC LIMIT ?5";
  IGNITE_ASSIGN_OR_RETURN(Statement q, db_.prepare(sql));
  if (filter.app) q.bind(1, filter.app->org()).bind(2, filter.app->app());
  if (filter.state) q.bind(3, build_state_name(*filter.state));
  if (before) q.bind(4, *before);
  if (filter.org) q.bind(6, *filter.org);
  q.bind(5, std::int64_t{size} + 1);  // one more tells whether there is a next page

  BuildPage page;
  std::int64_t last_seq = 0;
  for (;;) {
    IGNITE_ASSIGN_OR_RETURN(bool row, q.step());
    if (!row) break;
    if (static_cast<int>(page.builds.size()) == size) {
      page.next_page_token = std::to_string(last_seq);
      break;
    }
    IGNITE_ASSIGN_OR_RETURN(BuildRecord b, read_record(q));
    page.builds.push_back(std::move(b));
    last_seq = q.column_int(kSeqColumn);
  }
  return page;
}

Result<std::vector<BuildEvent>> SqliteBuildQueue::events(std::string_view id,
                                                         std::int64_t after_sequence) {
  IGNITE_RETURN_IF_ERROR(rules::validate_id(id));
  if (after_sequence < 0) return invalid_argument("after_sequence must not be negative");
  IGNITE_RETURN_IF_ERROR(load(db_, id).status());  // NOT_FOUND rather than no events
  IGNITE_ASSIGN_OR_RETURN(Statement q,
                          db_.prepare("SELECT " + std::string(kEventColumns) +
                                      " FROM build_events WHERE build_id = ?1 AND sequence > ?2 "
                                      "ORDER BY sequence"));
  q.bind(1, id).bind(2, after_sequence);
  std::vector<BuildEvent> out;
  for (;;) {
    IGNITE_ASSIGN_OR_RETURN(bool row, q.step());
    if (!row) break;
    IGNITE_ASSIGN_OR_RETURN(BuildEvent e, read_event(q));
    out.push_back(std::move(e));
  }
  return out;
}

Result<Database*> SqliteBuildQueue::check_store_tx(StoreTx& store_tx, std::string_view id,
                                                   const BuildOutcome& outcome,
                                                   const std::string& ctx) {
  IGNITE_RETURN_IF_ERROR(rules::validate_id(id));
  auto sqlite = store_tx.sqlite();
  if (!sqlite.ok()) return sqlite.status().with_context(ctx);
  Database& db = **sqlite;
  // Outside the version's transaction the check would be a race, not a fence.
  if (sqlite3_get_autocommit(db.handle()) != 0) return rules::no_transaction_open(ctx);
  const char* tx_file = sqlite3_db_filename(db.handle(), "main");
  const char* queue_file = sqlite3_db_filename(db_.handle(), "main");
  if (tx_file == nullptr || queue_file == nullptr || std::string_view(tx_file) != queue_file) {
    return failed_precondition(ctx + ": the version store's database " + db.path() +
                               " is not the queue's " + db_.path());
  }
  IGNITE_RETURN_IF_ERROR(rules::check_version_outcome(outcome, ctx));
  return &db;
}

Result<BuildRecord> SqliteBuildQueue::load_fenced_in(Database& store_tx, std::string_view id,
                                                     std::int64_t epoch, std::int64_t now) {
  IGNITE_ASSIGN_OR_RETURN(BuildRecord b, load(store_tx, id));
  IGNITE_RETURN_IF_ERROR(rules::check_commit(b, epoch, now));
  return b;
}

Status SqliteBuildQueue::succeed_in_transaction(StoreTx& store_tx, std::string_view id,
                                                std::int64_t epoch, const BuildOutcome& outcome) {
  const std::string ctx = rules::commit_context(id);
  IGNITE_ASSIGN_OR_RETURN(Database * db, check_store_tx(store_tx, id, outcome, ctx));
  const std::int64_t now = now_ms();
  IGNITE_ASSIGN_OR_RETURN(BuildRecord b, load_fenced_in(*db, id, epoch, now));
  const std::string text = rules::publish(b, outcome, now);
  return save(*db, b, text, now);
}

Status SqliteBuildQueue::publishing_in_transaction(StoreTx& store_tx, std::string_view id,
                                                   std::int64_t epoch,
                                                   const BuildOutcome& outcome) {
  const std::string ctx = rules::intent_context(id);
  IGNITE_ASSIGN_OR_RETURN(Database * db, check_store_tx(store_tx, id, outcome, ctx));
  const std::int64_t now = now_ms();
  IGNITE_ASSIGN_OR_RETURN(BuildRecord b, load_fenced_in(*db, id, epoch, now));
  const std::string text = rules::start_publishing(b, outcome);
  return save(*db, b, text, now);
}

Status SqliteBuildQueue::succeed_published_in_transaction(StoreTx& store_tx, std::string_view id,
                                                          const BuildOutcome& outcome) {
  const std::string ctx = rules::commit_context(id);
  IGNITE_ASSIGN_OR_RETURN(Database * db, check_store_tx(store_tx, id, outcome, ctx));
  const std::int64_t now = now_ms();
  IGNITE_ASSIGN_OR_RETURN(BuildRecord b, load(*db, id));
  if (is_finished(b.state)) return ok_status();  // the version stands; the build cannot change
  const std::string text = rules::publish(b, outcome, now);
  return save(*db, b, text, now);
}

Result<BuildRecord> SqliteBuildQueue::succeed_draft(std::string_view id, std::int64_t epoch,
                                                    const BuildOutcome& outcome) {
  IGNITE_RETURN_IF_ERROR(rules::validate_id(id));
  const std::string ctx = rules::draft_context(id);
  IGNITE_RETURN_IF_ERROR(rules::check_draft_outcome(outcome, ctx));
  IGNITE_ASSIGN_OR_RETURN(Fenced f, begin_fenced(id, epoch));
  BuildRecord& b = f.build;
  IGNITE_RETURN_IF_ERROR(rules::check_draft_build(b, ctx));
  if (rules::past_deadline(b, f.now)) return fail_past_deadline(f);
  if (b.cancel_requested) {
    const std::string text = rules::cancel_draft(b, f.now);
    IGNITE_RETURN_IF_ERROR(save(db_, b, text, f.now));
    IGNITE_RETURN_IF_ERROR(f.tx.commit());
    return rules::draft_cancelled_status(b);
  }
  const std::string text = rules::succeed_draft(b, outcome, f.now);
  IGNITE_RETURN_IF_ERROR(save(db_, b, text, f.now));
  IGNITE_RETURN_IF_ERROR(f.tx.commit());
  return b;
}

}  // namespace ignite::store
