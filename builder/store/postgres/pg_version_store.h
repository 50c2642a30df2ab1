// VersionStore over PostgreSQL (issue 16, docs/decisions/postgres-store.md): apps, versions,
// registry_tags, pending_tags and publish_locks of pg_schema.sql, with the same semantics, errors
// and messages as SqliteVersionStore.
//
// Where SQLite takes the whole database's write lock (BEGIN IMMEDIATE), this takes row locks at
// READ COMMITTED: a commit locks its app's row (FOR UPDATE) before reading max(number), so
// concurrent commits of one app queue up and each reads the number the one before it committed,
// while commits of different apps do not wait for each other; every step of a publication locks
// the app's publish_locks row. The gapless trigger and the primary key stand behind it. A
// transaction the server aborts (40001, 40P01) runs again whole, its guard with it, with a new
// PgStoreTx (pg_store_tx.h); a lost connection is UNAVAILABLE and is not retried.
//
// One object per thread: it owns one connection (made again on the next call when lost).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "builder/store/postgres/pg_connection.h"
#include "builder/store/version_store.h"

namespace ignite::store {

class PgVersionStore final : public VersionStore {
 public:
  // Connects to `url` (postgres://...), creating or migrating the schema when needed
  // (ensure_pg_schema: FAILED_PRECONDITION on a newer one).
  static Result<PgVersionStore> open(std::string_view url);

  Result<VersionRecord> commit_version(const AppId& app, VersionRecord record,
                                       const VersionGuard& publish) override;
  Result<std::optional<PublishLockLease>> take_publish_lock(
      const AppId& app, std::string_view holder, std::int64_t now_ms, std::int64_t lease_ms,
      LockBusy* busy = nullptr, std::string_view gone_holder = {}) override;
  Status renew_publish_lock(const AppId& app, const PublishLockLease& lock, std::int64_t now_ms,
                            std::int64_t lease_ms) override;
  Status release_publish_lock(const AppId& app, const PublishLockLease& lock) override;
  Result<std::optional<PublishIntent>> publish_intent(const AppId& app) override;
  Result<PublishIntent> record_intent(const AppId& app, VersionRecord record,
                                      std::string_view registry, std::string_view build_id,
                                      const PublishLockLease& lock,
                                      const IntentGuard& guard = nullptr) override;
  Result<VersionRecord> commit_intent(const AppId& app, const PublishIntent& intent,
                                      const PublishLockLease& lock,
                                      const IntentGuard& guard = nullptr) override;
  Status drop_intent(const AppId& app, const PublishIntent& intent,
                     const PublishLockLease& lock) override;
  Result<std::vector<VersionRecord>> versions(const AppId& app) override;
  Result<std::vector<AppVersions>> all_versions() override;
  Result<std::int64_t> latest_number(const AppId& app) override;
  Result<std::vector<std::int64_t>> registry_tagged_numbers(const AppId& app,
                                                            std::string_view registry) override;
  Result<std::optional<AppId>> app_in_registry_with_base(std::string_view registry,
                                                         std::string_view base_digest,
                                                         const AppId& except) override;
  Result<std::optional<AppId>> app_in_registry_with_lock(std::string_view registry,
                                                         std::string_view lock_hash,
                                                         const AppId& except) override;
  Result<std::optional<VersionRecord>> pending_tag(const AppId& app, std::string_view registry,
                                                   std::string_view manifest_digest) override;
  Status forget_pending_tag(const AppId& app, std::string_view registry,
                            std::string_view manifest_digest) override;

 private:
  explicit PgVersionStore(PgConnection conn) : conn_(std::move(conn)) {}
  // Inside a transaction: locks the app's publish_locks row and answers ABORTED "lease lost: …"
  // unless `lock` holds it.
  Status check_publish_lock(const AppId& app, const PublishLockLease& lock);
  // Inside a transaction: the app's row, made when missing, locked FOR UPDATE until the end of
  // the transaction (what puts the commits of one app in one order).
  Result<std::int64_t> lock_app_row(const AppId& app, std::int64_t now);
  Result<std::int64_t> next_number(std::int64_t app_id);
  Status insert_version(std::int64_t app_id, const AppId& app, const VersionRecord& record);
  Result<std::optional<AppId>> app_in_registry_with(std::string_view column,
                                                    std::string_view registry,
                                                    std::string_view value, const AppId& except);

  PgConnection conn_;
};

}  // namespace ignite::store
