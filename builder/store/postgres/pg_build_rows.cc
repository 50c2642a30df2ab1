#include "builder/store/postgres/pg_build_rows.h"

#include <optional>
#include <string>

#include "builder/store/build_event_row.h"
#include "builder/util/quote.h"

namespace ignite::store {

Result<BuildRecord> read_pg_build(const PgResult& r, std::size_t row) {
  auto text = [&](std::size_t column) { return r.text(row, column); };
  IGNITE_ASSIGN_OR_RETURN(AppId app, AppId::from_parts(text(1), text(2)));
  const std::string id = text(0);
  std::optional<BuildState> state = parse_build_state(text(3));
  if (!state) return data_loss("build " + id + " has the unknown state " + quote_text(text(3)));
  BuildRecord b{id, std::move(app)};
  b.state = *state;
  IGNITE_ASSIGN_OR_RETURN(std::int64_t priority, r.integer(row, 4));
  b.priority = priority == 2 ? BuildPriority::kPublish : BuildPriority::kNormal;
  b.stage = text(5);
  b.source_digest = text(6);
  b.code_hash = text(7);
  IGNITE_ASSIGN_OR_RETURN(b.version, r.integer(row, 8));
  b.manifest_digest = text(9);
  b.lock_hash = text(10);
  b.error = text(11);
  IGNITE_ASSIGN_OR_RETURN(std::int64_t attempts, r.integer(row, 12));
  IGNITE_ASSIGN_OR_RETURN(std::int64_t max_attempts, r.integer(row, 13));
  IGNITE_ASSIGN_OR_RETURN(std::int64_t leases_lost, r.integer(row, 14));
  IGNITE_ASSIGN_OR_RETURN(std::int64_t cancel_requested, r.integer(row, 15));
  b.attempts = static_cast<int>(attempts);
  b.max_attempts = static_cast<int>(max_attempts);
  b.leases_lost = static_cast<int>(leases_lost);
  b.cancel_requested = cancel_requested != 0;
  IGNITE_ASSIGN_OR_RETURN(b.submitted_at_ms, r.integer(row, 16));
  IGNITE_ASSIGN_OR_RETURN(b.started_at_ms, r.integer(row, 17));
  IGNITE_ASSIGN_OR_RETURN(b.finished_at_ms, r.integer(row, 18));
  IGNITE_ASSIGN_OR_RETURN(b.deadline_ms, r.integer(row, 19));
  IGNITE_ASSIGN_OR_RETURN(b.not_before_ms, r.integer(row, 20));
  b.lease_owner = text(21);
  IGNITE_ASSIGN_OR_RETURN(b.lease_epoch, r.integer(row, 22));
  IGNITE_ASSIGN_OR_RETURN(b.lease_expires_ms, r.integer(row, 23));
  std::optional<BuildKind> kind = parse_build_kind(text(24));
  if (!kind) return data_loss("build " + id + " has the unknown kind " + quote_text(text(24)));
  b.kind = *kind;
  std::optional<SourceKind> source_kind = parse_source_kind(text(25));
  if (!source_kind) {
    return data_loss("build " + id + " has the unknown source kind " + quote_text(text(25)));
  }
  b.source_kind = *source_kind;
  IGNITE_ASSIGN_OR_RETURN(b.error_code, read_code(text(26), "build " + id));
  b.source_commit = text(27);
  b.sbom_digest = text(28);
  b.provenance_digest = text(29);
  return b;
}

Result<BuildEvent> read_pg_event(const PgResult& r, std::size_t row, std::size_t first) {
  auto text = [&](std::size_t column) { return r.text(row, first + column); };
  BuildEvent e;
  e.build_id = text(0);
  IGNITE_ASSIGN_OR_RETURN(e.sequence, r.integer(row, first + 1));
  const std::string whose = "event " + std::to_string(e.sequence) + " of build " + e.build_id;
  std::optional<BuildState> state = parse_build_state(text(2));
  if (!state) return data_loss(whose + " has the unknown state " + quote_text(text(2)));
  e.state = *state;
  e.stage = text(3);
  e.message = text(4);
  IGNITE_ASSIGN_OR_RETURN(e.at_ms, r.integer(row, first + 5));
  IGNITE_ASSIGN_OR_RETURN(e.version, r.integer(row, first + 6));
  e.manifest_digest = text(7);
  e.code_hash = text(8);
  e.lock_hash = text(9);
  IGNITE_ASSIGN_OR_RETURN(e.error_code, read_code(text(10), whose));
  e.error = text(11);
  e.sbom_digest = text(12);
  e.provenance_digest = text(13);
  return e;
}

}  // namespace ignite::store
