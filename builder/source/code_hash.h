// codeHash v1: the content hash of a draft's tree that auditors recompute with coreutils.
//
// Input grammar (docs/codehash.md), one line per file and symlink, sorted by path bytewise:
//   line  = kind SP sha256-hex SP path LF
//   kind  = "f" (regular) / "x" (regular, owner-exec) / "l" (symlink; data is its target)
// codeHash = "sha256:" hex(sha256(all lines)). Directories are not listed.
#pragma once

#include <string>
#include <vector>

#include "builder/source/source_tree.h"
#include "builder/util/digest.h"

namespace ignite {

inline constexpr std::string_view kCodeHashVersion = "v1";

// The exact bytes that are hashed, so that two hashes can be explained line by line.
std::string code_hash_input(const SourceTree& tree);

Digest code_hash(const SourceTree& tree);

}  // namespace ignite
