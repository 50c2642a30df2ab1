// The build queue's figures for monitoring (queue_stats.h's QueueStats) read over PostgreSQL:
// the same figures as QueueStatsReader gives on SQLite, from plain SELECTs in one read-only
// REPEATABLE READ transaction, so that they agree with each other and take no lock a worker
// would wait for.
//
// Unlike QueueStatsReader, this reader counts every build on each read: it keeps nothing of the
// builds below the oldest unfinished one. That optimisation rests on no build ever appearing
// below a seq already read, which SQLite gives (seq is taken under the write lock, so seq order
// is commit order) and PostgreSQL does not: builds.seq is an identity, drawn from a sequence
// when a submission's INSERT runs, and the submission may commit after later ones were
// committed, finished and read. Such a build would then fall below the kept mark: counted again
// with the live builds while it is unfinished (while those before it stay counted in the kept
// figures too) and never once it finishes. Knowing that no such submission is in flight takes
// what the schema does not have (submissions that draw and commit their seq in order, or the
// inserting transaction's id beside seq, read against the snapshot's xmin), so the figures stay
// exact at the cost of a scan of builds per read until retention bounds the table
// (docs/queue.md).
#pragma once

#include "builder/store/postgres/pg_connection.h"
#include "builder/store/queue_stats.h"
#include "builder/util/status.h"

namespace ignite::store {

// One read of the queue's figures on `conn` (a connection of the calling thread's to a database
// with the store's schema); INTERNAL naming the database otherwise.
Result<QueueStats> read_queue_stats(PgConnection& conn);

// The PostgreSQL counterpart of QueueStatsReader, for callers that hold a reader per store
// whatever the backend. It keeps nothing between reads (see above), so it is thread-safe; the
// connection must be the calling thread's.
class PgQueueStatsReader {
 public:
  Result<QueueStats> read(PgConnection& conn) { return read_queue_stats(conn); }
};

}  // namespace ignite::store
