#include "builder/store/sqlite_version_store.h"

#include "builder/store/publish_texts.h"

#include <ctime>

#include "builder/store/schema_sql.h"
#include "builder/store/sqlite_store_tx.h"

namespace ignite::store {
namespace {

Result<std::optional<std::int64_t>> find_app_id(Database& db, const AppId& app) {
  IGNITE_ASSIGN_OR_RETURN(Statement q,
                          db.prepare("SELECT id FROM apps WHERE org = ?1 AND app = ?2"));
  q.bind(1, app.org()).bind(2, app.app());
  IGNITE_ASSIGN_OR_RETURN(bool row, q.step());
  if (!row) return std::optional<std::int64_t>();
  return std::optional<std::int64_t>(q.column_int(0));
}

VersionRecord read_record(const Statement& q) {
  VersionRecord r;
  r.number = q.column_int(0);
  r.manifest_digest = q.column_text(1);
  r.code_hash = q.column_text(2);
  r.lock_hash = q.column_text(3);
  r.base_digest = q.column_text(4);
  r.inputs = q.column_text(5);
  r.created_at = q.column_int(6);
  const std::string registries = q.column_text(7);  // newline-separated; NULL reads as ""
  for (std::size_t start = 0; start < registries.size();) {
    std::size_t end = registries.find('\n', start);
    if (end == std::string::npos) end = registries.size();
    r.registries.push_back(registries.substr(start, end - start));
    start = end + 1;
  }
  r.sbom_digest = q.column_text(8);
  r.provenance_digest = q.column_text(9);
  return r;
}

constexpr const char* kSelectVersions =
    "SELECT number, manifest_digest, code_hash, lock_hash, base_digest, inputs, created_at, "
    "(SELECT group_concat(registry, char(10)) FROM (SELECT registry FROM registry_tags t "
    "WHERE t.app_id = versions.app_id AND t.number = versions.number ORDER BY registry)), "
    "sbom_digest, provenance_digest FROM versions WHERE app_id = ?1 ORDER BY number";

}  // namespace

namespace {

// Adds `column` to `table` unless it has it (or the table does not exist yet).
Status add_missing_column(Database& db, const std::string& table, const std::string& column,
                          const std::string& declaration) {
  IGNITE_ASSIGN_OR_RETURN(Statement q,
                          db.prepare("SELECT count(*) FROM pragma_table_info(?1) WHERE name = ?2"));
  q.bind(1, table).bind(2, column);
  IGNITE_ASSIGN_OR_RETURN(bool row, q.step());
  const bool has = row && q.column_int(0) > 0;
  q.reset();
  IGNITE_ASSIGN_OR_RETURN(Statement t,
                          db.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND "
                                     "name = ?1"));
  t.bind(1, table);
  IGNITE_ASSIGN_OR_RETURN(bool trow, t.step());
  const bool exists = trow && t.column_int(0) > 0;
  t.reset();
  if (has || !exists) return ok_status();
  return db.exec("ALTER TABLE " + table + " ADD COLUMN " + column + " " + declaration + ";");
}

// The schema version the database records, or nullopt when it has no schema yet.
Result<std::optional<std::string>> recorded_schema(Database& db) {
  return read_meta(db, "schema_version");
}

}  // namespace

Result<SqliteVersionStore> SqliteVersionStore::open(const std::string& path,
                                                    Database::Create create,
                                                    const UpgradeHook& upgrade) {
  IGNITE_ASSIGN_OR_RETURN(Database db, Database::open(path, create));
  const std::string current = std::to_string(kStoreSchemaVersion);
  IGNITE_ASSIGN_OR_RETURN(std::optional<std::string> version, recorded_schema(db));
  // Statements of the schema are all IF NOT EXISTS: applying it again is harmless, and it adds
  // what an older database lacks (registry_tags came within version 1, pending_tags with 2,
  // publish_locks with 3). The write lock is taken only then, so readers never wait for writers.
  if (!version || *version == current || *version == "1" || *version == "2" || *version == "3") {
    IGNITE_ASSIGN_OR_RETURN(
        Statement missing,
        db.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND "
                   "name IN ('registry_tags', 'pending_tags', 'publish_locks')"));
    IGNITE_ASSIGN_OR_RETURN(bool row, missing.step());
    const bool has_all = row && missing.column_int(0) == 3;
    // Ends the statement's read transaction: BEGIN IMMEDIATE below must not upgrade a stale
    // snapshot (SQLite answers that with SQLITE_BUSY at once, without waiting).
    missing.reset();
    if (!version || !has_all || *version != current) {
      IGNITE_ASSIGN_OR_RETURN(Transaction tx, Transaction::begin_immediate(db));
      // Read again under the lock: another process may have done it meanwhile.
      IGNITE_ASSIGN_OR_RETURN(version, recorded_schema(db));
      if (version == std::optional<std::string>("2")) {
        // Schema 2's pending tags lack a number (0 marks them: their tag is recognised by its
        // digest, as schema 2 builders did); before the schema, whose index needs the column.
        IGNITE_RETURN_IF_ERROR(
            db.exec("ALTER TABLE pending_tags ADD COLUMN number INTEGER NOT NULL DEFAULT 0;"
                    "ALTER TABLE pending_tags ADD COLUMN build_id TEXT NOT NULL DEFAULT '';"
                    "ALTER TABLE pending_tags ADD COLUMN holder TEXT NOT NULL DEFAULT '';"
                    "ALTER TABLE pending_tags ADD COLUMN lock_epoch INTEGER NOT NULL DEFAULT 0;"));
      }
      if (version && (*version == "1" || *version == "2" || *version == "3")) {
        // Schema 4's attestation digests; versions older than it have none. A table made by
        // the schema below has them already (pending_tags of schema 1).
        for (const char* table : {"versions", "pending_tags"}) {
          for (const char* column : {"sbom_digest", "provenance_digest"}) {
            IGNITE_RETURN_IF_ERROR(
                add_missing_column(db, table, column, "TEXT NOT NULL DEFAULT ''"));
          }
        }
      }
      IGNITE_RETURN_IF_ERROR(db.exec(kSchemaSql));
      if (version && (*version == "1" || *version == "2" || *version == "3")) {
        const int from = std::stoi(*version);
        IGNITE_RETURN_IF_ERROR(
            db.exec("UPDATE meta SET value = '" + current + "' WHERE key = 'schema_version'"));
        if (upgrade) {
          IGNITE_RETURN_IF_ERROR(upgrade(db, from).with_context(
              "upgrading database " + path + " from schema " + std::to_string(from)));
        }
      }
      IGNITE_RETURN_IF_ERROR(db.exec(
          "INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', '" + current + "')"));
      IGNITE_RETURN_IF_ERROR(tx.commit());
      IGNITE_ASSIGN_OR_RETURN(version, recorded_schema(db));
    }
  }
  if (!version || *version != current) {
    return failed_precondition("database " + path + " has schema version " + version.value_or("?") +
                               ", this ignite-builder reads version " + current +
                               " (was it written by a newer ignite-builder?)");
  }
  return SqliteVersionStore(std::move(db));
}

Result<std::int64_t> SqliteVersionStore::app_row(const AppId& app, std::int64_t now) {
  IGNITE_ASSIGN_OR_RETURN(std::optional<std::int64_t> id, find_app_id(db_, app));
  if (id) return *id;
  IGNITE_ASSIGN_OR_RETURN(
      Statement ins, db_.prepare("INSERT INTO apps (org, app, created_at) VALUES (?1, ?2, ?3)"));
  ins.bind(1, app.org()).bind(2, app.app()).bind(3, now);
  IGNITE_RETURN_IF_ERROR(ins.run());
  return db_.last_insert_rowid();
}

Result<std::int64_t> SqliteVersionStore::next_number(std::int64_t app_id) {
  IGNITE_ASSIGN_OR_RETURN(
      Statement max,
      db_.prepare("SELECT COALESCE(MAX(number), 0) FROM versions WHERE app_id = ?1"));
  max.bind(1, app_id);
  IGNITE_ASSIGN_OR_RETURN(bool row, max.step());
  (void)row;  // an aggregate always yields a row
  return max.column_int(0) + 1;
}

Status SqliteVersionStore::insert_version(std::int64_t app_id, const AppId& app,
                                          const VersionRecord& record) {
  IGNITE_ASSIGN_OR_RETURN(
      Statement ins,
      db_.prepare("INSERT INTO versions (app_id, number, manifest_digest, code_hash, lock_hash, "
                  "base_digest, inputs, created_at, sbom_digest, provenance_digest) "
                  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"));
  ins.bind(1, app_id)
      .bind(2, record.number)
      .bind(3, record.manifest_digest)
      .bind(4, record.code_hash)
      .bind(5, record.lock_hash)
      .bind(6, record.base_digest)
      .bind(7, record.inputs)
      .bind(8, record.created_at)
      .bind(9, record.sbom_digest)
      .bind(10, record.provenance_digest);
  IGNITE_RETURN_IF_ERROR(ins.run());
  for (const auto& registry : record.registries) {
    IGNITE_ASSIGN_OR_RETURN(
        Statement tag,
        db_.prepare("INSERT INTO registry_tags (app_id, number, registry) VALUES (?1, ?2, ?3)"));
    tag.bind(1, app_id).bind(2, record.number).bind(3, registry);
    IGNITE_RETURN_IF_ERROR(tag.run());
    IGNITE_RETURN_IF_ERROR(forget_pending_tag(app, registry, record.manifest_digest));
  }
  return ok_status();
}

namespace {}  // namespace

Result<VersionRecord> SqliteVersionStore::commit_version(const AppId& app, VersionRecord record,
                                                         const VersionGuard& publish) {
  const std::string ctx = "recording a version of " + app.to_string();
  auto tx = Transaction::begin_immediate(db_);
  if (!tx.ok()) return tx.status().with_context(ctx);
  const std::int64_t now = static_cast<std::int64_t>(std::time(nullptr));
  auto app_id = app_row(app, now);
  if (!app_id.ok()) return app_id.status().with_context(ctx);
  auto number = next_number(*app_id);
  if (!number.ok()) return number.status().with_context(ctx);
  // A publication's intent speaks for the next number: taking it here would give the registry's
  // vN and the store's two different images.
  auto intent = publish_intent(app);
  if (!intent.ok()) return intent.status().with_context(ctx);
  if (*intent) return unavailable(intent_in_flight_text(**intent, app) + "; wait for it to finish");
  record.number = *number;
  record.created_at = now;

  SqliteStoreTx store_tx(db_);
  if (Status s = publish(store_tx, record.number); !s.ok()) return s;  // the transaction rolls back

  if (Status s = insert_version(*app_id, app, record); !s.ok()) return s.with_context(ctx);
  if (Status s = tx->commit(); !s.ok()) return s.with_context(ctx);
  return record;
}

Result<std::optional<PublishLockLease>> SqliteVersionStore::take_publish_lock(
    const AppId& app, std::string_view holder, std::int64_t now_ms, std::int64_t lease_ms,
    LockBusy* busy, std::string_view gone_holder) {
  const std::string ctx = "taking the publish lock of " + app.to_string();
  IGNITE_ASSIGN_OR_RETURN(Transaction tx, Transaction::begin_immediate(db_));
  IGNITE_ASSIGN_OR_RETURN(
      Statement q,
      db_.prepare(
          "SELECT holder, epoch, expires_ms FROM publish_locks WHERE org = ?1 AND app = ?2"));
  q.bind(1, app.org()).bind(2, app.app());
  IGNITE_ASSIGN_OR_RETURN(bool row, q.step());
  std::int64_t epoch = 1;
  if (row) {
    const bool gone = !gone_holder.empty() && q.column_text(0) == gone_holder;
    if (q.column_int(2) > now_ms && !gone) {
      if (busy) *busy = LockBusy{q.column_text(0), q.column_int(2)};
      return std::optional<PublishLockLease>();
    }
    epoch = q.column_int(1) + 1;  // a new epoch: the previous holder's steps are refused now
  }
  q.reset();
  IGNITE_ASSIGN_OR_RETURN(
      Statement up,
      db_.prepare("INSERT OR REPLACE INTO publish_locks (org, app, holder, epoch, expires_ms) "
                  "VALUES (?1, ?2, ?3, ?4, ?5)"));
  up.bind(1, app.org())
      .bind(2, app.app())
      .bind(3, holder)
      .bind(4, epoch)
      .bind(5, now_ms + lease_ms);
  if (Status s = up.run(); !s.ok()) return s.with_context(ctx);
  if (Status s = tx.commit(); !s.ok()) return s.with_context(ctx);
  return std::optional<PublishLockLease>(PublishLockLease{std::string(holder), epoch});
}

Status SqliteVersionStore::check_publish_lock(const AppId& app, const PublishLockLease& lock) {
  IGNITE_ASSIGN_OR_RETURN(
      Statement q,
      db_.prepare("SELECT holder, epoch FROM publish_locks WHERE org = ?1 AND app = ?2"));
  q.bind(1, app.org()).bind(2, app.app());
  IGNITE_ASSIGN_OR_RETURN(bool row, q.step());
  if (!row) return publish_lock_taken_over(app, lock, std::nullopt);
  const PublishLockLease current{q.column_text(0), q.column_int(1)};
  if (current.holder == lock.holder && current.epoch == lock.epoch) return ok_status();
  return publish_lock_taken_over(app, lock, current);
}

Status SqliteVersionStore::renew_publish_lock(const AppId& app, const PublishLockLease& lock,
                                              std::int64_t now_ms, std::int64_t lease_ms) {
  IGNITE_ASSIGN_OR_RETURN(Transaction tx, Transaction::begin_immediate(db_));
  IGNITE_RETURN_IF_ERROR(check_publish_lock(app, lock));
  IGNITE_ASSIGN_OR_RETURN(
      Statement q,
      db_.prepare("UPDATE publish_locks SET expires_ms = ?3 WHERE org = ?1 AND app = ?2"));
  q.bind(1, app.org()).bind(2, app.app()).bind(3, now_ms + lease_ms);
  IGNITE_RETURN_IF_ERROR(q.run());
  return tx.commit();
}

Status SqliteVersionStore::release_publish_lock(const AppId& app, const PublishLockLease& lock) {
  // The row stays, expired: epochs only ever go up, so an old (holder, epoch) never matches again.
  IGNITE_ASSIGN_OR_RETURN(
      Statement q,
      db_.prepare("UPDATE publish_locks SET expires_ms = 0 WHERE org = ?1 AND app = ?2 AND "
                  "holder = ?3 AND epoch = ?4"));
  q.bind(1, app.org()).bind(2, app.app()).bind(3, lock.holder).bind(4, lock.epoch);
  return q.run();
}

Result<std::optional<PublishIntent>> SqliteVersionStore::publish_intent(const AppId& app) {
  IGNITE_ASSIGN_OR_RETURN(
      Statement q,
      db_.prepare(
          "SELECT number, registry, manifest_digest, code_hash, lock_hash, base_digest, "
          "inputs, created_at, build_id, holder, lock_epoch, sbom_digest, provenance_digest "
          "FROM pending_tags "
          "WHERE org = ?1 AND app = ?2 AND number > 0"));
  q.bind(1, app.org()).bind(2, app.app());
  IGNITE_ASSIGN_OR_RETURN(bool row, q.step());
  if (!row) return std::optional<PublishIntent>();
  PublishIntent i;
  i.record.number = q.column_int(0);
  i.registry = q.column_text(1);
  i.record.manifest_digest = q.column_text(2);
  i.record.code_hash = q.column_text(3);
  i.record.lock_hash = q.column_text(4);
  i.record.base_digest = q.column_text(5);
  i.record.inputs = q.column_text(6);
  i.record.created_at = q.column_int(7);
  i.record.registries = {i.registry};
  i.build_id = q.column_text(8);
  i.holder = q.column_text(9);
  i.lock_epoch = q.column_int(10);
  i.record.sbom_digest = q.column_text(11);
  i.record.provenance_digest = q.column_text(12);
  return std::optional<PublishIntent>(std::move(i));
}

Result<PublishIntent> SqliteVersionStore::record_intent(const AppId& app, VersionRecord record,
                                                        std::string_view registry,
                                                        std::string_view build_id,
                                                        const PublishLockLease& lock,
                                                        const IntentGuard& guard) {
  const std::string ctx = "recording the intent to publish a version of " + app.to_string();
  auto tx = Transaction::begin_immediate(db_);
  if (!tx.ok()) return tx.status().with_context(ctx);
  IGNITE_RETURN_IF_ERROR(check_publish_lock(app, lock));
  IGNITE_ASSIGN_OR_RETURN(std::optional<PublishIntent> left, publish_intent(app));
  if (left)
    return failed_precondition(intent_in_flight_text(*left, app) + "; roll it forward first");
  const std::int64_t now = static_cast<std::int64_t>(std::time(nullptr));
  auto app_id = app_row(app, now);
  if (!app_id.ok()) return app_id.status().with_context(ctx);
  auto number = next_number(*app_id);
  if (!number.ok()) return number.status().with_context(ctx);
  PublishIntent intent;
  record.number = *number;
  record.created_at = now;
  record.registries = {std::string(registry)};
  intent.record = std::move(record);
  intent.registry = std::string(registry);
  intent.build_id = std::string(build_id);
  intent.holder = lock.holder;
  intent.lock_epoch = lock.epoch;
  SqliteStoreTx store_tx(db_);
  if (guard) IGNITE_RETURN_IF_ERROR(guard(store_tx, intent));
  const VersionRecord& r = intent.record;
  IGNITE_ASSIGN_OR_RETURN(
      Statement q,
      db_.prepare(
          "INSERT OR REPLACE INTO pending_tags (org, app, registry, manifest_digest, code_hash, "
          "lock_hash, base_digest, inputs, created_at, number, build_id, holder, lock_epoch, "
          "sbom_digest, provenance_digest) "
          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)"));
  q.bind(1, app.org())
      .bind(2, app.app())
      .bind(3, registry)
      .bind(4, r.manifest_digest)
      .bind(5, r.code_hash)
      .bind(6, r.lock_hash)
      .bind(7, r.base_digest)
      .bind(8, r.inputs)
      .bind(9, r.created_at)
      .bind(10, r.number)
      .bind(11, build_id)
      .bind(12, lock.holder)
      .bind(13, lock.epoch)
      .bind(14, r.sbom_digest)
      .bind(15, r.provenance_digest);
  if (Status s = q.run(); !s.ok()) return s.with_context(ctx);
  if (Status s = tx->commit(); !s.ok()) return s.with_context(ctx);
  return intent;
}

Result<VersionRecord> SqliteVersionStore::commit_intent(const AppId& app,
                                                        const PublishIntent& intent,
                                                        const PublishLockLease& lock,
                                                        const IntentGuard& guard) {
  const std::string ctx =
      "recording version " + std::to_string(intent.record.number) + " of " + app.to_string();
  auto tx = Transaction::begin_immediate(db_);
  if (!tx.ok()) return tx.status().with_context(ctx);
  IGNITE_RETURN_IF_ERROR(check_publish_lock(app, lock));
  IGNITE_ASSIGN_OR_RETURN(std::optional<PublishIntent> current, publish_intent(app));
  IGNITE_RETURN_IF_ERROR(check_intent_still_there(app, intent, current));
  const std::int64_t now = static_cast<std::int64_t>(std::time(nullptr));
  auto app_id = app_row(app, now);
  if (!app_id.ok()) return app_id.status().with_context(ctx);
  auto number = next_number(*app_id);
  if (!number.ok()) return number.status().with_context(ctx);
  if (*number != intent.record.number) {
    // Only commit_version could have taken it, and it refuses while an intent exists.
    return internal_error(ctx + ": the app's next number is " + std::to_string(*number) +
                          ", not the intent's");
  }
  SqliteStoreTx store_tx(db_);
  if (guard) IGNITE_RETURN_IF_ERROR(guard(store_tx, *current));
  VersionRecord record = intent.record;  // the caller's (a roll-forward adds "recovered")
  record.registries = {intent.registry};
  record.created_at = now;
  if (Status s = insert_version(*app_id, app, record); !s.ok()) return s.with_context(ctx);
  if (Status s = tx->commit(); !s.ok()) return s.with_context(ctx);
  return record;
}

Status SqliteVersionStore::drop_intent(const AppId& app, const PublishIntent& intent,
                                       const PublishLockLease& lock) {
  IGNITE_ASSIGN_OR_RETURN(Transaction tx, Transaction::begin_immediate(db_));
  IGNITE_RETURN_IF_ERROR(check_publish_lock(app, lock));
  IGNITE_ASSIGN_OR_RETURN(
      Statement q,
      db_.prepare("DELETE FROM pending_tags WHERE org = ?1 AND app = ?2 AND number = ?3 AND "
                  "manifest_digest = ?4"));
  q.bind(1, app.org())
      .bind(2, app.app())
      .bind(3, intent.record.number)
      .bind(4, intent.record.manifest_digest);
  IGNITE_RETURN_IF_ERROR(q.run());
  return tx.commit();
}

Result<std::vector<VersionRecord>> SqliteVersionStore::versions(const AppId& app) {
  IGNITE_ASSIGN_OR_RETURN(auto app_row, find_app_id(db_, app));
  if (!app_row) return not_found("no versions of " + app.to_string() + " in the store");
  IGNITE_ASSIGN_OR_RETURN(Statement q, db_.prepare(kSelectVersions));
  q.bind(1, *app_row);
  std::vector<VersionRecord> out;
  for (;;) {
    IGNITE_ASSIGN_OR_RETURN(bool row, q.step());
    if (!row) break;
    out.push_back(read_record(q));
  }
  if (out.empty()) return not_found("no versions of " + app.to_string() + " in the store");
  return out;
}

Result<std::vector<AppVersions>> SqliteVersionStore::all_versions() {
  IGNITE_ASSIGN_OR_RETURN(Statement apps,
                          db_.prepare("SELECT id, org, app FROM apps ORDER BY org, app"));
  IGNITE_ASSIGN_OR_RETURN(Statement q, db_.prepare(kSelectVersions));
  std::vector<AppVersions> out;
  for (;;) {
    IGNITE_ASSIGN_OR_RETURN(bool row, apps.step());
    if (!row) break;
    IGNITE_ASSIGN_OR_RETURN(AppId id, AppId::from_parts(apps.column_text(1), apps.column_text(2)));
    AppVersions entry{id, {}};
    q.reset();
    q.bind(1, apps.column_int(0));
    for (;;) {
      IGNITE_ASSIGN_OR_RETURN(bool vrow, q.step());
      if (!vrow) break;
      entry.versions.push_back(read_record(q));
    }
    out.push_back(std::move(entry));
  }
  return out;
}

Result<std::int64_t> SqliteVersionStore::latest_number(const AppId& app) {
  IGNITE_ASSIGN_OR_RETURN(
      Statement q, db_.prepare("SELECT COALESCE(MAX(v.number), 0) FROM versions v JOIN apps a "
                               "ON a.id = v.app_id WHERE a.org = ?1 AND a.app = ?2"));
  q.bind(1, app.org()).bind(2, app.app());
  IGNITE_ASSIGN_OR_RETURN(bool row, q.step());
  (void)row;
  return q.column_int(0);
}

Result<std::vector<std::int64_t>> SqliteVersionStore::registry_tagged_numbers(
    const AppId& app, std::string_view registry) {
  IGNITE_ASSIGN_OR_RETURN(
      Statement q,
      db_.prepare("SELECT t.number FROM registry_tags t JOIN apps a ON a.id = t.app_id "
                  "WHERE a.org = ?1 AND a.app = ?2 AND t.registry = ?3 ORDER BY t.number"));
  q.bind(1, app.org()).bind(2, app.app()).bind(3, registry);
  std::vector<std::int64_t> out;
  for (;;) {
    IGNITE_ASSIGN_OR_RETURN(bool row, q.step());
    if (!row) break;
    out.push_back(q.column_int(0));
  }
  return out;
}

namespace {

// The most recent other app tagged in `registry` whose version matches on `column`.
Result<std::optional<AppId>> app_in_registry_with(Database& db, std::string_view column,
                                                  std::string_view registry, std::string_view value,
                                                  const AppId& except) {
  IGNITE_ASSIGN_OR_RETURN(
      Statement q, db.prepare("SELECT a.org, a.app FROM registry_tags t "
                              "JOIN versions v ON v.app_id = t.app_id AND v.number = t.number "
                              "JOIN apps a ON a.id = t.app_id "
                              "WHERE t.registry = ?1 AND v." +
                              std::string(column) +
                              " = ?2 AND NOT (a.org = ?3 AND a.app = ?4) "
                              "ORDER BY v.created_at DESC, a.org, a.app LIMIT 1"));
  q.bind(1, registry).bind(2, value).bind(3, except.org()).bind(4, except.app());
  IGNITE_ASSIGN_OR_RETURN(bool row, q.step());
  if (!row) return std::optional<AppId>();
  IGNITE_ASSIGN_OR_RETURN(AppId app, AppId::from_parts(q.column_text(0), q.column_text(1)));
  return std::optional<AppId>(std::move(app));
}

}  // namespace

Result<std::optional<AppId>> SqliteVersionStore::app_in_registry_with_base(
    std::string_view registry, std::string_view base_digest, const AppId& except) {
  return app_in_registry_with(db_, "base_digest", registry, base_digest, except);
}

Result<std::optional<AppId>> SqliteVersionStore::app_in_registry_with_lock(
    std::string_view registry, std::string_view lock_hash, const AppId& except) {
  return app_in_registry_with(db_, "lock_hash", registry, lock_hash, except);
}

Result<std::optional<VersionRecord>> SqliteVersionStore::pending_tag(
    const AppId& app, std::string_view registry, std::string_view manifest_digest) {
  IGNITE_ASSIGN_OR_RETURN(
      Statement q,
      db_.prepare(
          "SELECT code_hash, lock_hash, base_digest, inputs FROM pending_tags WHERE "
          "org = ?1 AND app = ?2 AND registry = ?3 AND manifest_digest = ?4 AND number = 0"));
  q.bind(1, app.org()).bind(2, app.app()).bind(3, registry).bind(4, manifest_digest);
  IGNITE_ASSIGN_OR_RETURN(bool row, q.step());
  if (!row) return std::optional<VersionRecord>();
  VersionRecord r;
  r.manifest_digest = std::string(manifest_digest);
  r.code_hash = q.column_text(0);
  r.lock_hash = q.column_text(1);
  r.base_digest = q.column_text(2);
  r.inputs = q.column_text(3);
  r.registries = {std::string(registry)};
  return std::optional<VersionRecord>(std::move(r));
}

Status SqliteVersionStore::forget_pending_tag(const AppId& app, std::string_view registry,
                                              std::string_view manifest_digest) {
  IGNITE_ASSIGN_OR_RETURN(
      Statement q,
      db_.prepare("DELETE FROM pending_tags WHERE org = ?1 AND app = ?2 AND registry = ?3 AND "
                  "manifest_digest = ?4"));
  q.bind(1, app.org()).bind(2, app.app()).bind(3, registry).bind(4, manifest_digest);
  return q.run();
}

}  // namespace ignite::store
