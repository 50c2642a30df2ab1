// Which database a store's records live in (docs/deploy.md, docs/decisions/postgres-store.md), and
// the one place that opens them, so that a version store, a queue, a catalog and an outbox of
// different databases can never be mixed.
//
// A store is named by its directory. Alone, the directory is the embedded store: SQLite in
// DIR/ignite.db beside the OCI layout, as one machine needs. With --database postgres://... the
// records (versions, builds and their events, the outbox, apps and drafts, the drafts' sources)
// are in PostgreSQL, shared by every node; the directory then holds only what a node may lose:
// caches, and work directories of builds in progress.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "builder/store/app_catalog.h"
#include "builder/store/build_queue.h"
#include "builder/store/event_outbox.h"
#include "builder/store/queue_stats.h"
#include "builder/store/sqlite.h"
#include "builder/store/version_store.h"
#include "builder/util/status.h"

namespace ignite::store {

// Whether `database` names a PostgreSQL database (postgres:// or postgresql://).
bool is_postgres_url(std::string_view database);

// The queue's and the outbox's figures for monitoring (serve's /metrics, queue_stats.h), read on
// one connection of its own with plain SELECTs: a scrape takes no write lock and never holds up a
// worker. Thread-safe: reads take turns.
class StoreFigures {
 public:
  virtual ~StoreFigures() = default;
  virtual Result<QueueStats> queue() = 0;
  virtual Result<OutboxStats> outbox() = 0;
};

class StoreBackend {
 public:
  // The embedded store in `dir` (SQLite in DIR/ignite.db). Implicit on purpose: a directory alone
  // names a store, as it always has, so everything that took one still does.
  StoreBackend(std::string dir);  // NOLINT(google-explicit-constructor)
  StoreBackend(const char* dir) : StoreBackend(std::string(dir)) {}  // NOLINT

  // The store in `dir` with its records in `database`: "" for the embedded SQLite file, or a
  // postgres:// (postgresql://) URL. INVALID_ARGUMENT naming the flag's value otherwise.
  static Result<StoreBackend> make(std::string dir, std::string_view database);

  const std::string& dir() const { return dir_; }
  bool is_postgres() const { return !postgres_url_.empty(); }
  // The PostgreSQL URL ("" for SQLite). It may hold a password: never print it (describe()).
  const std::string& postgres_url() const { return postgres_url_; }
  // The SQLite database's path (DIR/ignite.db); meaningful only when !is_postgres().
  std::string sqlite_path() const { return dir_ + "/ignite.db"; }
  // For messages: "DIR/ignite.db", or the URL without its password.
  std::string describe() const;

  // Each open makes a connection of its own (one object per thread, as each implementation
  // says). `create` and `upgrade` concern SQLite only: PostgreSQL's schema is made and migrated
  // by the builder on every open (ensure_pg_schema), and has no legacy schema to upgrade.
  Result<std::unique_ptr<VersionStore>> open_versions(
      Database::Create create = Database::Create::kIfMissing,
      const std::function<Status(Database&, int from)>& upgrade = nullptr) const;
  Result<std::unique_ptr<BuildQueue>> open_queue(QueueOptions options = {}) const;
  Result<std::unique_ptr<AppCatalog>> open_catalog(
      std::function<std::int64_t()> now_ms = nullptr) const;
  Result<std::unique_ptr<EventOutbox>> open_outbox(
      std::function<std::int64_t()> now_ms = nullptr) const;
  // Connects when first read, and again after a failed read (the database restarted).
  std::unique_ptr<StoreFigures> open_figures() const;

 private:
  StoreBackend(std::string dir, std::string postgres_url)
      : dir_(std::move(dir)), postgres_url_(std::move(postgres_url)) {}
  std::string dir_;
  std::string postgres_url_;
};

}  // namespace ignite::store
