#include "builder/index/core_metadata.h"

#include <utility>

#include "builder/python/ascii_text.h"
#include "builder/util/ascii.h"

namespace ignite::index {
namespace {

bool same_field(std::string_view a, std::string_view b) {
  return a.size() == b.size() && ascii_lower(a) == ascii_lower(b);
}

// The header block as (field, value) pairs, folded lines joined with a space.
std::vector<std::pair<std::string, std::string>> read_headers(std::string_view text) {
  std::vector<std::pair<std::string, std::string>> out;
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) break;  // the body (the long description) follows
    if ((line[0] == ' ' || line[0] == '\t') && !out.empty()) {
      out.back().second += " ";
      out.back().second += python::trim_blanks(line);
      continue;
    }
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    out.emplace_back(std::string(python::trim_blanks(line.substr(0, colon))),
                     std::string(python::trim_blanks(line.substr(colon + 1))));
  }
  return out;
}

}  // namespace

Result<CoreMetadata> parse_core_metadata(std::string_view text, std::string_view origin) {
  const std::string where = "reading " + std::string(origin);
  std::optional<std::string> name;
  std::optional<std::string> version_text;
  std::optional<std::string> requires_python_text;
  std::vector<std::string> requires_dist_text;
  std::vector<std::string> extras;
  for (auto& [field, value] : read_headers(text)) {
    if (same_field(field, "Name")) {
      if (!name) name = value;
    } else if (same_field(field, "Version")) {
      if (!version_text) version_text = value;
    } else if (same_field(field, "Requires-Python")) {
      requires_python_text = value;
    } else if (same_field(field, "Requires-Dist")) {
      requires_dist_text.push_back(value);
    } else if (same_field(field, "Provides-Extra")) {
      extras.push_back(value);
    }
  }
  if (!name || name->empty()) return failed_precondition(where + ": no Name field");
  if (!version_text) return failed_precondition(where + ": no Version field");
  auto version = python::Version::parse(*version_text);
  if (!version.ok()) {
    return failed_precondition(where + ": Version: " + version.status().message());
  }
  CoreMetadata md{*name, *version, {}, std::nullopt, std::move(extras)};
  for (const std::string& line : requires_dist_text) {
    auto req = python::Requirement::parse(line);
    if (!req.ok()) {
      return failed_precondition(where + ": Requires-Dist '" + line +
                                 "': " + req.status().message());
    }
    md.requires_dist.push_back(std::move(*req));
  }
  if (requires_python_text && !requires_python_text->empty()) {
    auto spec = python::SpecifierSet::parse(*requires_python_text);
    if (!spec.ok()) {
      return failed_precondition(where + ": Requires-Python: " + spec.status().message());
    }
    md.requires_python = std::move(*spec);
  }
  return md;
}

}  // namespace ignite::index
