// ORG/APP[:vN] on the command line: a version of an app in the store, its latest by default
// (import, verify).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "builder/store/app_id.h"
#include "builder/util/status.h"

namespace ignite::cli {

struct VersionRef {
  store::AppId app;
  std::optional<std::int64_t> number;  // nullopt: the latest
};

// "ORG/APP", "ORG/APP:vN" (or ORG:APP[:vN]). INVALID_ARGUMENT for a malformed app or version.
Result<VersionRef> parse_version_ref(const std::string& text);

}  // namespace ignite::cli
