// The queue's rows as PostgreSQL returns them (text values, pg_connection.h): a build and an
// event, read back into their records. Shared by the queue (pg_build_queue.cc) and what else
// reads the same rows (the outbox, queue stats); the SQLite backend's twin is build_event_row.h.
#pragma once

#include <cstddef>

#include "builder/store/build_queue.h"
#include "builder/store/postgres/pg_connection.h"
#include "builder/util/status.h"

namespace ignite::store {

// The build in columns 0..29 of `row`, in queue_rules::kBuildColumns's order.
Result<BuildRecord> read_pg_build(const PgResult& r, std::size_t row);

// The event in columns first...first + 13 of `row`, in kEventColumns's order
// (build_event_row.h).
Result<BuildEvent> read_pg_event(const PgResult& r, std::size_t row, std::size_t first = 0);

}  // namespace ignite::store
