// A queued build whose source is a git repository (SourceKind::kGit, docs/git-sources.md): what
// is kept at submission (the request, as a small JSON document in the SourceStore, so the build's
// source digest names it). The worker fetches it with git::FetchedGitSource.
#pragma once

#include <string>
#include <string_view>

#include "builder/git/git_source.h"
#include "builder/util/status.h"

namespace ignite::workers {

// The kept form of `source`: {"ref": ..., "subdir": ..., "url": ...}, keys sorted, so that the
// same request is the same bytes (and an idempotency key's retry the same digest).
std::string git_source_document(const git::GitSource& source);
// Reads git_source_document's bytes back; DATA_LOSS when they are not such a document.
Result<git::GitSource> parse_git_source_document(std::string_view bytes);

}  // namespace ignite::workers
