#include "builder/registry/link_header.h"
#include "builder/util/ascii.h"

namespace ignite::registry {
namespace {

void skip_spaces(std::string_view text, std::size_t& pos) {
  while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\t')) ++pos;
}

// rel's value is a space-separated list of relation types.
bool rel_has_next(std::string_view value) {
  std::size_t start = 0;
  while (start < value.size()) {
    std::size_t end = value.find(' ', start);
    if (end == std::string_view::npos) end = value.size();
    if (ascii_lower(value.substr(start, end - start)) == "next") return true;
    start = end + 1;
  }
  return false;
}

}  // namespace

std::optional<std::string> next_page_link(std::string_view header) {
  std::size_t pos = 0;
  while (true) {
    skip_spaces(header, pos);
    if (pos >= header.size() || header[pos] != '<') return std::nullopt;
    const std::size_t close = header.find('>', pos);
    if (close == std::string_view::npos) return std::nullopt;
    const std::string_view target = header.substr(pos + 1, close - pos - 1);
    pos = close + 1;
    bool next = false;
    while (true) {
      skip_spaces(header, pos);
      if (pos >= header.size() || header[pos] == ',') break;
      if (header[pos] != ';') return std::nullopt;
      ++pos;
      skip_spaces(header, pos);
      const std::size_t name_start = pos;
      while (pos < header.size() && header[pos] != '=' && header[pos] != ';' &&
             header[pos] != ',' && header[pos] != ' ') {
        ++pos;
      }
      const std::string name = ascii_lower(header.substr(name_start, pos - name_start));
      skip_spaces(header, pos);
      std::string value;
      if (pos < header.size() && header[pos] == '=') {
        ++pos;
        skip_spaces(header, pos);
        if (pos < header.size() && header[pos] == '"') {
          const std::size_t end = header.find('"', pos + 1);
          if (end == std::string_view::npos) return std::nullopt;
          value = std::string(header.substr(pos + 1, end - pos - 1));
          pos = end + 1;
        } else {
          const std::size_t start = pos;
          while (pos < header.size() && header[pos] != ';' && header[pos] != ',' &&
                 header[pos] != ' ') {
            ++pos;
          }
          value = std::string(header.substr(start, pos - start));
        }
      }
      if (name == "rel" && rel_has_next(value)) next = true;
    }
    if (next && !target.empty()) return std::string(target);
    if (pos >= header.size()) return std::nullopt;
    ++pos;  // ','
  }
}

}  // namespace ignite::registry
