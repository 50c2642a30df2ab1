// Fetching a git source into a scratch directory and writing out the tree to build
// (docs/git-sources.md).
//
//   fetch_git_source(source, scratch, options)
//     scratch/repo.git  a bare repository holding what was fetched (one ref's history, or every
//                       branch and tag for a commit id no ref advertises)
//     scratch/tree      the commit's `subdir` as plain files: the directory to build
//
// The scratch directory belongs to the caller, who removes it once the tree has been read (the
// CLI after intake, the worker after its build). Each call replaces scratch/repo.git and
// scratch/tree, so a retry may reuse the directory. Calls may run in parallel on different
// scratch directories.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>

#include "builder/git/git_source.h"
#include "builder/source/intake.h"
#include "builder/util/status.h"

namespace ignite::git {

struct GitFetchOptions {
  // Past it the fetch stops with UNAVAILABLE. libgit2 1.5 has no timeout of its own: the
  // deadline is checked whenever libgit2 calls back, and bounds every connect, read and write of
  // its sockets (deadline_stream.h), so a silent server is cut off as well.
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  // The tree written out is held to what a draft may hold.
  IntakeLimits limits{};
};

struct GitCheckout {
  std::string commit;          // the full commit id, 40 lowercase hex digits
  std::string ref;             // as given
  std::string url;             // display_url(): without credentials, query or fragment
  std::string subdir;          // normalized_subdir(): "" for the root
  std::filesystem::path tree;  // scratch/tree: the subdir's files
};

// Errors (each names the URL in its display form, never its credentials):
//   INVALID_ARGUMENT  validate_git_source's; a subdir that is a file or a submodule; a ref at a
//                     tree or blob, not a commit; an ambiguous abbreviated id; a submodule in the
//                     tree (named); an entry git never writes
//   NOT_FOUND         no such repository; "git: ref 'x' not found in URL (branches: …)"; a
//                     commit id that no branch or tag reaches; a subdir the commit lacks
//   UNAVAILABLE       the server cannot be reached, breaks off, answers 5xx, or the deadline
//                     passed: retrying may help
//   UNAUTHENTICATED, PERMISSION_DENIED  the server wants (other) credentials
//   RESOURCE_EXHAUSTED  the tree is over the intake limits
Result<GitCheckout> fetch_git_source(const GitSource& source,
                                     const std::filesystem::path& scratch_dir,
                                     const GitFetchOptions& options = {});

}  // namespace ignite::git
