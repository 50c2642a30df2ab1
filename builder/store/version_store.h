// The store's record of apps and versions: the one authority for version numbers.
//
// A number is taken in the same database transaction that records the version, under the
// database's write lock (BEGIN IMMEDIATE), so concurrent builds get 1, 2, 3... without gaps and a
// failed build uses no number. `publish` runs inside that transaction, after the number is known
// and before the commit (the registry tag vN goes there); when it fails, nothing is recorded.
// The layout's ref follows the commit (builder/pipeline/version_commit.h, docs/store.md).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "builder/store/app_id.h"
#include "builder/store/sqlite.h"

namespace ignite::store {

// What a version records. `inputs` is a JSON object of everything that fixes the digest.
struct VersionRecord {
  std::int64_t number = 0;  // assigned by commit_version
  std::string manifest_digest;
  std::string code_hash;
  std::string lock_hash;
  std::string base_digest;
  std::string inputs;
  std::int64_t created_at = 0;  // assigned by commit_version
  // HOST[:PORT] where the tag vN was set with the commit (sorted when read back). A version
  // published to a registry may keep some layers only there (docs/store.md).
  std::vector<std::string> registries;
};

struct AppVersions {
  AppId app;
  std::vector<VersionRecord> versions;  // ascending by number
};

class VersionStore {
 public:
  // Opens (or, with Database::Create::kIfMissing, creates) the database at `path`; fails on
  // another schema version. Creating the schema is the only write it does.
  // `upgrade(db, from)` runs inside the transaction that upgrades a database of schema version
  // `from` to the current one, for what must change with it outside the database (the caller's
  // refs); when it fails, nothing is upgraded.
  using UpgradeHook = std::function<Status(Database& db, int from)>;
  static Result<VersionStore> open(const std::string& path,
                                   Database::Create create = Database::Create::kIfMissing,
                                   const UpgradeHook& upgrade = nullptr);

  // Records `record` as the app's next version. `publish(number)` is called inside the
  // transaction; when it fails, nothing is recorded and the number stays free. The pending tags
  // of `record` (its digest in each of record.registries) are forgotten in the same transaction.
  Result<VersionRecord> commit_version(const AppId& app, VersionRecord record,
                                       const std::function<Status(std::int64_t number)>& publish);

  // All versions of one app (NOT_FOUND if the app has none).
  Result<std::vector<VersionRecord>> versions(const AppId& app);
  // Every app with its versions, ordered by org and app.
  Result<std::vector<AppVersions>> all_versions();
  // The highest committed number of an app, 0 if none.
  Result<std::int64_t> latest_number(const AppId& app);
  // The numbers of the app's versions whose tag this store set in `registry`.
  Result<std::vector<std::int64_t>> registry_tagged_numbers(const AppId& app, std::string_view registry);
  // Another app tagged in `registry` whose latest such version has base `base_digest`: its
  // repository holds the base's layers, so a new app can mount them from there.
  Result<std::optional<AppId>> app_in_registry_with_base(std::string_view registry,
                                                         std::string_view base_digest,
                                                         const AppId& except);

  // Another app tagged in `registry` whose latest such version has lock `lock_hash`: its
  // repository holds the dependency layer of that lock.
  Result<std::optional<AppId>> app_in_registry_with_lock(std::string_view registry,
                                                         std::string_view lock_hash,
                                                         const AppId& except);

  // Pending registry tags (schema.sql, pending_tags): remember one before its PUT; look one up by
  // the digest a tag names; forget one whose PUT was refused.
  Status remember_pending_tag(const AppId& app, std::string_view registry, const VersionRecord& record);
  Result<std::optional<VersionRecord>> pending_tag(const AppId& app, std::string_view registry,
                                                   std::string_view manifest_digest);
  Status forget_pending_tag(const AppId& app, std::string_view registry, std::string_view manifest_digest);

  Database& database() { return db_; }

 private:
  explicit VersionStore(Database db) : db_(std::move(db)) {}
  Database db_;
};

inline constexpr int kStoreSchemaVersion = 2;

}  // namespace ignite::store
