// VersionStore over the store's SQLite database (STORE/ignite.db, schema.sql, docs/store.md).
// Every transactional method is one BEGIN IMMEDIATE transaction: the database's write lock puts
// the numbers of concurrent builds in one order. Its guards get a SqliteStoreTx on this
// connection, which the SQLite queue of the same file joins (SqliteBuildQueue).
//
// One object per thread: it owns one connection, and a connection runs one transaction at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "builder/store/sqlite.h"
#include "builder/store/version_store.h"

namespace ignite::store {

inline constexpr int kStoreSchemaVersion = 4;

class SqliteVersionStore final : public VersionStore {
 public:
  // Opens (or, with Database::Create::kIfMissing, creates) the database at `path`; fails on
  // another schema version. Creating the schema is the only write it does.
  // `upgrade(db, from)` runs inside the transaction that upgrades a database of schema version
  // `from` to the current one, for what must change with it outside the database (the caller's
  // refs); when it fails, nothing is upgraded. SQLite's alone: only its schemas have a past.
  using UpgradeHook = std::function<Status(Database& db, int from)>;
  static Result<SqliteVersionStore> open(const std::string& path,
                                         Database::Create create = Database::Create::kIfMissing,
                                         const UpgradeHook& upgrade = nullptr);

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

  // This store's connection, for what looks at SQLite's tables themselves (tests, upgrades).
  // Not part of VersionStore: a guard gets its transaction as the StoreTx it is handed.
  Database& database() { return db_; }

 private:
  explicit SqliteVersionStore(Database db) : db_(std::move(db)) {}
  // Inside a transaction: ABORTED "lease lost: …" unless `lock` holds the app's publish lock.
  Status check_publish_lock(const AppId& app, const PublishLockLease& lock);
  Result<std::int64_t> app_row(const AppId& app, std::int64_t now);  // created when missing
  Result<std::int64_t> next_number(std::int64_t app_id);
  Status insert_version(std::int64_t app_id, const AppId& app, const VersionRecord& record);
  Database db_;
};

}  // namespace ignite::store
