// A git source fetched into a scratch directory that this object owns: the directory is made
// (anew) for the fetch, removed when the fetch fails, and removed when the object goes, after
// the build has read the tree. `build --git` (with its retries, src/cli/git_build_source.h) and
// the queue's workers (workers/worker.cc) both hold their fetched tree this way.
#pragma once

#include <filesystem>

#include "builder/git/git_fetch.h"
#include "builder/git/git_source.h"
#include "builder/util/status.h"

namespace ignite::git {

class FetchedGitSource {
 public:
  // Removes whatever `scratch` holds, creates it, and fetches `source` into it
  // (fetch_git_source). On failure nothing is left at `scratch`.
  static Result<FetchedGitSource> fetch(const GitSource& source, std::filesystem::path scratch,
                                        const GitFetchOptions& options = {});
  ~FetchedGitSource();
  FetchedGitSource(FetchedGitSource&& other) noexcept;
  FetchedGitSource& operator=(FetchedGitSource&&) = delete;
  FetchedGitSource(const FetchedGitSource&) = delete;

  const GitCheckout& checkout() const { return checkout_; }

 private:
  FetchedGitSource(std::filesystem::path scratch, GitCheckout checkout)
      : scratch_(std::move(scratch)), checkout_(std::move(checkout)) {}
  std::filesystem::path scratch_;  // empty once moved from
  GitCheckout checkout_;
};

}  // namespace ignite::git
