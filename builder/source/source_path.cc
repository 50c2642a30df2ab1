#include "builder/source/source_path.h"

#include <cstdio>

#include "builder/util/quote.h"
#include "builder/util/utf8.h"

namespace ignite {

Status validate_source_path(std::string_view path) {
  if (path.empty()) return invalid_argument("empty path");
  if (path.size() > kMaxSourcePathBytes) {
    return invalid_argument("path is longer than " + std::to_string(kMaxSourcePathBytes) + " bytes");
  }
  if (path.front() == '/') return invalid_argument("absolute path");
  for (unsigned char c : path) {
    if (c < 0x20 || c == 0x7F) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "0x%02X", c);
      return invalid_argument(std::string("path holds the control byte ") + buf);
    }
  }
  if (auto bad = find_invalid_utf8(path)) {
    return invalid_argument("path is not valid UTF-8 (at byte " + std::to_string(*bad) + ")");
  }
  std::size_t start = 0;
  for (;;) {
    std::size_t slash = path.find('/', start);
    std::string_view comp =
        path.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (comp.empty()) return invalid_argument("path has an empty component");
    if (comp == ".") return invalid_argument("path has a \".\" component");
    if (comp == "..") return invalid_argument("path has a \"..\" component");
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return ok_status();
}

std::string normalize_member_name(std::string_view name) {
  while (name.size() >= 2 && name[0] == '.' && name[1] == '/') {
    name.remove_prefix(2);
  }
  if (name == ".") return "";
  if (!name.empty() && name.back() == '/') name.remove_suffix(1);
  return std::string(name);
}

std::string quote_path(std::string_view path) { return quote_text(path); }

}  // namespace ignite
