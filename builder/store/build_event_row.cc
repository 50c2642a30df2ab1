#include "builder/store/build_event_row.h"

#include <optional>

#include "builder/util/quote.h"

namespace ignite::store {

std::string_view code_column(Code code) { return code == Code::kOk ? "" : code_name(code); }

Result<Code> read_code(const std::string& text, const std::string& whose) {
  if (text.empty()) return Code::kOk;
  std::optional<Code> code = parse_code(text);
  if (!code) return data_loss(whose + " has the unknown error code " + quote_text(text));
  return *code;
}

Result<BuildEvent> read_event(const Statement& q, int first) {
  BuildEvent e;
  e.build_id = q.column_text(first);
  e.sequence = q.column_int(first + 1);
  const std::string whose = "event " + std::to_string(e.sequence) + " of build " + e.build_id;
  std::optional<BuildState> state = parse_build_state(q.column_text(first + 2));
  if (!state) {
    return data_loss(whose + " has the unknown state " + quote_text(q.column_text(first + 2)));
  }
  e.state = *state;
  e.stage = q.column_text(first + 3);
  e.message = q.column_text(first + 4);
  e.at_ms = q.column_int(first + 5);
  e.version = q.column_int(first + 6);
  e.manifest_digest = q.column_text(first + 7);
  e.code_hash = q.column_text(first + 8);
  e.lock_hash = q.column_text(first + 9);
  IGNITE_ASSIGN_OR_RETURN(e.error_code, read_code(q.column_text(first + 10), whose));
  e.error = q.column_text(first + 11);
  e.sbom_digest = q.column_text(first + 12);
  e.provenance_digest = q.column_text(first + 13);
  return e;
}

}  // namespace ignite::store
