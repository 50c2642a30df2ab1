// Strict UTF-8 validation (no overlong forms, no surrogates, nothing past U+10FFFF).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace ignite {

// Returns the byte offset of the first invalid sequence, or nullopt when `s` is valid UTF-8.
std::optional<std::size_t> find_invalid_utf8(std::string_view s);

inline bool is_valid_utf8(std::string_view s) { return !find_invalid_utf8(s).has_value(); }

// Appends the UTF-8 encoding of `cp` (below 0x110000; a surrogate gets its 3-byte form, as a
// Python string may hold one: callers that need valid UTF-8 check for surrogates themselves).
void append_utf8(std::string& out, char32_t cp);

}  // namespace ignite
