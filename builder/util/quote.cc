#include "builder/util/quote.h"

#include <cstdio>

#include "builder/util/utf8.h"

namespace ignite {

std::string quote_text(std::string_view path) {
  std::string out = "\"";
  std::size_t i = 0;
  auto escape = [&](unsigned char c) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "\\x%02X", c);
    out += buf;
  };
  while (i < path.size()) {
    unsigned char c = static_cast<unsigned char>(path[i]);
    if (c < 0x20 || c == 0x7F) {
      escape(c);
      ++i;
    } else if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
      ++i;
    } else if (c < 0x80) {
      out += static_cast<char>(c);
      ++i;
    } else {
      // Copy one valid UTF-8 sequence whole, or escape a bad byte.
      std::size_t len = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 1;
      if (len > 1 && i + len <= path.size() && is_valid_utf8(path.substr(i, len))) {
        out.append(path.substr(i, len));
        i += len;
      } else {
        escape(c);
        ++i;
      }
    }
  }
  out += '"';
  return out;
}

}  // namespace ignite
