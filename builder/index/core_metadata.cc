#include "builder/index/core_metadata.h"

#include <utility>

#include "builder/util/header_fields.h"

namespace ignite::index {

Result<CoreMetadata> parse_core_metadata(std::string_view text, std::string_view origin) {
  const std::string where = "reading " + std::string(origin);
  std::optional<std::string> name;
  std::optional<std::string> version_text;
  std::optional<std::string> requires_python_text;
  std::vector<std::string> requires_dist_text;
  std::vector<std::string> extras;
  for (const HeaderField& f : read_header_block(text)) {
    const std::string& field = f.name;
    const std::string& value = f.value;
    if (same_header_name(field, "Name")) {
      if (!name) name = value;
    } else if (same_header_name(field, "Version")) {
      if (!version_text) version_text = value;
    } else if (same_header_name(field, "Requires-Python")) {
      requires_python_text = value;
    } else if (same_header_name(field, "Requires-Dist")) {
      requires_dist_text.push_back(value);
    } else if (same_header_name(field, "Provides-Extra")) {
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
