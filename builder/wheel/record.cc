#include "builder/wheel/record.h"

#include <algorithm>

namespace ignite::wheel {
namespace {

void append_field(std::string& out, std::string_view field) {
  if (field.find_first_of(",\"\r\n") == std::string_view::npos) {
    out += field;
    return;
  }
  out += '"';
  for (char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

}  // namespace

Result<std::vector<RecordRow>> parse_record_csv(std::string_view text) {
  std::vector<RecordRow> rows;
  std::size_t i = 0;
  std::size_t line = 1;
  while (i < text.size()) {
    RecordRow row;
    row.line = line;
    std::string field;
    bool row_has_content = false;
    bool end_of_row = false;
    while (!end_of_row) {
      // One field.
      if (i < text.size() && text[i] == '"') {
        row_has_content = true;
        ++i;
        const std::size_t opened = line;
        for (;;) {
          if (i >= text.size()) {
            return invalid_argument("line " + std::to_string(opened) +
                                    ": a quoted field is not closed");
          }
          const char c = text[i++];
          if (c == '"') {
            if (i < text.size() && text[i] == '"') {
              field += '"';
              ++i;
              continue;
            }
            break;
          }
          if (c == '\n') ++line;
          field += c;
        }
      }
      // Unquoted text, or what follows a closing quote (csv keeps it, outside strict mode).
      while (i < text.size() && text[i] != ',' && text[i] != '\n' && text[i] != '\r') {
        field += text[i++];
        row_has_content = true;
      }
      if (i < text.size() && text[i] == ',') {
        ++i;
        row_has_content = true;
        row.fields.push_back(std::move(field));
        field.clear();
        continue;
      }
      row.fields.push_back(std::move(field));
      field.clear();
      end_of_row = true;
      if (i < text.size() && text[i] == '\r') ++i;
      if (i < text.size() && text[i] == '\n') ++i;
      ++line;
    }
    if (row_has_content) rows.push_back(std::move(row));
  }
  return rows;
}

std::string record_hash(const Sha256Bytes& digest) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out = "sha256=";
  std::size_t i = 0;
  for (; i + 3 <= digest.size(); i += 3) {
    const unsigned v = (digest[i] << 16) | (digest[i + 1] << 8) | digest[i + 2];
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  // 32 bytes leave 2: three characters and no padding.
  const unsigned v = (digest[i] << 16) | (digest[i + 1] << 8);
  out += kAlphabet[(v >> 18) & 63];
  out += kAlphabet[(v >> 12) & 63];
  out += kAlphabet[(v >> 6) & 63];
  return out;
}

std::string write_record(std::vector<InstalledRow> rows) {
  std::sort(rows.begin(), rows.end(),
            [](const InstalledRow& a, const InstalledRow& b) { return a.path < b.path; });
  std::string out;
  for (const InstalledRow& r : rows) {
    append_field(out, r.path);
    out += ',';
    append_field(out, r.hash);
    out += ',';
    append_field(out, r.size);
    out += '\n';
  }
  return out;
}

}  // namespace ignite::wheel
