#include "builder/wheel/member_path.h"

#include <cstdio>

#include "builder/util/ascii.h"
#include "builder/util/quote.h"
#include "builder/util/utf8.h"

namespace ignite::wheel {

Result<std::string> check_member_name(std::string_view name, bool is_directory) {
  std::string_view path = name;
  if (is_directory && path.ends_with('/')) path.remove_suffix(1);
  if (path.empty()) return invalid_argument("empty path");
  if (path.front() == '/') return invalid_argument("absolute path");
  if (auto bad = find_invalid_utf8(path)) {
    return invalid_argument("path is not valid UTF-8 (at byte " + std::to_string(*bad) + ")");
  }
  for (char c : path) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "0x%02X", u);
      return invalid_argument(std::string("path holds the control byte ") + hex);
    }
    // zip names use '/' only; a backslash is a Windows path ("..\\x", "C:\\x") that another
    // tool would read differently.
    if (c == '\\') return invalid_argument("path holds a backslash");
  }
  if (path.size() >= 2 && is_ascii_alpha(path[0]) && path[1] == ':') {
    return invalid_argument("path starts with a drive letter");
  }
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view part = path.substr(start, end - start);
    if (part.empty()) return invalid_argument("path has an empty component");
    if (part == ".") return invalid_argument("path has a \".\" component");
    if (part == "..") return invalid_argument("path has a \"..\" component");
    start = end + 1;
  }
  return std::string(path);
}

std::string quote_member(std::string_view name) { return quote_text(name); }

std::string_view first_component(std::string_view path) { return path.substr(0, path.find('/')); }

}  // namespace ignite::wheel
