// A bound on how deeply a TOML document's keys nest, checked before toml++ parses it. toml++
// recurses once per part of a dotted key after parsing (3.3.0's update_region_ends), so a
// pylock.toml of a few hundred kilobytes with one key of 100,000 parts overflows the stack.
// Arrays and inline tables it bounds itself (256 levels); dotted keys and [a.b.c] headers it
// does not. A lock needs four levels (tool.ignite.required-by); the bound leaves room.
#pragma once

#include <cstddef>
#include <string_view>

#include "builder/util/status.h"

namespace ignite::index {

inline constexpr std::size_t kMaxTomlKeyParts = 128;

// INVALID_ARGUMENT "line L: a key of more than 128 parts" for the first key (a dotted key or
// a table header) with more parts than `max_parts`. Only scans: strings (all four kinds) and
// comments are skipped, and outside them a dot is counted until the next newline, '=', ',',
// '{' or '[', so float and time values (one dot each) never reach the bound. Syntax errors
// are left to the parser.
Status check_toml_key_depth(std::string_view text, std::size_t max_parts = kMaxTomlKeyParts);

}  // namespace ignite::index
