#include "builder/store/postgres/pg_app_catalog.h"

#include "builder/store/postgres/pg_schema.h"
#include "builder/util/digest.h"
#include "builder/util/wall_clock.h"

namespace ignite::store {
namespace {

Result<std::optional<AppProfile>> load_app(PgConnection& conn, const AppId& app) {
  IGNITE_ASSIGN_OR_RETURN(
      PgResult r, conn.exec("loading app " + app.to_string(),
                            "SELECT resource_tier, description, created_at_ms FROM catalog_apps "
                            "WHERE org = $1 AND app = $2",
                            {app.org(), app.app()}));
  if (r.empty()) return std::optional<AppProfile>();
  IGNITE_ASSIGN_OR_RETURN(std::int64_t created_at_ms, r.integer(0, 2));
  return std::optional<AppProfile>(AppProfile{app, r.text(0, 0), r.text(0, 1), created_at_ms});
}

}  // namespace

Result<PgAppCatalog> PgAppCatalog::open(std::string_view url,
                                        std::function<std::int64_t()> now_ms) {
  IGNITE_ASSIGN_OR_RETURN(PgConnection conn, PgConnection::open(url));
  IGNITE_RETURN_IF_ERROR(ensure_pg_schema(conn));
  return PgAppCatalog(std::move(conn), std::move(now_ms));
}

std::int64_t PgAppCatalog::now_ms() const {
  if (now_ms_) return now_ms_();
  return unix_now_ms();
}

Result<AppProfile> PgAppCatalog::create_app(const AppProfile& profile) {
  IGNITE_RETURN_IF_ERROR(validate_profile(profile));
  AppProfile made = profile;
  made.created_at_ms = now_ms();
  // One statement: the primary key decides between two callers creating the same app.
  IGNITE_ASSIGN_OR_RETURN(
      PgResult r,
      conn_.exec("creating app " + made.app.to_string(),
                 "INSERT INTO catalog_apps (org, app, resource_tier, description, created_at_ms) "
                 "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (org, app) DO NOTHING",
                 {made.app.org(), made.app.app(), made.resource_tier, made.description,
                  made.created_at_ms}));
  if (r.affected() == 0)
    return already_exists("app " + profile.app.to_string() + " already exists");
  return made;
}

Result<std::optional<AppProfile>> PgAppCatalog::find_app(const AppId& app) {
  return load_app(conn_, app);
}

Result<DraftRecord> PgAppCatalog::save_draft(const DraftRecord& draft) {
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
  DraftRecord saved = draft;
  saved.saved_at_ms = now_ms();
  // Apps are never deleted, so the app found here is still there at the upsert; the foreign key
  // stands behind it. The upsert takes the row's lock, so two saves get two revisions.
  Status s = conn_.transaction(ctx, [&]() -> Status {
    IGNITE_ASSIGN_OR_RETURN(std::optional<AppProfile> app, load_app(conn_, draft.app));
    if (!app) return not_found("app " + draft.app.to_string() + " not found");
    IGNITE_ASSIGN_OR_RETURN(
        PgResult r,
        conn_.exec(ctx,
                   "INSERT INTO drafts (org, app, revision, source_digest, code_hash, build_id, "
                   "saved_at_ms) VALUES ($1, $2, 1, $3, $4, $5, $6) "
                   "ON CONFLICT (org, app) DO UPDATE SET revision = drafts.revision + 1, "
                   "source_digest = excluded.source_digest, code_hash = excluded.code_hash, "
                   "build_id = excluded.build_id, saved_at_ms = excluded.saved_at_ms "
                   "RETURNING revision",
                   {saved.app.org(), saved.app.app(), saved.source_digest, saved.code_hash,
                    saved.build_id, saved.saved_at_ms}));
    if (r.empty()) return internal_error(ctx + ": the database returned no revision");
    IGNITE_ASSIGN_OR_RETURN(saved.revision, r.integer(0, 0));
    return ok_status();
  });
  IGNITE_RETURN_IF_ERROR(s);
  return saved;
}

Result<std::optional<DraftRecord>> PgAppCatalog::find_draft(const AppId& app) {
  IGNITE_ASSIGN_OR_RETURN(
      PgResult r, conn_.exec("loading the draft of " + app.to_string(),
                             "SELECT revision, source_digest, code_hash, build_id, saved_at_ms "
                             "FROM drafts WHERE org = $1 AND app = $2",
                             {app.org(), app.app()}));
  if (r.empty()) return std::optional<DraftRecord>();
  IGNITE_ASSIGN_OR_RETURN(std::int64_t revision, r.integer(0, 0));
  IGNITE_ASSIGN_OR_RETURN(std::int64_t saved_at_ms, r.integer(0, 4));
  return std::optional<DraftRecord>(
      DraftRecord{app, revision, r.text(0, 1), r.text(0, 2), r.text(0, 3), saved_at_ms});
}

}  // namespace ignite::store
