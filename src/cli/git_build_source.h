// `build --git URL --ref REF [--subdir D]`: the git source fetched into a scratch directory of
// the store's tmp/ (retried while the server is unavailable), for the build to read like any
// directory. The scratch directory is this object's: removed when it goes away, after the build.
#pragma once

#include <filesystem>
#include <iosfwd>
#include <string>

#include "builder/git/git_fetch.h"
#include "builder/util/status.h"

namespace ignite::cli {

// How long one fetch attempt may take before it is stopped (and retried) as unavailable.
inline constexpr std::chrono::minutes kGitFetchAttemptDeadline{10};

class GitBuildSource {
 public:
  // Fetches `source` under `tmp_root` (created when missing). Each retry is announced on `err`:
  // "ignite-builder: git: <error>; retrying in 1 s (attempt 2 of 5)".
  static Result<GitBuildSource> fetch(const git::GitSource& source, const std::string& tmp_root,
                                      std::ostream& err);
  ~GitBuildSource();
  GitBuildSource(GitBuildSource&& other) noexcept;
  GitBuildSource& operator=(GitBuildSource&&) = delete;
  GitBuildSource(const GitBuildSource&) = delete;

  const git::GitCheckout& checkout() const { return checkout_; }

 private:
  GitBuildSource(std::filesystem::path scratch, git::GitCheckout checkout)
      : scratch_(std::move(scratch)), checkout_(std::move(checkout)) {}
  std::filesystem::path scratch_;  // empty once moved from
  git::GitCheckout checkout_;
};

}  // namespace ignite::cli
