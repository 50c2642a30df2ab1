// RFC 3339 timestamps in UTC with whole seconds ("2024-05-01T12:00:00Z"): how images, leases
// and attestations write a time. Independent of TZ and the C library's locale.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ignite {

// Seconds since 1970-01-01T00:00:00Z as "YYYY-MM-DDTHH:MM:SSZ"; years 0 to 9999.
std::string rfc3339_utc(std::int64_t seconds);

// The inverse of rfc3339_utc: exactly "YYYY-MM-DDTHH:MM:SSZ" with a real date and a time below
// 24:00:00 (no fraction, no offset, no leap second); nullopt for anything else.
std::optional<std::int64_t> parse_rfc3339_utc(std::string_view text);

}  // namespace ignite
