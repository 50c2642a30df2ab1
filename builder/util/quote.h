// Quoting untrusted text (paths, names) for error messages.
#pragma once

#include <string>
#include <string_view>

namespace ignite {

// The text in double quotes, with control bytes and bytes that are not UTF-8 escaped as \xNN
// and '"' and '\\' backslash-escaped: safe to print whatever it holds (no terminal escapes).
std::string quote_text(std::string_view text);

}  // namespace ignite
