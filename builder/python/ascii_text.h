// Small text helpers shared by the packaging parsers. Python's packaging matches its
// grammars with ASCII character classes, so these are ASCII-only on purpose: a non-ASCII
// byte is never a letter or a digit here.
#pragma once

#include <string>
#include <string_view>

#include "builder/util/ascii.h"

namespace ignite::python {

// The builder's one set of ASCII helpers (builder/util/ascii.h), by their short names here.
using ::ignite::ascii_lower;
using ::ignite::ascii_lower_char;
using ::ignite::is_ascii_alnum;
using ::ignite::is_ascii_alpha;
using ::ignite::is_ascii_digit;
using ::ignite::is_ascii_lower;
using ::ignite::trim_blanks;

bool is_all_digits(std::string_view text);  // non-empty and only 0-9
// "007" -> "7", "000" -> "0"; the input is all digits.
std::string strip_leading_zeros(std::string_view digits);

// Drops leading and trailing whitespace as Python's str.strip() and regex \s see it:
// ASCII spaces and controls 0x09-0x0D, 0x1C-0x1F, and the Unicode spaces (U+0085, U+00A0,
// U+1680, U+2000-U+200A, U+2028, U+2029, U+202F, U+205F, U+3000) encoded in UTF-8.
std::string_view trim_python_whitespace(std::string_view text);
// The length of the Python whitespace character at the start of `text`, or 0.
std::size_t python_whitespace_length(std::string_view text);

// The text in single quotes for an error message, with quotes, backslashes, control and
// non-ASCII bytes escaped (\n, \xNN), so any input prints safely on one line.
std::string quote_text(std::string_view text);

}  // namespace ignite::python
