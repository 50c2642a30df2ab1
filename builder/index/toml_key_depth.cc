#include "builder/index/toml_key_depth.h"

#include <string>

namespace ignite::index {

Status check_toml_key_depth(std::string_view text, std::size_t max_parts) {
  std::size_t line = 1;
  std::size_t dots = 0;  // since the last newline, '=', ',', '{' or '['
  std::size_t i = 0;
  const std::size_t n = text.size();
  auto starts = [&](std::string_view s) { return text.substr(i, s.size()) == s; };
  // Skips to just past `close`, counting lines; in basic strings a backslash escapes the next
  // character. An unterminated string ends the scan: the parser reports it.
  auto skip_string = [&](std::string_view close, bool escapes, bool multiline) {
    while (i < n) {
      const char c = text[i];
      if (escapes && c == '\\') {
        if (i + 1 < n && text[i + 1] == '\n') ++line;
        i += 2;
        continue;
      }
      if (starts(close)) {
        i += close.size();
        // """a"""" ends with the extra quotes inside the string: TOML allows up to two more.
        while (multiline && i < n && text[i] == close[0] && close.size() == 3) ++i;
        return;
      }
      if (c == '\n') {
        ++line;
        if (!multiline) {
          ++i;
          return;
        }
      }
      ++i;
    }
  };
  while (i < n) {
    const char c = text[i];
    if (c == '#') {
      while (i < n && text[i] != '\n') ++i;
      continue;
    }
    if (starts("\"\"\"")) {
      i += 3;
      skip_string("\"\"\"", true, true);
    } else if (starts("'''")) {
      i += 3;
      skip_string("'''", false, true);
    } else if (c == '"') {
      ++i;
      skip_string("\"", true, false);
    } else if (c == '\'') {
      ++i;
      skip_string("'", false, false);
    } else {
      if (c == '\n') ++line;
      if (c == '\n' || c == '=' || c == ',' || c == '{' || c == '[') dots = 0;
      if (c == '.' && ++dots >= max_parts) {
        return invalid_argument("line " + std::to_string(line) + ": a key of more than " +
                                std::to_string(max_parts) + " parts");
      }
      ++i;
    }
  }
  return ok_status();
}

}  // namespace ignite::index
