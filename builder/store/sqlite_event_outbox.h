// The event outbox in the embedded store's database, beside the build queue whose events it
// holds (queue_schema.sql: event_outbox, its trigger, event_delivery_lease).
#pragma once

#include <functional>
#include <string>

#include "builder/store/event_outbox.h"
#include "builder/store/sqlite.h"

namespace ignite::store {

// The outbox's depth and oldest event on `db` (a connection to the store's database), for
// readers that have a connection of their own already (the service's /metrics).
Result<OutboxStats> read_outbox_stats(Database& db);

class SqliteEventOutbox final : public EventOutbox {
 public:
  // Opens the database at `path` with a connection of its own, creating or upgrading the queue's
  // tables as SqliteBuildQueue::open does. `now_ms` is the clock of the delivery lease (the
  // system clock when unset).
  static Result<SqliteEventOutbox> open(const std::string& path,
                                        std::function<std::int64_t()> now_ms = {});

  Status enable() override;
  Result<bool> enabled() override;
  Result<bool> take_delivery_lease(std::string_view owner,
                                   std::chrono::milliseconds lease) override;
  Status release_delivery_lease(std::string_view owner) override;
  Result<std::vector<OutboxEvent>> next(int max_builds) override;
  Status delivered(const std::vector<EventKey>& events) override;
  Result<OutboxStats> stats() override;

 private:
  SqliteEventOutbox(Database db, std::function<std::int64_t()> now_ms)
      : db_(std::move(db)), now_ms_(std::move(now_ms)) {}
  std::int64_t now_ms() const;

  Database db_;
  std::function<std::int64_t()> now_ms_;
};

}  // namespace ignite::store
