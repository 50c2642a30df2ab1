// What a PostgreSQL error means to the caller, as a gRPC-style code chosen by what the caller
// should do (builder/util/status.h), from the server's SQLSTATE (PostgreSQL's Appendix A):
//   23505 unique_violation                    ALREADY_EXISTS      the row is there already
//   other class 23 (integrity constraints,    FAILED_PRECONDITION a rule of the schema refused
//     and the schema's triggers' refusals)                        it, as SQLite's constraints
//   40001 serialization_failure,              ABORTED             run the transaction again
//     40P01 deadlock_detected                                     (PgConnection::transaction)
//   class 08 (connection exceptions),         UNAVAILABLE         retry: the server is away,
//     57P01-57P03 (the server shutting down                       restarting or full
//     or starting), 53300 too_many_connections
//   57014 query_canceled (a timeout)          DEADLINE_EXCEEDED
//   anything else                             INTERNAL            a bug here, or the server's
// A lost connection (no SQLSTATE, the session gone) is UNAVAILABLE too: PgConnection decides that
// from the connection, not from this table.
#pragma once

#include <string_view>

#include "builder/util/status.h"

namespace ignite::store {

Code code_for_sqlstate(std::string_view sqlstate);

// Whether a transaction that failed with `sqlstate` may simply be run again: a serialization
// failure or a deadlock, where the server rolled back one of the parties.
bool is_retryable_sqlstate(std::string_view sqlstate);

}  // namespace ignite::store
