// A queued build whose source is a git repository (SourceKind::kGit, docs/git-sources.md): what
// is kept at submission (the request, as a small JSON document in the SourceStore, so the build's
// source digest names it), and the worker's fetch of it into a scratch directory of the store's
// tmp/, removed when the build is over.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>

#include "builder/git/git_fetch.h"
#include "builder/git/git_source.h"
#include "builder/util/status.h"

namespace ignite::workers {

// The kept form of `source`: {"ref": ..., "subdir": ..., "url": ...}, keys sorted, so that the
// same request is the same bytes (and an idempotency key's retry the same digest).
std::string git_source_document(const git::GitSource& source);
// Reads git_source_document's bytes back; DATA_LOSS when they are not such a document.
Result<git::GitSource> parse_git_source_document(std::string_view bytes);

// The fetched tree of one build attempt: scratch `<tmp_root>/git-<build id>-<epoch>`, removed
// when this goes.
class FetchedGitSource {
 public:
  // Fetches until `deadline` (UNAVAILABLE past it, which the queue retries like a server that
  // cannot be reached).
  static Result<FetchedGitSource> fetch(const git::GitSource& source, const std::string& tmp_root,
                                        const std::string& build_id, std::int64_t epoch,
                                        std::chrono::steady_clock::time_point deadline);
  ~FetchedGitSource();
  FetchedGitSource(FetchedGitSource&& other) noexcept;
  FetchedGitSource& operator=(FetchedGitSource&&) = delete;
  FetchedGitSource(const FetchedGitSource&) = delete;

  const git::GitCheckout& checkout() const { return checkout_; }

 private:
  FetchedGitSource(std::filesystem::path scratch, git::GitCheckout checkout)
      : scratch_(std::move(scratch)), checkout_(std::move(checkout)) {}
  std::filesystem::path scratch_;  // empty once moved from
  git::GitCheckout checkout_;
};

}  // namespace ignite::workers
