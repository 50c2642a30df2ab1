// A commit's tree written out as plain files: the blobs' bytes exactly, with no filter of any
// kind (no CRLF conversion, no .gitattributes, no LFS smudge, no ident), so the files on disk are
// what the commit holds and the codeHash of the written tree follows from the commit alone.
// libgit2's checkout applies attributes-driven filters, which is why it is not used here.
#pragma once

#include <filesystem>
#include <string_view>

#include <git2.h>

#include "builder/source/intake.h"
#include "builder/util/status.h"

namespace ignite::git {

// Writes `tree` into `dir` (which must not exist yet): blobs as files (0644, or 0755 for an
// executable blob), symlinks as symlinks (their target is the blob), trees as directories.
// `tree_path` is where `tree` sits in the commit ("" for the root), for messages.
//
// Refused with INVALID_ARGUMENT: a submodule (a gitlink entry) anywhere in the tree, naming
// every one (up to a few) by its path in the commit; an entry named "", ".", ".." or ".git"
// (any case), which git itself never writes. RESOURCE_EXHAUSTED past `limits` (the intake's: a
// repository is held to what a draft may be, checked before the bytes are written).
Status write_git_tree(git_repository* repo, const git_tree* tree, std::string_view tree_path,
                      const std::filesystem::path& dir, const IntakeLimits& limits);

}  // namespace ignite::git
