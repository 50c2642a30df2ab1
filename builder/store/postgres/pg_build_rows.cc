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
  // Integer columns, in order: attempts ... lease_expires_ms (12-24, but for 21, lease_owner).
  std::int64_t n[24] = {};
  for (std::size_t column = 12; column <= 23; ++column) {
    if (column == 21) continue;
    IGNITE_ASSIGN_OR_RETURN(n[column], r.integer(row, column));
  }
  b.attempts = static_cast<int>(n[12]);
  b.max_attempts = static_cast<int>(n[13]);
  b.leases_lost = static_cast<int>(n[14]);
  b.cancel_requested = n[15] != 0;
  b.submitted_at_ms = n[16];
  b.started_at_ms = n[17];
  b.finished_at_ms = n[18];
  b.deadline_ms = n[19];
  b.not_before_ms = n[20];
  b.lease_owner = text(21);
  b.lease_epoch = n[22];
  b.lease_expires_ms = n[23];
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
