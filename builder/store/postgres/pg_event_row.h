// A build event read back from PostgreSQL: build_events' columns (kEventColumns, in
// build_event_row.h) in a PgResult, spelled as SQLite's read_event reads them, with the same
// DATA_LOSS for a state or code no enum spells. Shared by what reads events over PostgreSQL (the
// event outbox here, the queue's history).
#pragma once

#include <cstddef>

#include "builder/store/build_queue.h"
#include "builder/store/postgres/pg_connection.h"
#include "builder/util/status.h"

namespace ignite::store {

// The event in columns first...first + 13 of row `row` of `r`, in kEventColumns's order.
Result<BuildEvent> read_pg_event(const PgResult& r, std::size_t row, std::size_t first = 0);

}  // namespace ignite::store
