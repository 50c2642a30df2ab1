// AppCatalog over the store's SQLite database (STORE/ignite.db, beside the version store and the
// queue; catalog_schema.sql). One object per thread: it owns one connection.
#pragma once

#include <functional>
#include <string>

#include "builder/store/app_catalog.h"
#include "builder/store/sqlite.h"

namespace ignite::store {

inline constexpr int kCatalogSchemaVersion = 1;

class SqliteAppCatalog final : public AppCatalog {
 public:
  // Opens the database at `path`, creating the catalog's tables when they are missing (under the
  // write lock). FAILED_PRECONDITION on another catalog schema version. `now_ms` is the clock
  // (milliseconds since the Unix epoch; the system clock when unset).
  static Result<SqliteAppCatalog> open(const std::string& path,
                                       std::function<std::int64_t()> now_ms = nullptr);

  Result<AppProfile> create_app(const AppProfile& profile) override;
  Result<std::optional<AppProfile>> find_app(const AppId& app) override;
  Result<DraftRecord> save_draft(const DraftRecord& draft) override;
  Result<std::optional<DraftRecord>> find_draft(const AppId& app) override;

 private:
  SqliteAppCatalog(Database db, std::function<std::int64_t()> now_ms)
      : db_(std::move(db)), now_ms_(std::move(now_ms)) {}
  std::int64_t now_ms() const;

  Database db_;
  std::function<std::int64_t()> now_ms_;
};

}  // namespace ignite::store
