// `build --git URL --ref REF [--subdir D]`: the git source fetched into a scratch directory of
// the store's tmp/, retried while the server is unavailable, for the build to read like any
// directory. The scratch directory goes with the returned object, after the build.
#pragma once

#include <chrono>
#include <iosfwd>
#include <string>

#include "builder/git/fetched_source.h"
#include "builder/util/status.h"

namespace ignite::cli {

// How long one fetch attempt may take before it is stopped (and retried) as unavailable.
inline constexpr std::chrono::minutes kGitFetchAttemptDeadline{10};

// Fetches `source` under `tmp_root` (created when missing). Each retry is announced on `err`:
// "ignite-builder: git: <error>; retrying in 1 s (attempt 2 of 5)".
Result<git::FetchedGitSource> fetch_git_build_source(const git::GitSource& source,
                                                     const std::string& tmp_root,
                                                     std::ostream& err);

}  // namespace ignite::cli
