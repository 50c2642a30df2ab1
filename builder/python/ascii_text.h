// Small text helpers shared by the packaging parsers. Python's packaging matches its
// grammars with ASCII character classes, so these are ASCII-only on purpose: a non-ASCII
// byte is never a letter or a digit here.
#pragma once

#include <string>
#include <string_view>

namespace ignite::python {

inline bool is_ascii_digit(char c) { return c >= '0' && c <= '9'; }
inline bool is_ascii_lower(char c) { return c >= 'a' && c <= 'z'; }
inline bool is_ascii_alpha(char c) { return is_ascii_lower(c) || (c >= 'A' && c <= 'Z'); }
inline bool is_ascii_alnum(char c) { return is_ascii_digit(c) || is_ascii_alpha(c); }
inline char ascii_lower_char(char c) { return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c; }

std::string ascii_lower(std::string_view text);
bool is_all_digits(std::string_view text);  // non-empty and only 0-9
// "007" -> "7", "000" -> "0"; the input is all digits.
std::string strip_leading_zeros(std::string_view digits);

// Drops leading spaces and tabs and trailing spaces, tabs and CRs: the blanks of the
// "Key: value" and INI lines of wheel metadata files (METADATA, WHEEL, entry_points.txt).
std::string_view trim_blanks(std::string_view text);

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
