#include "builder/store/sqlite_event_outbox.h"

#include <chrono>
#include <optional>

#include "builder/store/build_event_row.h"
#include "builder/store/sqlite_build_queue.h"
#include "builder/util/wall_clock.h"

namespace ignite::store {

Result<SqliteEventOutbox> SqliteEventOutbox::open(const std::string& path,
                                                  std::function<std::int64_t()> now_ms) {
  IGNITE_ASSIGN_OR_RETURN(Database db, Database::open(path, Database::Create::kIfMissing));
  IGNITE_RETURN_IF_ERROR(ensure_queue_schema(db, path));
  return SqliteEventOutbox(std::move(db), std::move(now_ms));
}

std::int64_t SqliteEventOutbox::now_ms() const {
  if (now_ms_) return now_ms_();
  return unix_now_ms();
}

Status SqliteEventOutbox::enable() {
  IGNITE_ASSIGN_OR_RETURN(Transaction tx, Transaction::begin_immediate(db_));
  IGNITE_RETURN_IF_ERROR(
      db_.exec("INSERT INTO meta (key, value) VALUES ('event_outbox', 'on') "
               "ON CONFLICT (key) DO UPDATE SET value = 'on'"));
  return tx.commit();
}

Result<bool> SqliteEventOutbox::enabled() {
  IGNITE_ASSIGN_OR_RETURN(std::optional<std::string> value, read_meta(db_, "event_outbox"));
  return value == "on";
}

Result<bool> SqliteEventOutbox::take_delivery_lease(std::string_view owner,
                                                    std::chrono::milliseconds lease) {
  if (owner.empty()) return invalid_argument("a delivery lease needs an owner");
  if (lease.count() <= 0) return invalid_argument("a delivery lease must be positive");
  IGNITE_ASSIGN_OR_RETURN(Transaction tx, Transaction::begin_immediate(db_));
  const std::int64_t now = now_ms();
  IGNITE_ASSIGN_OR_RETURN(
      Statement q,
      db_.prepare("INSERT INTO event_delivery_lease (id, owner, expires_ms) VALUES (1, ?1, ?2) "
                  "ON CONFLICT (id) DO UPDATE SET owner = ?1, expires_ms = ?2 "
                  "WHERE owner = ?1 OR expires_ms <= ?3"));
  q.bind(1, owner).bind(2, now + lease.count()).bind(3, now);
  IGNITE_RETURN_IF_ERROR(q.run());
  IGNITE_ASSIGN_OR_RETURN(Statement who,
                          db_.prepare("SELECT owner FROM event_delivery_lease WHERE id = 1"));
  IGNITE_ASSIGN_OR_RETURN(bool row, who.step());
  const bool held = row && who.column_text(0) == owner;
  IGNITE_RETURN_IF_ERROR(tx.commit());
  return held;
}

Status SqliteEventOutbox::release_delivery_lease(std::string_view owner) {
  IGNITE_ASSIGN_OR_RETURN(
      Statement q, db_.prepare("DELETE FROM event_delivery_lease WHERE id = 1 AND owner = ?1"));
  q.bind(1, owner);
  return q.run();
}

Result<std::vector<OutboxEvent>> SqliteEventOutbox::next(int max_builds) {
  if (max_builds < 1) return invalid_argument("next() needs max_builds of at least 1");
  // Each build's lowest waiting sequence (no lower one of its build waits), the oldest first:
  // walked in the age index's order and stopped after max_builds rows, so a round costs the
  // same however long the outbox has grown while the receiver was down. The joins bring the
  // event and its build's app.
  IGNITE_ASSIGN_OR_RETURN(
      Statement q,
      db_.prepare("SELECT b.org, b.app, e.build_id, e.sequence, e.state, e.stage, e.message, "
                  "e.at_ms, e.version, e.manifest_digest, e.code_hash, e.lock_hash, "
                  "e.error_code, e.error, e.sbom_digest, e.provenance_digest "
                  "FROM event_outbox o "
                  "JOIN build_events e ON e.build_id = o.build_id AND e.sequence = o.sequence "
                  "JOIN builds b ON b.id = o.build_id "
                  "WHERE NOT EXISTS (SELECT 1 FROM event_outbox p "
                  "                  WHERE p.build_id = o.build_id AND p.sequence < o.sequence) "
                  "ORDER BY o.at_ms, o.build_id LIMIT ?1"));
  q.bind(1, std::int64_t{max_builds});
  std::vector<OutboxEvent> out;
  for (;;) {
    IGNITE_ASSIGN_OR_RETURN(bool row, q.step());
    if (!row) break;
    IGNITE_ASSIGN_OR_RETURN(AppId app, AppId::from_parts(q.column_text(0), q.column_text(1)));
    IGNITE_ASSIGN_OR_RETURN(BuildEvent event, read_event(q, 2));
    out.push_back(OutboxEvent{std::move(app), std::move(event)});
  }
  return out;
}

Status SqliteEventOutbox::delivered(const std::vector<EventKey>& events) {
  if (events.empty()) return ok_status();
  IGNITE_ASSIGN_OR_RETURN(Transaction tx, Transaction::begin_immediate(db_));
  IGNITE_ASSIGN_OR_RETURN(
      Statement q, db_.prepare("DELETE FROM event_outbox WHERE build_id = ?1 AND sequence = ?2"));
  for (const EventKey& e : events) {
    q.reset();
    q.bind(1, e.build_id).bind(2, e.sequence);
    IGNITE_RETURN_IF_ERROR(q.run());
  }
  return tx.commit();
}

Result<OutboxStats> read_outbox_stats(Database& db) {
  IGNITE_ASSIGN_OR_RETURN(Statement q,
                          db.prepare("SELECT COUNT(*), COALESCE(MIN(at_ms), 0) FROM event_outbox"));
  IGNITE_ASSIGN_OR_RETURN(bool row, q.step());
  OutboxStats s;
  if (row) {
    s.depth = q.column_int(0);
    s.oldest_at_ms = q.column_int(1);
  }
  return s;
}

Result<OutboxStats> SqliteEventOutbox::stats() { return read_outbox_stats(db_); }

}  // namespace ignite::store
