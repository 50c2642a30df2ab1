// AppCatalog over PostgreSQL (issue 16): catalog_apps and drafts of pg_schema.sql, with the
// same rules, errors and messages as SqliteAppCatalog. One object per thread: it owns one
// connection (a lost one is made again on the next call, pg_connection.h).
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>

#include "builder/store/app_catalog.h"
#include "builder/store/postgres/pg_connection.h"

namespace ignite::store {

class PgAppCatalog final : public AppCatalog {
 public:
  // Connects to `url` (postgres://...), creating or migrating the schema when needed
  // (ensure_pg_schema: FAILED_PRECONDITION on a newer one). `now_ms` is the clock (milliseconds
  // since the Unix epoch; the system clock when unset).
  static Result<PgAppCatalog> open(std::string_view url,
                                   std::function<std::int64_t()> now_ms = nullptr);

  Result<AppProfile> create_app(const AppProfile& profile) override;
  Result<std::optional<AppProfile>> find_app(const AppId& app) override;
  Result<DraftRecord> save_draft(const DraftRecord& draft) override;
  Result<std::optional<DraftRecord>> find_draft(const AppId& app) override;

 private:
  PgAppCatalog(PgConnection conn, std::function<std::int64_t()> now_ms)
      : conn_(std::move(conn)), now_ms_(std::move(now_ms)) {}
  std::int64_t now_ms() const;

  PgConnection conn_;
  std::function<std::int64_t()> now_ms_;
};

}  // namespace ignite::store
