#include "builder/store/postgres/pg_version_store.h"

#include "builder/store/publish_texts.h"

#include <ctime>

#include "builder/store/postgres/pg_schema.h"
#include "builder/store/postgres/pg_store_tx.h"

namespace ignite::store {
namespace {

// Orders as SQLite does (bytewise), whatever the database's collation.
constexpr const char* kSelectVersions =
    "SELECT number, manifest_digest, code_hash, lock_hash, base_digest, inputs, created_at, "
    "(SELECT string_agg(registry, E'\\n' ORDER BY registry COLLATE \"C\") FROM registry_tags t "
    "WHERE t.app_id = versions.app_id AND t.number = versions.number), "
    "sbom_digest, provenance_digest FROM versions WHERE app_id = $1 ORDER BY number";

// A row of kSelectVersions.
Result<VersionRecord> read_record(const PgResult& r, std::size_t row) {
  VersionRecord v;
  IGNITE_ASSIGN_OR_RETURN(v.number, r.integer(row, 0));
  v.manifest_digest = r.text(row, 1);
  v.code_hash = r.text(row, 2);
  v.lock_hash = r.text(row, 3);
  v.base_digest = r.text(row, 4);
  v.inputs = r.text(row, 5);
  IGNITE_ASSIGN_OR_RETURN(v.created_at, r.integer(row, 6));
  const std::string registries = r.text(row, 7);  // newline-separated; NULL reads as ""
  for (std::size_t start = 0; start < registries.size();) {
    std::size_t end = registries.find('\n', start);
    if (end == std::string::npos) end = registries.size();
    v.registries.push_back(registries.substr(start, end - start));
    start = end + 1;
  }
  v.sbom_digest = r.text(row, 8);
  v.provenance_digest = r.text(row, 9);
  return v;
}

Result<std::optional<std::int64_t>> find_app_id(PgConnection& conn, const AppId& app) {
  IGNITE_ASSIGN_OR_RETURN(PgResult r, conn.exec("finding app " + app.to_string(),
                                                "SELECT id FROM apps WHERE org = $1 AND app = $2",
                                                {app.org(), app.app()}));
  if (r.empty()) return std::optional<std::int64_t>();
  IGNITE_ASSIGN_OR_RETURN(std::int64_t id, r.integer(0, 0));
  return std::optional<std::int64_t>(id);
}

std::int64_t unix_seconds() { return static_cast<std::int64_t>(std::time(nullptr)); }

}  // namespace

Result<PgVersionStore> PgVersionStore::open(std::string_view url) {
  IGNITE_ASSIGN_OR_RETURN(PgConnection conn, PgConnection::open(url));
  IGNITE_RETURN_IF_ERROR(ensure_pg_schema(conn));
  return PgVersionStore(std::move(conn));
}

Result<std::int64_t> PgVersionStore::lock_app_row(const AppId& app, std::int64_t now) {
  const std::string name = "locking app " + app.to_string();
  // Apps are never deleted: once made (here or by a concurrent transaction, whose insert this
  // one waits for), the row is there to lock.
  IGNITE_RETURN_IF_ERROR(conn_
                             .exec(name,
                                   "INSERT INTO apps (org, app, created_at) VALUES ($1, $2, $3) "
                                   "ON CONFLICT (org, app) DO NOTHING",
                                   {app.org(), app.app(), now})
                             .status());
  IGNITE_ASSIGN_OR_RETURN(
      PgResult r, conn_.exec(name, "SELECT id FROM apps WHERE org = $1 AND app = $2 FOR UPDATE",
                             {app.org(), app.app()}));
  if (r.empty()) return internal_error(name + ": the app's row is missing after it was made");
  return r.integer(0, 0);
}

Result<std::int64_t> PgVersionStore::next_number(std::int64_t app_id) {
  // A statement of its own after the app row's lock: at READ COMMITTED it sees every version
  // committed by the transactions that held the lock before.
  IGNITE_ASSIGN_OR_RETURN(
      PgResult r,
      conn_.exec("reading the app's highest version number",
                 "SELECT COALESCE(MAX(number), 0) FROM versions WHERE app_id = $1", {app_id}));
  IGNITE_ASSIGN_OR_RETURN(std::int64_t max, r.integer(0, 0));
  return max + 1;
}

Status PgVersionStore::insert_version(std::int64_t app_id, const AppId& app,
                                      const VersionRecord& record) {
  const std::string name =
      "recording version " + std::to_string(record.number) + " of " + app.to_string();
  IGNITE_RETURN_IF_ERROR(
      conn_
          .exec(name,
                "INSERT INTO versions (app_id, number, manifest_digest, code_hash, lock_hash, "
                "base_digest, inputs, created_at, sbom_digest, provenance_digest) "
                "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                {app_id, record.number, record.manifest_digest, record.code_hash, record.lock_hash,
                 record.base_digest, record.inputs, record.created_at, record.sbom_digest,
                 record.provenance_digest})
          .status());
  for (const auto& registry : record.registries) {
    IGNITE_RETURN_IF_ERROR(
        conn_
            .exec(name, "INSERT INTO registry_tags (app_id, number, registry) VALUES ($1, $2, $3)",
                  {app_id, record.number, registry})
            .status());
    IGNITE_RETURN_IF_ERROR(forget_pending_tag(app, registry, record.manifest_digest));
  }
  return ok_status();
}

Result<VersionRecord> PgVersionStore::commit_version(const AppId& app, VersionRecord record,
                                                     const VersionGuard& publish) {
  const std::string ctx = "recording a version of " + app.to_string();
  VersionRecord committed;
  Status s = conn_.transaction(ctx, [&]() -> Status {
    committed = record;  // from scratch on each attempt
    const std::int64_t now = unix_seconds();
    auto app_id = lock_app_row(app, now);
    if (!app_id.ok()) return app_id.status().with_context(ctx);
    auto number = next_number(*app_id);
    if (!number.ok()) return number.status().with_context(ctx);
    // A publication's intent speaks for the next number: taking it here would give the
    // registry's vN and the store's two different images.
    auto intent = publish_intent(app);
    if (!intent.ok()) return intent.status().with_context(ctx);
    if (*intent)
      return unavailable(intent_in_flight_text(**intent, app) + "; wait for it to finish");
    committed.number = *number;
    committed.created_at = now;
    PgStoreTx store_tx(conn_);
    if (Status g = publish(store_tx, committed.number); !g.ok()) return g;  // rolls back
    if (Status i = insert_version(*app_id, app, committed); !i.ok()) return i.with_context(ctx);
    return ok_status();
  });
  IGNITE_RETURN_IF_ERROR(s);
  return committed;
}

Result<std::optional<PublishLockLease>> PgVersionStore::take_publish_lock(
    const AppId& app, std::string_view holder, std::int64_t now_ms, std::int64_t lease_ms,
    LockBusy* busy, std::string_view gone_holder) {
  const std::string ctx = "taking the publish lock of " + app.to_string();
  std::optional<PublishLockLease> taken;
  std::optional<LockBusy> busy_with;
  Status s = conn_.transaction(ctx, [&]() -> Status {
    taken.reset();
    busy_with.reset();
    // The first lock of the app: made with epoch 1, or (when another transaction makes it
    // first) waited for and then decided on below like any held lock.
    IGNITE_ASSIGN_OR_RETURN(
        PgResult made, conn_.exec(ctx,
                                  "INSERT INTO publish_locks (org, app, holder, epoch, expires_ms) "
                                  "VALUES ($1, $2, $3, 1, $4) ON CONFLICT (org, app) DO NOTHING",
                                  {app.org(), app.app(), holder, now_ms + lease_ms}));
    if (made.affected() == 1) {
      taken = PublishLockLease{std::string(holder), 1};
      return ok_status();
    }
    IGNITE_ASSIGN_OR_RETURN(PgResult r,
                            conn_.exec(ctx,
                                       "SELECT holder, epoch, expires_ms FROM publish_locks "
                                       "WHERE org = $1 AND app = $2 FOR UPDATE",
                                       {app.org(), app.app()}));
    if (r.empty()) return internal_error(ctx + ": the lock's row is missing after it was made");
    IGNITE_ASSIGN_OR_RETURN(std::int64_t epoch, r.integer(0, 1));
    IGNITE_ASSIGN_OR_RETURN(std::int64_t expires_ms, r.integer(0, 2));
    const bool gone = !gone_holder.empty() && r.text(0, 0) == gone_holder;
    if (expires_ms > now_ms && !gone) {
      busy_with = LockBusy{r.text(0, 0), expires_ms};
      return ok_status();
    }
    ++epoch;  // a new epoch: the previous holder's steps are refused now
    IGNITE_RETURN_IF_ERROR(conn_
                               .exec(ctx,
                                     "UPDATE publish_locks SET holder = $3, epoch = $4, "
                                     "expires_ms = $5 WHERE org = $1 AND app = $2",
                                     {app.org(), app.app(), holder, epoch, now_ms + lease_ms})
                               .status());
    taken = PublishLockLease{std::string(holder), epoch};
    return ok_status();
  });
  IGNITE_RETURN_IF_ERROR(s);
  if (busy_with && busy) *busy = *busy_with;
  return taken;
}

Status PgVersionStore::check_publish_lock(const AppId& app, const PublishLockLease& lock) {
  // FOR UPDATE: nobody takes the lock over until this transaction ends, so what it writes is
  // written under the lock it checked.
  IGNITE_ASSIGN_OR_RETURN(
      PgResult r,
      conn_.exec("checking the publish lock of " + app.to_string(),
                 "SELECT holder, epoch FROM publish_locks WHERE org = $1 AND app = $2 FOR UPDATE",
                 {app.org(), app.app()}));
  if (r.empty()) return publish_lock_taken_over(app, lock, std::nullopt);
  IGNITE_ASSIGN_OR_RETURN(std::int64_t epoch, r.integer(0, 1));
  const PublishLockLease current{r.text(0, 0), epoch};
  if (current.holder == lock.holder && current.epoch == lock.epoch) return ok_status();
  return publish_lock_taken_over(app, lock, current);
}

Status PgVersionStore::renew_publish_lock(const AppId& app, const PublishLockLease& lock,
                                          std::int64_t now_ms, std::int64_t lease_ms) {
  return conn_.transaction("renewing the publish lock of " + app.to_string(), [&]() -> Status {
    IGNITE_RETURN_IF_ERROR(check_publish_lock(app, lock));
    return conn_
        .exec("renewing the publish lock of " + app.to_string(),
              "UPDATE publish_locks SET expires_ms = $3 WHERE org = $1 AND app = $2",
              {app.org(), app.app(), now_ms + lease_ms})
        .status();
  });
}

Status PgVersionStore::release_publish_lock(const AppId& app, const PublishLockLease& lock) {
  // The row stays, expired: epochs only ever go up, so an old (holder, epoch) never matches again.
  return conn_
      .exec("releasing the publish lock of " + app.to_string(),
            "UPDATE publish_locks SET expires_ms = 0 WHERE org = $1 AND app = $2 AND "
            "holder = $3 AND epoch = $4",
            {app.org(), app.app(), lock.holder, lock.epoch})
      .status();
}

Result<std::optional<PublishIntent>> PgVersionStore::publish_intent(const AppId& app) {
  IGNITE_ASSIGN_OR_RETURN(
      PgResult r,
      conn_.exec("reading the publish intent of " + app.to_string(),
                 "SELECT number, registry, manifest_digest, code_hash, lock_hash, base_digest, "
                 "inputs, created_at, build_id, holder, lock_epoch, sbom_digest, "
                 "provenance_digest FROM pending_tags WHERE org = $1 AND app = $2 AND number > 0",
                 {app.org(), app.app()}));
  if (r.empty()) return std::optional<PublishIntent>();
  PublishIntent i;
  IGNITE_ASSIGN_OR_RETURN(i.record.number, r.integer(0, 0));
  i.registry = r.text(0, 1);
  i.record.manifest_digest = r.text(0, 2);
  i.record.code_hash = r.text(0, 3);
  i.record.lock_hash = r.text(0, 4);
  i.record.base_digest = r.text(0, 5);
  i.record.inputs = r.text(0, 6);
  IGNITE_ASSIGN_OR_RETURN(i.record.created_at, r.integer(0, 7));
  i.record.registries = {i.registry};
  i.build_id = r.text(0, 8);
  i.holder = r.text(0, 9);
  IGNITE_ASSIGN_OR_RETURN(i.lock_epoch, r.integer(0, 10));
  i.record.sbom_digest = r.text(0, 11);
  i.record.provenance_digest = r.text(0, 12);
  return std::optional<PublishIntent>(std::move(i));
}

Result<PublishIntent> PgVersionStore::record_intent(const AppId& app, VersionRecord record,
                                                    std::string_view registry,
                                                    std::string_view build_id,
                                                    const PublishLockLease& lock,
                                                    const IntentGuard& guard) {
  const std::string ctx = "recording the intent to publish a version of " + app.to_string();
  PublishIntent intent;
  Status s = conn_.transaction(ctx, [&]() -> Status {
    IGNITE_RETURN_IF_ERROR(check_publish_lock(app, lock));
    IGNITE_ASSIGN_OR_RETURN(std::optional<PublishIntent> left, publish_intent(app));
    if (left)
      return failed_precondition(intent_in_flight_text(*left, app) + "; roll it forward first");
    const std::int64_t now = unix_seconds();
    auto app_id = lock_app_row(app, now);
    if (!app_id.ok()) return app_id.status().with_context(ctx);
    auto number = next_number(*app_id);
    if (!number.ok()) return number.status().with_context(ctx);
    intent = PublishIntent{};  // from scratch on each attempt
    intent.record = record;
    intent.record.number = *number;
    intent.record.created_at = now;
    intent.record.registries = {std::string(registry)};
    intent.registry = std::string(registry);
    intent.build_id = std::string(build_id);
    intent.holder = lock.holder;
    intent.lock_epoch = lock.epoch;
    PgStoreTx store_tx(conn_);
    if (guard) IGNITE_RETURN_IF_ERROR(guard(store_tx, intent));
    const VersionRecord& r = intent.record;
    // As SQLite's INSERT OR REPLACE: a pending tag of schema 2 for the same digest becomes the
    // intent.
    return conn_
        .exec(ctx,
              "INSERT INTO pending_tags (org, app, registry, manifest_digest, code_hash, "
              "lock_hash, base_digest, inputs, created_at, number, build_id, holder, lock_epoch, "
              "sbom_digest, provenance_digest) "
              "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) "
              "ON CONFLICT (org, app, registry, manifest_digest) DO UPDATE SET "
              "code_hash = excluded.code_hash, lock_hash = excluded.lock_hash, "
              "base_digest = excluded.base_digest, inputs = excluded.inputs, "
              "created_at = excluded.created_at, number = excluded.number, "
              "build_id = excluded.build_id, holder = excluded.holder, "
              "lock_epoch = excluded.lock_epoch, sbom_digest = excluded.sbom_digest, "
              "provenance_digest = excluded.provenance_digest",
              {app.org(), app.app(), registry, r.manifest_digest, r.code_hash, r.lock_hash,
               r.base_digest, r.inputs, r.created_at, r.number, build_id, lock.holder, lock.epoch,
               r.sbom_digest, r.provenance_digest})
        .status();
  });
  IGNITE_RETURN_IF_ERROR(s);
  return intent;
}

Result<VersionRecord> PgVersionStore::commit_intent(const AppId& app, const PublishIntent& intent,
                                                    const PublishLockLease& lock,
                                                    const IntentGuard& guard) {
  const std::string ctx =
      "recording version " + std::to_string(intent.record.number) + " of " + app.to_string();
  VersionRecord record;
  Status s = conn_.transaction(ctx, [&]() -> Status {
    IGNITE_RETURN_IF_ERROR(check_publish_lock(app, lock));
    IGNITE_ASSIGN_OR_RETURN(std::optional<PublishIntent> current, publish_intent(app));
    IGNITE_RETURN_IF_ERROR(check_intent_still_there(app, intent, current));
    const std::int64_t now = unix_seconds();
    auto app_id = lock_app_row(app, now);
    if (!app_id.ok()) return app_id.status().with_context(ctx);
    auto number = next_number(*app_id);
    if (!number.ok()) return number.status().with_context(ctx);
    if (*number != intent.record.number) {
      // Only commit_version could have taken it, and it refuses while an intent exists.
      return internal_error(ctx + ": the app's next number is " + std::to_string(*number) +
                            ", not the intent's");
    }
    PgStoreTx store_tx(conn_);
    if (guard) IGNITE_RETURN_IF_ERROR(guard(store_tx, *current));
    record = intent.record;  // the caller's (a roll-forward adds "recovered")
    record.registries = {intent.registry};
    record.created_at = now;
    if (Status i = insert_version(*app_id, app, record); !i.ok()) return i.with_context(ctx);
    return ok_status();
  });
  IGNITE_RETURN_IF_ERROR(s);
  return record;
}

Status PgVersionStore::drop_intent(const AppId& app, const PublishIntent& intent,
                                   const PublishLockLease& lock) {
  const std::string name = "dropping the intent to publish version " +
                           std::to_string(intent.record.number) + " of " + app.to_string();
  return conn_.transaction(name, [&]() -> Status {
    IGNITE_RETURN_IF_ERROR(check_publish_lock(app, lock));
    return conn_
        .exec(name,
              "DELETE FROM pending_tags WHERE org = $1 AND app = $2 AND number = $3 AND "
              "manifest_digest = $4",
              {app.org(), app.app(), intent.record.number, intent.record.manifest_digest})
        .status();
  });
}

Result<std::vector<VersionRecord>> PgVersionStore::versions(const AppId& app) {
  IGNITE_ASSIGN_OR_RETURN(auto app_row, find_app_id(conn_, app));
  if (!app_row) return not_found("no versions of " + app.to_string() + " in the store");
  IGNITE_ASSIGN_OR_RETURN(PgResult r, conn_.exec("reading the versions of " + app.to_string(),
                                                 kSelectVersions, {*app_row}));
  std::vector<VersionRecord> out;
  for (std::size_t i = 0; i < r.size(); ++i) {
    IGNITE_ASSIGN_OR_RETURN(VersionRecord v, read_record(r, i));
    out.push_back(std::move(v));
  }
  if (out.empty()) return not_found("no versions of " + app.to_string() + " in the store");
  return out;
}

Result<std::vector<AppVersions>> PgVersionStore::all_versions() {
  std::vector<AppVersions> out;
  // One snapshot for the apps and their versions, as SQLite's single read.
  Status s = conn_.transaction(
      "reading every version",
      [&]() -> Status {
        out.clear();
        IGNITE_ASSIGN_OR_RETURN(
            PgResult apps,
            conn_.exec(
                "reading every app",
                "SELECT id, org, app FROM apps ORDER BY org COLLATE \"C\", app COLLATE \"C\""));
        for (std::size_t a = 0; a < apps.size(); ++a) {
          IGNITE_ASSIGN_OR_RETURN(AppId id, AppId::from_parts(apps.text(a, 1), apps.text(a, 2)));
          IGNITE_ASSIGN_OR_RETURN(std::int64_t app_id, apps.integer(a, 0));
          IGNITE_ASSIGN_OR_RETURN(
              PgResult r,
              conn_.exec("reading the versions of " + id.to_string(), kSelectVersions, {app_id}));
          AppVersions entry{id, {}};
          for (std::size_t i = 0; i < r.size(); ++i) {
            IGNITE_ASSIGN_OR_RETURN(VersionRecord v, read_record(r, i));
            entry.versions.push_back(std::move(v));
          }
          out.push_back(std::move(entry));
        }
        return ok_status();
      },
      PgIsolation::kRepeatableRead);
  IGNITE_RETURN_IF_ERROR(s);
  return out;
}

Result<std::int64_t> PgVersionStore::latest_number(const AppId& app) {
  IGNITE_ASSIGN_OR_RETURN(
      PgResult r, conn_.exec("reading the latest version of " + app.to_string(),
                             "SELECT COALESCE(MAX(v.number), 0) FROM versions v JOIN apps a "
                             "ON a.id = v.app_id WHERE a.org = $1 AND a.app = $2",
                             {app.org(), app.app()}));
  return r.integer(0, 0);
}

Result<std::vector<std::int64_t>> PgVersionStore::registry_tagged_numbers(
    const AppId& app, std::string_view registry) {
  IGNITE_ASSIGN_OR_RETURN(
      PgResult r,
      conn_.exec(
          "reading the versions of " + app.to_string() + " tagged in " + std::string(registry),
          "SELECT t.number FROM registry_tags t JOIN apps a ON a.id = t.app_id "
          "WHERE a.org = $1 AND a.app = $2 AND t.registry = $3 ORDER BY t.number",
          {app.org(), app.app(), registry}));
  std::vector<std::int64_t> out;
  for (std::size_t i = 0; i < r.size(); ++i) {
    IGNITE_ASSIGN_OR_RETURN(std::int64_t n, r.integer(i, 0));
    out.push_back(n);
  }
  return out;
}

Result<std::optional<AppId>> PgVersionStore::app_in_registry_with(std::string_view column,
                                                                  std::string_view registry,
                                                                  std::string_view value,
                                                                  const AppId& except) {
  // `column` is one of the two names below, never the caller's input.
  IGNITE_ASSIGN_OR_RETURN(
      PgResult r,
      conn_.exec(
          "finding an app in " + std::string(registry) + " with the same " + std::string(column),
          "SELECT a.org, a.app FROM registry_tags t "
          "JOIN versions v ON v.app_id = t.app_id AND v.number = t.number "
          "JOIN apps a ON a.id = t.app_id WHERE t.registry = $1 AND v." +
              std::string(column) +
              " = $2 AND NOT (a.org = $3 AND a.app = $4) "
              "ORDER BY v.created_at DESC, a.org COLLATE \"C\", a.app COLLATE \"C\" "
              "LIMIT 1",
          {registry, value, except.org(), except.app()}));
  if (r.empty()) return std::optional<AppId>();
  IGNITE_ASSIGN_OR_RETURN(AppId app, AppId::from_parts(r.text(0, 0), r.text(0, 1)));
  return std::optional<AppId>(std::move(app));
}

Result<std::optional<AppId>> PgVersionStore::app_in_registry_with_base(std::string_view registry,
                                                                       std::string_view base_digest,
                                                                       const AppId& except) {
  return app_in_registry_with("base_digest", registry, base_digest, except);
}

Result<std::optional<AppId>> PgVersionStore::app_in_registry_with_lock(std::string_view registry,
                                                                       std::string_view lock_hash,
                                                                       const AppId& except) {
  return app_in_registry_with("lock_hash", registry, lock_hash, except);
}

Result<std::optional<VersionRecord>> PgVersionStore::pending_tag(const AppId& app,
                                                                 std::string_view registry,
                                                                 std::string_view manifest_digest) {
  IGNITE_ASSIGN_OR_RETURN(
      PgResult r,
      conn_.exec("reading a pending tag of " + app.to_string(),
                 "SELECT code_hash, lock_hash, base_digest, inputs FROM pending_tags WHERE "
                 "org = $1 AND app = $2 AND registry = $3 AND manifest_digest = $4 AND "
                 "number = 0",
                 {app.org(), app.app(), registry, manifest_digest}));
  if (r.empty()) return std::optional<VersionRecord>();
  VersionRecord v;
  v.manifest_digest = std::string(manifest_digest);
  v.code_hash = r.text(0, 0);
  v.lock_hash = r.text(0, 1);
  v.base_digest = r.text(0, 2);
  v.inputs = r.text(0, 3);
  v.registries = {std::string(registry)};
  return std::optional<VersionRecord>(std::move(v));
}

Status PgVersionStore::forget_pending_tag(const AppId& app, std::string_view registry,
                                          std::string_view manifest_digest) {
  return conn_
      .exec("forgetting a pending tag of " + app.to_string(),
            "DELETE FROM pending_tags WHERE org = $1 AND app = $2 AND registry = $3 AND "
            "manifest_digest = $4",
            {app.org(), app.app(), registry, manifest_digest})
      .status();
}

}  // namespace ignite::store
