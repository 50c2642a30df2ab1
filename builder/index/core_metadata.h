// Core metadata (the METADATA file of a wheel's .dist-info, or a PEP 658 metadata file):
// the email-header fields the resolver needs. Headers end at the first empty line; a line
// starting with a space or tab continues the previous header (RFC 822 folding). Fields
// other than these are ignored.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "builder/python/requirement.h"
#include "builder/python/specifier.h"
#include "builder/python/version.h"
#include "builder/util/status.h"

namespace ignite::index {

struct CoreMetadata {
  std::string name;  // as written ("Flask")
  python::Version version;
  std::vector<python::Requirement> requires_dist;  // in file order, markers kept
  std::optional<python::SpecifierSet> requires_python;
  std::vector<std::string> provides_extra;
};

// `origin` names the file in errors ("metadata of flask-3.1.3-py3-none-any.whl").
// FAILED_PRECONDITION naming the field and the cause when Name or Version is missing, or
// Version, a Requires-Dist or Requires-Python does not parse.
Result<CoreMetadata> parse_core_metadata(std::string_view text, std::string_view origin);

}  // namespace ignite::index
