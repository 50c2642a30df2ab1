#include "builder/store/postgres/pg_event_outbox.h"

#include <optional>
#include <string>

#include "builder/store/postgres/pg_build_rows.h"
#include "builder/store/postgres/pg_schema.h"

namespace ignite::store {

Result<PgEventOutbox> PgEventOutbox::open(std::string_view url,
                                          std::function<std::int64_t()> now_ms) {
  IGNITE_ASSIGN_OR_RETURN(PgConnection conn, PgConnection::open(url));
  IGNITE_RETURN_IF_ERROR(ensure_pg_schema(conn));
  return PgEventOutbox(std::move(conn), std::move(now_ms));
}

Status PgEventOutbox::enable() {
  // One statement: the trigger reads meta in each event's transaction, so every event of a
  // transaction that starts after this commits enters the outbox.
  return conn_
      .exec("turning the event outbox on",
            "INSERT INTO meta (key, value) VALUES ('event_outbox', 'on') "
            "ON CONFLICT (key) DO UPDATE SET value = 'on'")
      .status();
}

Result<bool> PgEventOutbox::enabled() {
  IGNITE_ASSIGN_OR_RETURN(PgResult r,
                          conn_.exec("reading whether the event outbox is on",
                                     "SELECT value FROM meta WHERE key = $1", {"event_outbox"}));
  return !r.empty() && r.text(0, 0) == "on";
}

Result<bool> PgEventOutbox::take_delivery_lease(std::string_view owner,
                                                std::chrono::milliseconds lease) {
  if (owner.empty()) return invalid_argument("a delivery lease needs an owner");
  if (lease.count() <= 0) return invalid_argument("a delivery lease must be positive");
  // One statement, settled by the row's lock: when the row is there, ON CONFLICT DO UPDATE locks
  // it (waiting for a concurrent taker to commit) and evaluates the WHERE on its newest version,
  // so of two servers racing for a lapsed lease the second sees the first's owner and new expiry
  // and takes nothing; when it is not, the primary key's speculative insertion lets one INSERT
  // through and sends the other down the same DO UPDATE path. RETURNING gives a row only when
  // this statement inserted or updated it, that is exactly when `owner` holds the lease now.
  // `now` is the given clock's, or the database's (NULL): one clock for every machine.
  // expires_ms - lease is `now` again, so the WHERE compares with the same instant.
  std::optional<std::int64_t> now;
  if (now_ms_) now = now_ms_();
  IGNITE_ASSIGN_OR_RETURN(
      PgResult r,
      conn_.exec("taking the event delivery lease for " + std::string(owner),
                 "INSERT INTO event_delivery_lease (id, owner, expires_ms) "
                 "SELECT 1, $1::text, COALESCE($2::bigint, "
                 "(extract(epoch FROM clock_timestamp()) * 1000)::bigint) + $3::bigint "
                 "ON CONFLICT (id) DO UPDATE SET owner = excluded.owner, "
                 "expires_ms = excluded.expires_ms "
                 "WHERE event_delivery_lease.owner = excluded.owner "
                 "OR event_delivery_lease.expires_ms <= excluded.expires_ms - $3::bigint "
                 "RETURNING owner",
                 {owner, now ? PgParam(*now) : PgParam(std::nullopt),
                  static_cast<std::int64_t>(lease.count())}));
  return !r.empty();
}

Status PgEventOutbox::release_delivery_lease(std::string_view owner) {
  return conn_
      .exec("releasing the event delivery lease of " + std::string(owner),
            "DELETE FROM event_delivery_lease WHERE id = 1 AND owner = $1", {owner})
      .status();
}

Result<std::vector<OutboxEvent>> PgEventOutbox::next(int max_builds) {
  if (max_builds < 1) return invalid_argument("next() needs max_builds of at least 1");
  // As SqliteEventOutbox::next: each build's lowest waiting sequence (no lower one of its build
  // waits), the oldest first, walked in event_outbox_by_age's order and stopped after max_builds
  // rows. A build's later event can only be recorded once its earlier ones are committed (the
  // gapless trigger reads them), so no lower sequence of a build can turn up after a higher
  // one was seen. Build ids are "b-" and lowercase hex, which every collation orders as bytes.
  IGNITE_ASSIGN_OR_RETURN(
      PgResult r,
      conn_.exec("reading the next events of the outbox",
                 "SELECT b.org, b.app, e.build_id, e.sequence, e.state, e.stage, e.message, "
                 "e.at_ms, e.version, e.manifest_digest, e.code_hash, e.lock_hash, "
                 "e.error_code, e.error, e.sbom_digest, e.provenance_digest "
                 "FROM event_outbox o "
                 "JOIN build_events e ON e.build_id = o.build_id AND e.sequence = o.sequence "
                 "JOIN builds b ON b.id = o.build_id "
                 "WHERE NOT EXISTS (SELECT 1 FROM event_outbox p "
                 "                  WHERE p.build_id = o.build_id AND p.sequence < o.sequence) "
                 "ORDER BY o.at_ms, o.build_id LIMIT $1",
                 {max_builds}));
  std::vector<OutboxEvent> out;
  for (std::size_t row = 0; row < r.size(); ++row) {
    IGNITE_ASSIGN_OR_RETURN(AppId app, AppId::from_parts(r.text(row, 0), r.text(row, 1)));
    IGNITE_ASSIGN_OR_RETURN(BuildEvent event, read_pg_event(r, row, 2));
    out.push_back(OutboxEvent{std::move(app), std::move(event)});
  }
  return out;
}

Status PgEventOutbox::delivered(const std::vector<EventKey>& events) {
  if (events.empty()) return ok_status();
  return conn_.transaction("removing delivered events from the outbox", [&]() -> Status {
    for (const EventKey& e : events) {
      IGNITE_RETURN_IF_ERROR(conn_
                                 .exec("removing event " + std::to_string(e.sequence) +
                                           " of build " + e.build_id + " from the outbox",
                                       "DELETE FROM event_outbox "
                                       "WHERE build_id = $1 AND sequence = $2",
                                       {e.build_id, e.sequence})
                                 .status());
    }
    return ok_status();
  });
}

Result<OutboxStats> read_outbox_stats(PgConnection& conn) {
  IGNITE_ASSIGN_OR_RETURN(PgResult r,
                          conn.exec("reading the outbox's depth",
                                    "SELECT COUNT(*), COALESCE(MIN(at_ms), 0) FROM event_outbox"));
  OutboxStats s;
  if (!r.empty()) {
    IGNITE_ASSIGN_OR_RETURN(s.depth, r.integer(0, 0));
    IGNITE_ASSIGN_OR_RETURN(s.oldest_at_ms, r.integer(0, 1));
  }
  return s;
}

Result<OutboxStats> PgEventOutbox::stats() { return read_outbox_stats(conn_); }

}  // namespace ignite::store
