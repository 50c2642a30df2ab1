// The event outbox over PostgreSQL (issue 16): event_outbox, its trigger and
// event_delivery_lease of pg_schema.sql, with the same rules, errors and messages as
// SqliteEventOutbox. Here the store is shared by servers on many machines, so the delivery lease
// is settled by the database alone (one statement, see take_delivery_lease) and, unless a clock
// is given, timed by the database's clock rather than each machine's.
//
// One object per thread: it owns one connection (a lost one is made again on the next call,
// pg_connection.h).
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>

#include "builder/store/event_outbox.h"
#include "builder/store/postgres/pg_connection.h"

namespace ignite::store {

// The outbox's depth and oldest event over `conn`, for readers that have a connection of their
// own already (the service's /metrics), as read_outbox_stats(Database&).
Result<OutboxStats> read_outbox_stats(PgConnection& conn);

class PgEventOutbox final : public EventOutbox {
 public:
  // Connects to `url` (postgres://...), creating or migrating the schema when needed
  // (ensure_pg_schema: FAILED_PRECONDITION on a newer one). `now_ms` is the clock of the
  // delivery lease (milliseconds since the Unix epoch); when unset, the database server's clock,
  // one clock for every server sharing the lease, whatever their own clocks say.
  static Result<PgEventOutbox> open(std::string_view url,
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
  PgEventOutbox(PgConnection conn, std::function<std::int64_t()> now_ms)
      : conn_(std::move(conn)), now_ms_(std::move(now_ms)) {}

  PgConnection conn_;
  std::function<std::int64_t()> now_ms_;
};

}  // namespace ignite::store
