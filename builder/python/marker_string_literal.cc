#include "builder/python/marker_string_literal.h"
#include "builder/util/ascii.h"
#include "builder/util/utf8.h"

#include <cstdint>
#include <cstdio>

namespace ignite::python {
namespace {

// `count` hex digits at body[i...], or nullopt.
std::optional<std::uint32_t> read_hex(std::string_view body, std::size_t i, std::size_t count) {
  if (body.size() - i < count) return std::nullopt;
  std::uint32_t v = 0;
  for (std::size_t k = 0; k < count; ++k) {
    int h = hex_digit_value(body[i + k]);
    if (h < 0) return std::nullopt;
    v = v * 16 + static_cast<std::uint32_t>(h);
  }
  return v;
}

}  // namespace

std::optional<std::string> eval_marker_string_literal(std::string_view token) {
  if (token.size() < 2 || (token[0] != '\'' && token[0] != '"') || token.back() != token[0]) {
    return std::nullopt;
  }
  std::string_view body = token.substr(1, token.size() - 2);
  std::string out;
  out.reserve(body.size());
  for (std::size_t i = 0; i < body.size(); ++i) {
    char c = body[i];
    if (c == '\0' || c == '\n' || c == '\r') return std::nullopt;
    if (c != '\\') {
      out += c;
      continue;
    }
    if (++i == body.size()) return std::nullopt;  // the closing quote is escaped
    char e = body[i];
    switch (e) {
      case '\\':
        out += '\\';
        break;
      case '\'':
        out += '\'';
        break;
      case '"':
        out += '"';
        break;
      case 'a':
        out += '\a';
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'v':
        out += '\v';
        break;
      case '\n':
        break;  // line continuation
      case '\r':
        if (i + 1 < body.size() && body[i + 1] == '\n') ++i;
        break;
      case '\0':
        return std::nullopt;
      case 'x':
      case 'u':
      case 'U': {
        std::size_t count = e == 'x' ? 2 : e == 'u' ? 4 : 8;
        std::optional<std::uint32_t> cp = read_hex(body, i + 1, count);
        if (!cp || *cp > 0x10FFFF) return std::nullopt;
        append_utf8(out, *cp);
        i += count;
        break;
      }
      case 'N':
        return std::nullopt;
      default:
        if (e >= '0' && e <= '7') {
          std::uint32_t cp = 0;
          std::size_t k = 0;
          for (; k < 3 && i + k < body.size() && body[i + k] >= '0' && body[i + k] <= '7'; ++k) {
            cp = cp * 8 + static_cast<std::uint32_t>(body[i + k] - '0');
          }
          append_utf8(out, cp);
          i += k - 1;
        } else {
          out += '\\';  // unknown escapes keep their backslash
          out += e;
        }
    }
  }
  return out;
}

std::string quote_marker_value(std::string_view value) {
  bool has_double = value.find('"') != std::string_view::npos;
  bool has_single = value.find('\'') != std::string_view::npos;
  bool plain = !(has_double && has_single) &&
               value.find_first_of(std::string_view("\\\n\r\0", 4)) == std::string_view::npos;
  if (plain) {
    char quote = has_double ? '\'' : '"';
    return quote + std::string(value) + quote;
  }
  std::string out = "\"";
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"' || c == '\n' || c == '\r' || c == '\0') {
      char buf[5];
      std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned char>(c));
      out += buf;
    } else {
      out += c;
    }
  }
  out += '"';
  return out;
}

}  // namespace ignite::python
