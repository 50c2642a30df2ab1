#include "builder/util/header_fields.h"

#include "builder/util/ascii.h"

namespace ignite {
namespace {

// Reads lines from `text` (advancing it and `line_no`) into `block` until an empty line or the
// end. Returns false when the text ended before any line of a block was read.
bool read_block(std::string_view& text, std::size_t& line_no, HeaderBlock& block) {
  bool started = false;
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) {
      if (started) return true;
      continue;  // empty lines before a block (or between blocks) separate nothing
    }
    if (!started) block.first_line = line_no;
    started = true;
    if (line.front() == ' ' || line.front() == '\t') {
      if (!block.fields.empty()) {
        std::string& value = block.fields.back().value;
        const std::string_view part = trim_blanks(line);
        if (!value.empty() && !part.empty()) value += ' ';
        value += part;
      }
      continue;
    }
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    block.fields.push_back({std::string(trim_blanks(line.substr(0, colon))),
                            std::string(trim_blanks(line.substr(colon + 1))), line_no});
  }
  return started;
}

}  // namespace

std::vector<HeaderField> read_header_block(std::string_view text) {
  // Only the first block, and only when it starts at the first line: an empty first line means
  // a file with no headers at all (everything after it is the body).
  if (text.empty() || text.front() == '\n' || text.starts_with("\r\n")) return {};
  std::size_t line_no = 0;
  HeaderBlock block;
  read_block(text, line_no, block);
  return std::move(block.fields);
}

std::vector<HeaderBlock> read_header_blocks(std::string_view text) {
  std::vector<HeaderBlock> blocks;
  std::size_t line_no = 0;
  for (;;) {
    HeaderBlock block;
    if (!read_block(text, line_no, block)) break;
    blocks.push_back(std::move(block));
  }
  return blocks;
}

bool same_header_name(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower_char(a[i]) != ascii_lower_char(b[i])) return false;
  }
  return true;
}

const HeaderField* find_header(const std::vector<HeaderField>& fields, std::string_view name) {
  for (const HeaderField& f : fields) {
    if (same_header_name(f.name, name)) return &f;
  }
  return nullptr;
}

}  // namespace ignite
