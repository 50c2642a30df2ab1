#include "builder/store/version_store.h"

#include <ctime>

#include "builder/store/schema_sql.h"

namespace ignite::store {
namespace {

Result<std::optional<std::int64_t>> find_app_id(Database& db, const AppId& app) {
  IGNITE_ASSIGN_OR_RETURN(Statement q, db.prepare("SELECT id FROM apps WHERE org = ?1 AND app = ?2"));
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
  return r;
}

constexpr const char* kSelectVersions =
    "SELECT number, manifest_digest, code_hash, lock_hash, base_digest, inputs, created_at, "
    "(SELECT group_concat(registry, char(10)) FROM (SELECT registry FROM registry_tags t "
    "WHERE t.app_id = versions.app_id AND t.number = versions.number ORDER BY registry)) "
    "FROM versions WHERE app_id = ?1 ORDER BY number";

}  // namespace

namespace {

// The schema version the database records, or nullopt when it has no schema yet.
Result<std::optional<std::string>> recorded_schema(Database& db) {
  IGNITE_ASSIGN_OR_RETURN(
      Statement has, db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'"));
  IGNITE_ASSIGN_OR_RETURN(bool exists, has.step());
  if (!exists) return std::optional<std::string>();
  IGNITE_ASSIGN_OR_RETURN(Statement q, db.prepare("SELECT value FROM meta WHERE key = 'schema_version'"));
  IGNITE_ASSIGN_OR_RETURN(bool row, q.step());
  if (!row) return std::optional<std::string>();
  return std::optional<std::string>(q.column_text(0));
}

}  // namespace

Result<VersionStore> VersionStore::open(const std::string& path, Database::Create create,
                                        const UpgradeHook& upgrade) {
  IGNITE_ASSIGN_OR_RETURN(Database db, Database::open(path, create));
  const std::string current = std::to_string(kStoreSchemaVersion);
  IGNITE_ASSIGN_OR_RETURN(std::optional<std::string> version, recorded_schema(db));
  // Statements of the schema are all IF NOT EXISTS: applying it again is harmless, and it adds
  // what an older database lacks (registry_tags came within version 1, pending_tags with 2).
  // The write lock is taken only then, so readers never wait for writers here.
  if (!version || *version == current || *version == "1") {
    IGNITE_ASSIGN_OR_RETURN(Statement missing,
                            db.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND "
                                       "name IN ('registry_tags', 'pending_tags')"));
    IGNITE_ASSIGN_OR_RETURN(bool row, missing.step());
    const bool has_all = row && missing.column_int(0) == 2;
    // Ends the statement's read transaction: BEGIN IMMEDIATE below must not upgrade a stale
    // snapshot (SQLite answers that with SQLITE_BUSY at once, without waiting).
    missing.reset();
    if (!version || !has_all || *version != current) {
      IGNITE_ASSIGN_OR_RETURN(Transaction tx, Transaction::begin_immediate(db));
      // Read again under the lock: another process may have done it meanwhile.
      IGNITE_ASSIGN_OR_RETURN(version, recorded_schema(db));
      IGNITE_RETURN_IF_ERROR(db.exec(kSchemaSql));
      if (version == std::optional<std::string>("1")) {
        IGNITE_RETURN_IF_ERROR(db.exec("UPDATE meta SET value = '" + current + "' WHERE key = 'schema_version'"));
        if (upgrade) {
          IGNITE_RETURN_IF_ERROR(upgrade(db, 1).with_context("upgrading database " + path + " from schema 1"));
        }
      }
      IGNITE_RETURN_IF_ERROR(db.exec("INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', '" +
                                     current + "')"));
      IGNITE_RETURN_IF_ERROR(tx.commit());
      IGNITE_ASSIGN_OR_RETURN(version, recorded_schema(db));
    }
  }
  if (!version || *version != current) {
    return failed_precondition("database " + path + " has schema version " + version.value_or("?") +
                               ", this ignite-builder reads version " + current +
                               " (was it written by a newer ignite-builder?)");
  }
  return VersionStore(std::move(db));
}

Result<VersionRecord> VersionStore::commit_version(
    const AppId& app, VersionRecord record, const std::function<Status(std::int64_t)>& publish) {
  const std::string ctx = "recording a version of " + app.to_string();
  auto tx = Transaction::begin_immediate(db_);
  if (!tx.ok()) return tx.status().with_context(ctx);

  auto app_row = find_app_id(db_, app);
  if (!app_row.ok()) return app_row.status().with_context(ctx);
  std::int64_t app_id = 0;
  const std::int64_t now = static_cast<std::int64_t>(std::time(nullptr));
  if (app_row->has_value()) {
    app_id = **app_row;
  } else {
    IGNITE_ASSIGN_OR_RETURN(Statement ins,
                            db_.prepare("INSERT INTO apps (org, app, created_at) VALUES (?1, ?2, ?3)"));
    ins.bind(1, app.org()).bind(2, app.app()).bind(3, now);
    if (Status s = ins.run(); !s.ok()) return s.with_context(ctx);
    app_id = db_.last_insert_rowid();
  }

  IGNITE_ASSIGN_OR_RETURN(Statement max,
                          db_.prepare("SELECT COALESCE(MAX(number), 0) FROM versions WHERE app_id = ?1"));
  max.bind(1, app_id);
  IGNITE_ASSIGN_OR_RETURN(bool row, max.step());
  (void)row;  // an aggregate always yields a row
  record.number = max.column_int(0) + 1;
  record.created_at = now;

  if (Status s = publish(record.number); !s.ok()) return s;  // the transaction rolls back

  IGNITE_ASSIGN_OR_RETURN(
      Statement ins,
      db_.prepare("INSERT INTO versions (app_id, number, manifest_digest, code_hash, lock_hash, "
                  "base_digest, inputs, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"));
  ins.bind(1, app_id)
      .bind(2, record.number)
      .bind(3, record.manifest_digest)
      .bind(4, record.code_hash)
      .bind(5, record.lock_hash)
      .bind(6, record.base_digest)
      .bind(7, record.inputs)
      .bind(8, now);
  if (Status s = ins.run(); !s.ok()) return s.with_context(ctx);
  for (const auto& registry : record.registries) {
    IGNITE_ASSIGN_OR_RETURN(
        Statement tag, db_.prepare("INSERT INTO registry_tags (app_id, number, registry) VALUES (?1, ?2, ?3)"));
    tag.bind(1, app_id).bind(2, record.number).bind(3, registry);
    if (Status s = tag.run(); !s.ok()) return s.with_context(ctx);
    if (Status s = forget_pending_tag(app, registry, record.manifest_digest); !s.ok()) return s.with_context(ctx);
  }
  if (Status s = tx->commit(); !s.ok()) return s.with_context(ctx);
  return record;
}

Result<std::vector<VersionRecord>> VersionStore::versions(const AppId& app) {
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

Result<std::vector<AppVersions>> VersionStore::all_versions() {
  IGNITE_ASSIGN_OR_RETURN(Statement apps, db_.prepare("SELECT id, org, app FROM apps ORDER BY org, app"));
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

Result<std::int64_t> VersionStore::latest_number(const AppId& app) {
  IGNITE_ASSIGN_OR_RETURN(
      Statement q, db_.prepare("SELECT COALESCE(MAX(v.number), 0) FROM versions v JOIN apps a "
                               "ON a.id = v.app_id WHERE a.org = ?1 AND a.app = ?2"));
  q.bind(1, app.org()).bind(2, app.app());
  IGNITE_ASSIGN_OR_RETURN(bool row, q.step());
  (void)row;
  return q.column_int(0);
}

Result<std::vector<std::int64_t>> VersionStore::registry_tagged_numbers(const AppId& app,
                                                                       std::string_view registry) {
  IGNITE_ASSIGN_OR_RETURN(
      Statement q, db_.prepare("SELECT t.number FROM registry_tags t JOIN apps a ON a.id = t.app_id "
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
      Statement q,
      db.prepare("SELECT a.org, a.app FROM registry_tags t "
                 "JOIN versions v ON v.app_id = t.app_id AND v.number = t.number "
                 "JOIN apps a ON a.id = t.app_id "
                 "WHERE t.registry = ?1 AND v." + std::string(column) +
                 " = ?2 AND NOT (a.org = ?3 AND a.app = ?4) "
                 "ORDER BY v.created_at DESC, a.org, a.app LIMIT 1"));
  q.bind(1, registry).bind(2, value).bind(3, except.org()).bind(4, except.app());
  IGNITE_ASSIGN_OR_RETURN(bool row, q.step());
  if (!row) return std::optional<AppId>();
  IGNITE_ASSIGN_OR_RETURN(AppId app, AppId::from_parts(q.column_text(0), q.column_text(1)));
  return std::optional<AppId>(std::move(app));
}

}  // namespace

Result<std::optional<AppId>> VersionStore::app_in_registry_with_base(std::string_view registry,
                                                                     std::string_view base_digest,
                                                                     const AppId& except) {
  return app_in_registry_with(db_, "base_digest", registry, base_digest, except);
}

Result<std::optional<AppId>> VersionStore::app_in_registry_with_lock(std::string_view registry,
                                                                     std::string_view lock_hash,
                                                                     const AppId& except) {
  return app_in_registry_with(db_, "lock_hash", registry, lock_hash, except);
}

Status VersionStore::remember_pending_tag(const AppId& app, std::string_view registry,
                                          const VersionRecord& record) {
  IGNITE_ASSIGN_OR_RETURN(
      Statement q,
      db_.prepare("INSERT OR REPLACE INTO pending_tags (org, app, registry, manifest_digest, code_hash, "
                  "lock_hash, base_digest, inputs, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"));
  q.bind(1, app.org())
      .bind(2, app.app())
      .bind(3, registry)
      .bind(4, record.manifest_digest)
      .bind(5, record.code_hash)
      .bind(6, record.lock_hash)
      .bind(7, record.base_digest)
      .bind(8, record.inputs)
      .bind(9, static_cast<std::int64_t>(std::time(nullptr)));
  return q.run().with_context("remembering the tag of " + app.to_string() + " about to be set in " +
                              std::string(registry));
}

Result<std::optional<VersionRecord>> VersionStore::pending_tag(const AppId& app, std::string_view registry,
                                                               std::string_view manifest_digest) {
  IGNITE_ASSIGN_OR_RETURN(
      Statement q, db_.prepare("SELECT code_hash, lock_hash, base_digest, inputs FROM pending_tags WHERE "
                               "org = ?1 AND app = ?2 AND registry = ?3 AND manifest_digest = ?4"));
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

Status VersionStore::forget_pending_tag(const AppId& app, std::string_view registry,
                                        std::string_view manifest_digest) {
  IGNITE_ASSIGN_OR_RETURN(
      Statement q, db_.prepare("DELETE FROM pending_tags WHERE org = ?1 AND app = ?2 AND registry = ?3 AND "
                               "manifest_digest = ?4"));
  q.bind(1, app.org()).bind(2, app.app()).bind(3, registry).bind(4, manifest_digest);
  return q.run();
}

}  // namespace ignite::store
