#include "builder/store/store_backend.h"

#include "builder/net/url_redaction.h"
#include "builder/store/postgres/pg_app_catalog.h"
#include "builder/store/postgres/pg_version_store.h"
#include "builder/store/sqlite_app_catalog.h"
#include "builder/store/sqlite_build_queue.h"
#include "builder/store/sqlite_event_outbox.h"
#include "builder/store/sqlite_version_store.h"

namespace ignite::store {
namespace {

template <typename Interface, typename Impl>
Result<std::unique_ptr<Interface>> boxed(Result<Impl> opened) {
  if (!opened.ok()) return opened.status();
  return std::unique_ptr<Interface>(std::make_unique<Impl>(std::move(opened).value()));
}

}  // namespace

bool is_postgres_url(std::string_view database) {
  return database.starts_with("postgres://") || database.starts_with("postgresql://");
}

StoreBackend::StoreBackend(std::string dir) : dir_(std::move(dir)) {}

Result<StoreBackend> StoreBackend::make(std::string dir, std::string_view database) {
  if (database.empty()) return StoreBackend(std::move(dir));
  if (!is_postgres_url(database)) {
    return invalid_argument("--database takes a postgres://USER@HOST[:PORT]/DB URL (or nothing, "
                            "for the store's own SQLite file), not \"" +
                            net::redact_url(database) + "\"");
  }
  return StoreBackend(std::move(dir), std::string(database));
}

std::string StoreBackend::describe() const {
  return is_postgres() ? net::redact_url(postgres_url_) : sqlite_path();
}

Result<std::unique_ptr<VersionStore>> StoreBackend::open_versions(
    Database::Create create, const std::function<Status(Database&, int from)>& upgrade) const {
  if (is_postgres()) return boxed<VersionStore>(PgVersionStore::open(postgres_url_));
  return boxed<VersionStore>(SqliteVersionStore::open(sqlite_path(), create, upgrade));
}

Result<std::unique_ptr<BuildQueue>> StoreBackend::open_queue(QueueOptions options) const {
  if (is_postgres()) return unimplemented("MERGE-PENDING: the PostgreSQL queue");
  return boxed<BuildQueue>(SqliteBuildQueue::open(sqlite_path(), std::move(options)));
}

Result<std::unique_ptr<AppCatalog>> StoreBackend::open_catalog(
    std::function<std::int64_t()> now_ms) const {
  if (is_postgres()) return boxed<AppCatalog>(PgAppCatalog::open(postgres_url_, std::move(now_ms)));
  return boxed<AppCatalog>(SqliteAppCatalog::open(sqlite_path(), std::move(now_ms)));
}

Result<std::unique_ptr<EventOutbox>> StoreBackend::open_outbox(
    std::function<std::int64_t()> now_ms) const {
  if (is_postgres()) return unimplemented("MERGE-PENDING: the PostgreSQL outbox");
  return boxed<EventOutbox>(SqliteEventOutbox::open(sqlite_path(), std::move(now_ms)));
}

}  // namespace ignite::store
