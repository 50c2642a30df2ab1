#include "builder/store/sqlite_app_catalog.h"

#include <chrono>

#include "builder/store/catalog_schema_sql.h"
#include "builder/util/digest.h"
#include "builder/util/wall_clock.h"

namespace ignite::store {
namespace {

Result<std::optional<AppProfile>> load_app(Database& db, const AppId& app) {
  IGNITE_ASSIGN_OR_RETURN(Statement q,
                          db.prepare("SELECT resource_tier, description, created_at_ms FROM "
                                     "catalog_apps WHERE org = ?1 AND app = ?2"));
  q.bind(1, app.org()).bind(2, app.app());
  IGNITE_ASSIGN_OR_RETURN(bool row, q.step());
  if (!row) return std::optional<AppProfile>();
  return std::optional<AppProfile>(
      AppProfile{app, q.column_text(0), q.column_text(1), q.column_int(2)});
}

}  // namespace

Result<SqliteAppCatalog> SqliteAppCatalog::open(const std::string& path,
                                                std::function<std::int64_t()> now_ms) {
  IGNITE_ASSIGN_OR_RETURN(Database db, Database::open(path, Database::Create::kIfMissing));
  const std::string current = std::to_string(kCatalogSchemaVersion);
  IGNITE_ASSIGN_OR_RETURN(std::string version,
                          ensure_versioned_tables(db, "catalog_schema_version", kCatalogSchemaSql,
                                                  kCatalogSchemaVersion, "the app catalog"));
  if (version != current) {
    return failed_precondition("database " + path + " has app catalog schema version " + version +
                               ", this ignite-builder reads version " + current +
                               " (was it written by a newer ignite-builder?)");
  }
  return SqliteAppCatalog(std::move(db), std::move(now_ms));
}

std::int64_t SqliteAppCatalog::now_ms() const {
  if (now_ms_) return now_ms_();
  return unix_now_ms();
}

Result<AppProfile> SqliteAppCatalog::create_app(const AppProfile& profile) {
  IGNITE_RETURN_IF_ERROR(validate_profile(profile));
  IGNITE_ASSIGN_OR_RETURN(Transaction tx, Transaction::begin_immediate(db_));
  IGNITE_ASSIGN_OR_RETURN(std::optional<AppProfile> existing, load_app(db_, profile.app));
  if (existing) return already_exists("app " + profile.app.to_string() + " already exists");
  AppProfile made = profile;
  made.created_at_ms = now_ms();
  IGNITE_ASSIGN_OR_RETURN(
      Statement q, db_.prepare("INSERT INTO catalog_apps (org, app, resource_tier, description, "
                               "created_at_ms) VALUES (?1, ?2, ?3, ?4, ?5)"));
  q.bind(1, made.app.org())
      .bind(2, made.app.app())
      .bind(3, made.resource_tier)
      .bind(4, made.description)
      .bind(5, made.created_at_ms);
  IGNITE_RETURN_IF_ERROR(q.run());
  IGNITE_RETURN_IF_ERROR(tx.commit());
  return made;
}

Result<std::optional<AppProfile>> SqliteAppCatalog::find_app(const AppId& app) {
  return load_app(db_, app);
}

Result<DraftRecord> SqliteAppCatalog::save_draft(const DraftRecord& draft) {
  const std::string ctx = "saving the draft of " + draft.app.to_string();
  if (Status s = Digest::parse(draft.source_digest).status(); !s.ok()) {
    return s.with_context(ctx + ": source digest");
  }
  if (!draft.code_hash.empty()) {  // "" for an image draft
    if (Status s = Digest::parse(draft.code_hash).status(); !s.ok()) {
      return s.with_context(ctx + ": code hash");
    }
  }
  if (draft.build_id.empty()) return invalid_argument(ctx + ": no build id");
  IGNITE_ASSIGN_OR_RETURN(Transaction tx, Transaction::begin_immediate(db_));
  IGNITE_ASSIGN_OR_RETURN(std::optional<AppProfile> app, load_app(db_, draft.app));
  if (!app) return not_found("app " + draft.app.to_string() + " not found");
  DraftRecord saved = draft;
  saved.saved_at_ms = now_ms();
  IGNITE_ASSIGN_OR_RETURN(
      Statement q,
      db_.prepare("INSERT INTO drafts (org, app, revision, source_digest, code_hash, build_id, "
                  "saved_at_ms) VALUES (?1, ?2, 1, ?3, ?4, ?5, ?6) "
                  "ON CONFLICT (org, app) DO UPDATE SET revision = revision + 1, "
                  "source_digest = excluded.source_digest, code_hash = excluded.code_hash, "
                  "build_id = excluded.build_id, saved_at_ms = excluded.saved_at_ms "
                  "RETURNING revision"));
  q.bind(1, saved.app.org())
      .bind(2, saved.app.app())
      .bind(3, saved.source_digest)
      .bind(4, saved.code_hash)
      .bind(5, saved.build_id)
      .bind(6, saved.saved_at_ms);
  IGNITE_ASSIGN_OR_RETURN(bool row, q.step());
  if (!row) return internal_error(ctx + ": the database returned no revision");
  saved.revision = q.column_int(0);
  IGNITE_RETURN_IF_ERROR(q.run());
  IGNITE_RETURN_IF_ERROR(tx.commit());
  return saved;
}

Result<std::optional<DraftRecord>> SqliteAppCatalog::find_draft(const AppId& app) {
  IGNITE_ASSIGN_OR_RETURN(
      Statement q, db_.prepare("SELECT revision, source_digest, code_hash, build_id, saved_at_ms "
                               "FROM drafts WHERE org = ?1 AND app = ?2"));
  q.bind(1, app.org()).bind(2, app.app());
  IGNITE_ASSIGN_OR_RETURN(bool row, q.step());
  if (!row) return std::optional<DraftRecord>();
  return std::optional<DraftRecord>(DraftRecord{
      app, q.column_int(0), q.column_text(1), q.column_text(2), q.column_text(3), q.column_int(4)});
}

}  // namespace ignite::store
