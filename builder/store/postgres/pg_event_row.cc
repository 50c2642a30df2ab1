#include "builder/store/postgres/pg_event_row.h"

#include <optional>
#include <string>

#include "builder/store/build_event_row.h"
#include "builder/util/quote.h"

namespace ignite::store {

Result<BuildEvent> read_pg_event(const PgResult& r, std::size_t row, std::size_t first) {
  BuildEvent e;
  e.build_id = r.text(row, first);
  IGNITE_ASSIGN_OR_RETURN(e.sequence, r.integer(row, first + 1));
  const std::string whose = "event " + std::to_string(e.sequence) + " of build " + e.build_id;
  std::optional<BuildState> state = parse_build_state(r.text(row, first + 2));
  if (!state) {
    return data_loss(whose + " has the unknown state " + quote_text(r.text(row, first + 2)));
  }
  e.state = *state;
  e.stage = r.text(row, first + 3);
  e.message = r.text(row, first + 4);
  IGNITE_ASSIGN_OR_RETURN(e.at_ms, r.integer(row, first + 5));
  IGNITE_ASSIGN_OR_RETURN(e.version, r.integer(row, first + 6));
  e.manifest_digest = r.text(row, first + 7);
  e.code_hash = r.text(row, first + 8);
  e.lock_hash = r.text(row, first + 9);
  IGNITE_ASSIGN_OR_RETURN(e.error_code, read_code(r.text(row, first + 10), whose));
  e.error = r.text(row, first + 11);
  e.sbom_digest = r.text(row, first + 12);
  e.provenance_digest = r.text(row, first + 13);
  return e;
}

}  // namespace ignite::store
