// How the queue's tables spell what does not map to one SQL value: an error's code, and an event
// read back. Shared by the queue (sqlite_build_queue.cc) and the event outbox
// (sqlite_event_outbox.cc), which read the same rows.
#pragma once

#include <string>
#include <string_view>

#include "builder/store/build_queue.h"
#include "builder/store/sqlite.h"
#include "builder/util/status.h"

namespace ignite::store {

// An error's code as recorded: gRPC's name, "" for none (kOk).
std::string_view code_column(Code code);
// Reads code_column's text back; DATA_LOSS naming `whose` for a text no code spells.
Result<Code> read_code(const std::string& text, const std::string& whose);

// build_events' columns in read_event's order, from `first` on; qualify with a table alias
// ("e.") where a query joins.
inline constexpr std::string_view kEventColumns =
    "build_id, sequence, state, stage, message, at_ms, version, manifest_digest, code_hash, "
    "lock_hash, error_code, error, sbom_digest, provenance_digest";
inline constexpr int kEventColumnCount = 14;

// The event in columns first...first + 13 of `q`, in kEventColumns's order.
Result<BuildEvent> read_event(const Statement& q, int first = 0);

}  // namespace ignite::store
