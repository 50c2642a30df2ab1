#include "builder/store/store_backend.h"

#include "builder/net/url_redaction.h"
#include <mutex>
#include <optional>

#include "builder/store/postgres/pg_app_catalog.h"
#include "builder/store/postgres/pg_build_queue.h"
#include "builder/store/postgres/pg_event_outbox.h"
#include "builder/store/postgres/pg_queue_stats.h"
#include "builder/store/postgres/pg_schema.h"
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

// Each figure reader keeps a connection of its own, made on first use and dropped after a failed
// read, so a scrape after the database came back connects again.
class SqliteFigures final : public StoreFigures {
 public:
  explicit SqliteFigures(std::string path) : path_(std::move(path)) {}
  Result<QueueStats> queue() override {
    return with_db([this](Database& db) { return reader_.read(db); });
  }
  Result<OutboxStats> outbox() override {
    return with_db([](Database& db) { return read_outbox_stats(db); });
  }

 private:
  template <typename Read>
  auto with_db(Read read) -> decltype(read(std::declval<Database&>())) {
    std::lock_guard lock(mutex_);
    if (!queue_) {
      // Through the queue, which makes (or upgrades) its tables: a server reads its figures
      // before anything was ever queued.
      auto opened = SqliteBuildQueue::open(path_);
      if (!opened.ok()) return opened.status();
      queue_.emplace(std::move(*opened));
    }
    auto got = read(queue_->database());
    if (!got.ok()) queue_.reset();
    return got;
  }
  std::string path_;
  std::mutex mutex_;
  std::optional<SqliteBuildQueue> queue_;
  QueueStatsReader reader_;  // keeps what it learnt of finished builds between scrapes
};

class PgFigures final : public StoreFigures {
 public:
  explicit PgFigures(std::string url) : url_(std::move(url)) {}
  Result<QueueStats> queue() override {
    return with_conn([](PgConnection& conn) { return read_queue_stats(conn); });
  }
  Result<OutboxStats> outbox() override {
    return with_conn([](PgConnection& conn) { return read_outbox_stats(conn); });
  }

 private:
  template <typename Read>
  auto with_conn(Read read) -> decltype(read(std::declval<PgConnection&>())) {
    std::lock_guard lock(mutex_);
    if (!conn_) {
      auto opened = PgConnection::open(url_);
      if (!opened.ok()) return opened.status();
      if (Status schema = ensure_pg_schema(*opened); !schema.ok()) return schema;
      conn_.emplace(std::move(*opened));
    }
    auto got = read(*conn_);
    if (!got.ok()) conn_.reset();
    return got;
  }
  std::string url_;
  std::mutex mutex_;
  std::optional<PgConnection> conn_;
};

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
  if (is_postgres()) return boxed<BuildQueue>(PgBuildQueue::open(postgres_url_, std::move(options)));
  return boxed<BuildQueue>(SqliteBuildQueue::open(sqlite_path(), std::move(options)));
}

Result<std::unique_ptr<AppCatalog>> StoreBackend::open_catalog(
    std::function<std::int64_t()> now_ms) const {
  if (is_postgres()) return boxed<AppCatalog>(PgAppCatalog::open(postgres_url_, std::move(now_ms)));
  return boxed<AppCatalog>(SqliteAppCatalog::open(sqlite_path(), std::move(now_ms)));
}

std::unique_ptr<StoreFigures> StoreBackend::open_figures() const {
  if (is_postgres()) return std::make_unique<PgFigures>(postgres_url_);
  return std::make_unique<SqliteFigures>(sqlite_path());
}

Result<std::unique_ptr<EventOutbox>> StoreBackend::open_outbox(
    std::function<std::int64_t()> now_ms) const {
  if (is_postgres()) {
    return boxed<EventOutbox>(PgEventOutbox::open(postgres_url_, std::move(now_ms)));
  }
  return boxed<EventOutbox>(SqliteEventOutbox::open(sqlite_path(), std::move(now_ms)));
}

}  // namespace ignite::store
