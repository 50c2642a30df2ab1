// PEP 503 HTML project pages: a tolerant scan for <a> and <base> tags and their
// attributes, enough for what indexes (and find-links pages) serve. Text, scripts and
// every other tag are skipped.
#include <cctype>
#include <map>

#include "builder/index/simple_page.h"
#include "builder/index/simple_page_internal.h"
#include "builder/util/utf8.h"

namespace ignite::index {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

struct Tag {
  std::string name;
  std::map<std::string, std::string> attributes;  // lowercased names, unescaped values
};

// Reads the tag starting at body[pos] == '<'; moves pos past its '>'.
Tag read_tag(std::string_view body, std::size_t& pos) {
  Tag tag;
  std::size_t i = pos + 1;
  while (i < body.size() && (std::isalnum(static_cast<unsigned char>(body[i])) || body[i] == '/')) {
    tag.name += static_cast<char>(std::tolower(static_cast<unsigned char>(body[i])));
    ++i;
  }
  while (i < body.size() && body[i] != '>') {
    if (is_space(body[i]) || body[i] == '/') {
      ++i;
      continue;
    }
    std::size_t start = i;
    while (i < body.size() && !is_space(body[i]) && body[i] != '=' && body[i] != '>' &&
           body[i] != '/') {
      ++i;
    }
    std::string name = lower(body.substr(start, i - start));
    while (i < body.size() && is_space(body[i])) ++i;
    std::string value;
    if (i < body.size() && body[i] == '=') {
      ++i;
      while (i < body.size() && is_space(body[i])) ++i;
      if (i < body.size() && (body[i] == '"' || body[i] == '\'')) {
        const char quote = body[i++];
        start = i;
        while (i < body.size() && body[i] != quote) ++i;
        value = html_unescape(body.substr(start, i - start));
        if (i < body.size()) ++i;
      } else {
        start = i;
        while (i < body.size() && !is_space(body[i]) && body[i] != '>') ++i;
        value = html_unescape(body.substr(start, i - start));
      }
    }
    if (!name.empty()) tag.attributes.try_emplace(std::move(name), std::move(value));
  }
  pos = i < body.size() ? i + 1 : body.size();
  return tag;
}

const std::string* attribute(const Tag& tag, const char* name) {
  auto it = tag.attributes.find(name);
  return it == tag.attributes.end() ? nullptr : &it->second;
}

// data-core-metadata / data-dist-info-metadata: "true", or "sha256=HEX" (pip's reading:
// any other value still announces a metadata file, without a hash; "false" does not).
void read_metadata_attribute(const Tag& tag, IndexFile& file) {
  const std::string* value = attribute(tag, "data-core-metadata");
  if (value == nullptr) value = attribute(tag, "data-dist-info-metadata");
  if (value == nullptr || *value == "false") return;
  file.has_metadata = true;
  if (auto eq = value->find('='); eq != std::string::npos) {
    const std::string hex = value->substr(eq + 1);
    if (internal::is_hex(hex)) {
      file.metadata_hashes[lower(value->substr(0, eq))] = internal::lower_hex(hex);
    }
  }
}

}  // namespace

std::string html_unescape(std::string_view text) {
  static const std::map<std::string, std::string, std::less<>> kNamed = {
      {"amp", "&"}, {"lt", "<"}, {"gt", ">"}, {"quot", "\""}, {"apos", "'"}, {"nbsp", "\xc2\xa0"}};
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '&') {
      out += text[i];
      continue;
    }
    const std::size_t semi = text.find(';', i);
    if (semi == std::string_view::npos || semi - i > 10) {
      out += '&';
      continue;
    }
    std::string_view entity = text.substr(i + 1, semi - i - 1);
    unsigned long code = 0;
    bool numeric = false;
    if (entity.size() > 1 && entity[0] == '#') {
      const bool hex = entity[1] == 'x' || entity[1] == 'X';
      std::string digits(entity.substr(hex ? 2 : 1));
      const int base = hex ? 16 : 10;
      bool valid = !digits.empty() && digits.size() <= 7;
      for (char c : digits) {
        valid = valid && (base == 16 ? std::isxdigit(static_cast<unsigned char>(c))
                                     : std::isdigit(static_cast<unsigned char>(c)));
      }
      if (valid) {
        code = std::stoul(digits, nullptr, base);
        numeric = code > 0 && code < 0x110000;
      }
    }
    if (numeric) {
      append_utf8(out, static_cast<char32_t>(code));
      i = semi;
    } else if (auto it = kNamed.find(entity); it != kNamed.end()) {
      out += it->second;
      i = semi;
    } else {
      out += '&';
    }
  }
  return out;
}

Result<std::vector<IndexFile>> parse_simple_html(std::string_view body, const Url& page_url) {
  Url base = page_url;
  std::vector<IndexFile> out;
  std::size_t pos = 0;
  while ((pos = body.find('<', pos)) != std::string_view::npos) {
    if (body.substr(pos, 4) == "<!--") {
      const std::size_t end = body.find("-->", pos + 4);
      pos = end == std::string_view::npos ? body.size() : end + 3;
      continue;
    }
    Tag tag = read_tag(body, pos);
    if (tag.name == "base") {
      if (const std::string* href = attribute(tag, "href")) {
        if (auto resolved = resolve_url(page_url, *href); resolved.ok()) base = *resolved;
      }
      continue;
    }
    if (tag.name != "a") continue;
    const std::string* href = attribute(tag, "href");
    if (href == nullptr) continue;
    auto file = internal::make_file(base, *href);
    if (!file) continue;
    if (const std::string* rp = attribute(tag, "data-requires-python"); rp && !rp->empty()) {
      file->requires_python = *rp;
    }
    if (const std::string* yanked = attribute(tag, "data-yanked")) {
      file->yanked = true;
      file->yanked_reason = *yanked;
    }
    read_metadata_attribute(tag, *file);
    out.push_back(std::move(*file));
  }
  return out;
}

}  // namespace ignite::index
