// serve's event flags: where the control plane takes build events, and the secret that signs
// them (docs/events.md).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "src/cli/args.h"
#include "src/events/event_delivery.h"

namespace ignite::cli {

// --events-url URL, --events-secret-file FILE, --events-ca FILE.
std::vector<FlagSpec> events_flags();
extern const char* const kEventsUsage;

// The delivery's options from the flags; nullopt without --events-url. The secret is the
// file's content without its trailing newlines, or IGNITE_EVENTS_SECRET's value when no file is
// named (never a flag's value, which `ps` would show). INVALID_ARGUMENT for a secret flag
// without --events-url, an unreadable or empty secret, or none at all.
Result<std::optional<events::EventDeliveryOptions>> event_delivery_options(const Args& args);

}  // namespace ignite::cli
