#include "builder/store/postgres/pg_queue_stats.h"

#include <string>

namespace ignite::store {
namespace {

Status read_into(PgConnection& conn, QueueStats& out) {
  out = QueueStats{};
  out.by_state = zero_state_counts();
  // A read-only transaction never waits for a writer and is never a serialization failure's
  // victim; SET TRANSACTION must come before its first query.
  IGNITE_RETURN_IF_ERROR(
      conn.exec("making the read read-only", "SET TRANSACTION READ ONLY").status());
  // The partial index builds_queued has exactly these rows. Orgs in byte order, as SQLite
  // orders them, whatever the database's collation.
  IGNITE_ASSIGN_OR_RETURN(PgResult queued,
                          conn.exec("counting the queued builds by org",
                                    "SELECT org, COUNT(*) FROM builds WHERE state = 'QUEUED' "
                                    "GROUP BY org ORDER BY org COLLATE \"C\""));
  for (std::size_t row = 0; row < queued.size(); ++row) {
    IGNITE_ASSIGN_OR_RETURN(std::int64_t n, queued.integer(row, 1));
    out.queued_by_org.push_back({queued.text(row, 0), n});
  }
  IGNITE_ASSIGN_OR_RETURN(PgResult counts,
                          conn.exec("counting the builds by state and kind",
                                    "SELECT state, kind, COUNT(*), COALESCE(SUM(leases_lost), 0) "
                                    "FROM builds GROUP BY state, kind"));
  for (std::size_t row = 0; row < counts.size(); ++row) {
    IGNITE_ASSIGN_OR_RETURN(std::int64_t n, counts.integer(row, 2));
    IGNITE_ASSIGN_OR_RETURN(std::int64_t lost, counts.integer(row, 3));
    IGNITE_RETURN_IF_ERROR(
        add_state_count(out.by_state, counts.text(row, 0), counts.text(row, 1), n));
    out.leases_lost += lost;
  }
  return ok_status();
}

}  // namespace

Result<QueueStats> read_queue_stats(PgConnection& conn) {
  const std::string what = "reading the queue's figures from " + conn.url_for_messages();
  QueueStats out;
  // The body fills `out` from scratch, as a retried transaction's body must (though a read-only
  // one is not retried in practice).
  Status s = conn.transaction(
      "the read transaction", [&] { return read_into(conn, out); }, PgIsolation::kRepeatableRead);
  if (!s.ok()) return s.with_context(what);
  return out;
}

}  // namespace ignite::store
