// The rules for a path inside a draft's tree (codeHash v1, docs/codehash.md).
#pragma once

#include <string>
#include <string_view>

#include "builder/util/status.h"

namespace ignite {

// Maximum length of a path inside the tree, in bytes (Linux's PATH_MAX).
inline constexpr std::size_t kMaxSourcePathBytes = 4096;

// Checks a relative, '/'-separated path: valid UTF-8, no byte 0x00-0x1F or 0x7F, no
// empty, "." or ".." component, not absolute. The error says which rule it broke.
Status validate_source_path(std::string_view path);

// Turns an archive member name into a tree path: drops leading "./" (as `tar -C dir .`
// writes) and one trailing '/' (directory entries). Returns "" for the root itself.
std::string normalize_member_name(std::string_view name);

// The path in double quotes with control and non-UTF-8 bytes escaped as \xNN, safe to
// print in an error message whatever the name holds (builder/util/quote.h).
std::string quote_path(std::string_view path);

}  // namespace ignite
