// The rules for a member name inside a wheel (a zip): what may be installed at all, before any
// placement. Every refusal here is a path that could escape the target or be read two ways.
#pragma once

#include <string>
#include <string_view>

#include "builder/util/status.h"

namespace ignite::wheel {

// Checks a zip member name and returns it without the one trailing '/' of a directory. It
// must be valid UTF-8, relative, '/'-separated, with no empty, "." or ".." component, no
// backslash (a Windows separator, or a "C:\" drive form), no "X:" drive prefix, and no byte
// 0x00-0x1F or 0x7F. INVALID_ARGUMENT saying which rule it broke (the caller names the member).
Result<std::string> check_member_name(std::string_view name, bool is_directory);

// The name quoted for a message, control and non-UTF-8 bytes escaped (builder/util/quote.h).
std::string quote_member(std::string_view name);

// "a/b/c" -> "a"; the name itself when it has no '/'.
std::string_view first_component(std::string_view path);

}  // namespace ignite::wheel
