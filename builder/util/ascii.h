// ASCII character classes, case folding and blank trimming: locale-free on purpose. The formats
// the builder reads (HTTP headers, URLs, Python packaging names and metadata files) define their
// case and blanks in ASCII; a non-ASCII byte is never a letter, a digit or a blank here.
#pragma once

#include <string>
#include <string_view>

namespace ignite {

inline bool is_ascii_digit(char c) { return c >= '0' && c <= '9'; }
inline bool is_ascii_lower(char c) { return c >= 'a' && c <= 'z'; }
inline bool is_ascii_upper(char c) { return c >= 'A' && c <= 'Z'; }
inline bool is_ascii_alpha(char c) { return is_ascii_lower(c) || is_ascii_upper(c); }
inline bool is_ascii_alnum(char c) { return is_ascii_digit(c) || is_ascii_alpha(c); }
inline char ascii_lower_char(char c) { return is_ascii_upper(c) ? char(c - 'A' + 'a') : c; }

// The value of a hexadecimal digit of either case, or -1.
inline int hex_digit_value(char c) {
  if (is_ascii_digit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
inline bool is_lower_hex_digit(char c) { return is_ascii_digit(c) || (c >= 'a' && c <= 'f'); }

inline std::string ascii_lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = ascii_lower_char(c);
  return out;
}

// Drops leading spaces and tabs and trailing spaces, tabs, CRs and LFs: the blanks around a
// "Key: value" line of an HTTP header or a wheel metadata file (METADATA, WHEEL,
// entry_points.txt).
inline std::string_view trim_blanks(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

}  // namespace ignite
