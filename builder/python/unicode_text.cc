#include "builder/python/unicode_text.h"
#include "builder/util/utf8.h"

namespace ignite::python {

DecodedChar decode_utf8(std::string_view t) {
  if (t.empty()) return {};
  auto b = [&](std::size_t i) { return static_cast<unsigned char>(t[i]); };
  unsigned char c = b(0);
  if (c < 0x80) return {c, 1};
  std::size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
  if (len == 0 || len > 4 || t.size() < len || c > 0xF4) return {};
  char32_t cp = c & (0x7F >> len);
  for (std::size_t i = 1; i < len; ++i) {
    if ((b(i) & 0xC0) != 0x80) return {};
    cp = (cp << 6) | (b(i) & 0x3F);
  }
  // Overlong forms, surrogates and values past U+10FFFF are malformed.
  if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
      (cp >= 0xD800 && cp <= 0xDFFF)) {
    return {};
  }
  return {cp, len};
}

namespace {

char32_t lower_code_point(char32_t c) {
  if (c >= 'A' && c <= 'Z') return c + 32;
  if ((c >= 0xC0 && c <= 0xDE && c != 0xD7)) return c + 32;  // Latin-1
  if (c >= 0x100 && c <= 0x137 && c % 2 == 0) return c + 1;  // Latin Ext-A
  if (c >= 0x139 && c <= 0x148 && c % 2 == 1) return c + 1;
  if (c >= 0x14A && c <= 0x177 && c % 2 == 0) return c + 1;
  if (c >= 0x391 && c <= 0x3AB && c != 0x3A2) return c + 32;  // Greek
  if (c >= 0x410 && c <= 0x42F) return c + 32;                // Cyrillic
  if (c >= 0x400 && c <= 0x40F) return c + 80;
  return c;
}


}  // namespace

std::string unicode_lower(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  while (!text.empty()) {
    DecodedChar d = decode_utf8(text);
    if (d.length == 0) {  // malformed: copy the byte as it is
      out += text.front();
      text.remove_prefix(1);
      continue;
    }
    append_utf8(out, lower_code_point(d.code_point));
    text.remove_prefix(d.length);
  }
  return out;
}

bool is_word_char(char32_t c) {
  if (c < 0x80) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  }
  // Latin-1: only the letters and the numeric signs (ª ² ³ µ ¹ º ¼ ½ ¾) are word chars.
  if (c < 0xC0) {
    return c == 0xAA || c == 0xB2 || c == 0xB3 || c == 0xB5 || c == 0xB9 || c == 0xBA ||
           (c >= 0xBC && c <= 0xBE);
  }
  if (c == 0xD7 || c == 0xF7) return false;      // × ÷
  if (c >= 0x2000 && c <= 0x2BFF) return false;  // punctuation, symbols, arrows, boxes
  if (c >= 0x3000 && c <= 0x3004) return false;  // CJK spaces and marks
  if (c >= 0x3008 && c <= 0x3020) return false;  // CJK brackets
  if (c >= 0xFE30 && c <= 0xFE4F) return false;  // CJK compatibility forms
  if (c >= 0xFF00 && c <= 0xFF0F) return false;  // fullwidth punctuation
  if (c >= 0xFF1A && c <= 0xFF20) return false;
  if (c >= 0x1F000 && c <= 0x1FAFF) return false;  // emoji and pictographs
  return true;
}

bool is_identifier(std::string_view text) {
  if (text.empty()) return false;
  bool first = true;
  while (!text.empty()) {
    DecodedChar d = decode_utf8(text);
    if (d.length == 0 || !is_word_char(d.code_point)) return false;
    if (first && d.code_point >= '0' && d.code_point <= '9') return false;
    first = false;
    text.remove_prefix(d.length);
  }
  return true;
}

}  // namespace ignite::python
