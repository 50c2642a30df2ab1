// verify --rebuild's source: the auditor's --source, or for a version built from git its
// recorded URL and commit fetched again (into the store's tmp/, removed after the rebuild);
// without either the check is "rebuild skipped" (builder/verify/rebuild_check.h).
#pragma once

#include <optional>
#include <ostream>
#include <string>

#include "builder/pipeline/function_store.h"
#include "builder/pipeline/progress.h"
#include "builder/store/app_id.h"
#include "builder/store/version_store.h"
#include "builder/verify/deps_check.h"
#include "builder/verify/verify_version.h"

namespace ignite::cli {

// The rebuild check of version `record` of `app`; `source` is --source's value, if given. A
// git fetch's retries are announced on `err`.
verify::Check rebuild_check(const std::optional<std::string>& source,
                            pipeline::FunctionStore& store, const store::AppId& app,
                            const store::VersionRecord& record,
                            const verify::DepsCheckOptions& wheels, pipeline::Progress& progress,
                            std::ostream& err);

}  // namespace ignite::cli
