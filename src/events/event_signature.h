// How an event POST is signed (docs/events.md), so that a receiver can tell it came from this
// builder and was not replayed long after: X-Ignite-Timestamp is the send time in Unix seconds,
// and X-Ignite-Signature is "sha256=" and the lowercase hex HMAC-SHA256, under the shared
// secret, of the timestamp, ".", and the body exactly as sent. (The scheme of Stripe's and
// GitHub's webhooks: the timestamp inside the MAC is what makes a replay detectable.)
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ignite::events {

inline constexpr std::string_view kTimestampHeader = "X-Ignite-Timestamp";
inline constexpr std::string_view kSignatureHeader = "X-Ignite-Signature";

// "sha256=<64 hex digits>" for `body` sent at `unix_seconds`.
std::string event_signature(std::string_view secret, std::int64_t unix_seconds,
                            std::string_view body);

// Whether `signature` (the header's value) is event_signature(secret, timestamp, body), compared
// in constant time. `timestamp` is the X-Ignite-Timestamp header's text as received.
bool signature_matches(std::string_view secret, std::string_view timestamp, std::string_view body,
                       std::string_view signature);

}  // namespace ignite::events
