#include "builder/python/ascii_text.h"

#include <cstdio>

namespace ignite::python {

bool is_all_digits(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!is_ascii_digit(c)) return false;
  }
  return true;
}

std::string strip_leading_zeros(std::string_view digits) {
  std::size_t i = 0;
  while (i + 1 < digits.size() && digits[i] == '0') ++i;
  return std::string(digits.substr(i));
}

std::size_t python_whitespace_length(std::string_view t) {
  if (t.empty()) return 0;
  auto b = [&](std::size_t i) { return static_cast<unsigned char>(t[i]); };
  unsigned char c = b(0);
  if ((c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20)) return 1;
  if (c == 0xC2 && t.size() >= 2 && (b(1) == 0x85 || b(1) == 0xA0)) return 2;
  if (t.size() < 3) return 0;
  if (c == 0xE1 && b(1) == 0x9A && b(2) == 0x80) return 3;  // U+1680
  if (c == 0xE2 && b(1) == 0x80) {
    unsigned char d = b(2);
    if (d <= 0x8A || d == 0xA8 || d == 0xA9 || d == 0xAF) return 3;  // U+2000-200A, 2028/9, 202F
  }
  if (c == 0xE2 && b(1) == 0x81 && b(2) == 0x9F) return 3;  // U+205F
  if (c == 0xE3 && b(1) == 0x80 && b(2) == 0x80) return 3;  // U+3000
  return 0;
}

namespace {

// The length of a Python whitespace character ending at `t.size()`, or 0.
std::size_t trailing_whitespace_length(std::string_view t) {
  for (std::size_t len = 1; len <= 3 && len <= t.size(); ++len) {
    if (python_whitespace_length(t.substr(t.size() - len)) == len) return len;
  }
  return 0;
}

}  // namespace

std::string_view trim_python_whitespace(std::string_view text) {
  while (std::size_t n = python_whitespace_length(text)) text.remove_prefix(n);
  while (std::size_t n = trailing_whitespace_length(text)) text.remove_suffix(n);
  return text;
}

std::string quote_text(std::string_view text) {
  std::string out = "'";
  for (char ch : text) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (c == '\'' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c >= 0x7F) {
      char buf[5];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += ch;
    }
  }
  out += "'";
  return out;
}

}  // namespace ignite::python
