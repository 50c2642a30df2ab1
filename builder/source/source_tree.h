// A draft's file tree after intake: validated relative paths to files and symlinks.
//
// Directories are kept only to detect conflicts (a file and a directory at one
// path); they are not part of the codeHash and carry no metadata, because the
// image normalizes every directory to 0755 root:root.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>

#include "builder/util/status.h"

namespace ignite {

enum class EntryKind {
  kFile,        // regular file, owner-exec bit clear      -> codeHash kind "f"
  kExecutable,  // regular file, owner-exec bit set         -> codeHash kind "x"
  kSymlink,     // symbolic link; data is the link target   -> codeHash kind "l"
};

char entry_kind_letter(EntryKind kind);

struct SourceEntry {
  EntryKind kind;
  std::string data;  // file contents, or the symlink's target
};

class SourceTree {
 public:
  // Keyed by path; std::string orders bytewise (as unsigned char), the order of `LC_ALL=C sort`.
  using Entries = std::map<std::string, SourceEntry>;

  const Entries& entries() const { return entries_; }
  const std::set<std::string>& directories() const { return directories_; }
  const SourceEntry* find(const std::string& path) const;
  // The regular file at `path`, following symlinks inside the tree; nullptr when there is none
  // (missing, a directory, a dangling or escaping link).
  const SourceEntry* find_file(const std::string& path) const;
  std::uint64_t total_bytes() const { return total_bytes_; }

  // Adds a file or symlink. The path must already be validated (see source_path.h).
  // Fails with INVALID_ARGUMENT on a duplicate path.
  Status add(const std::string& path, SourceEntry entry);
  // Records an explicit directory entry; duplicates of a directory are refused too.
  Status add_directory(const std::string& path);

  // Checks what can only be judged on the whole tree: a file and a directory at the
  // same path, entries below a symlink, symlinks whose target leaves the tree.
  Status check_structure() const;

  // Fails unless handler.py is a regular file at the root (or a symlink to one inside
  // the tree); names where handler.py was found instead, if anywhere.
  Status check_handler() const;

 private:
  // Where the symlink at `path` leads inside the tree, following other symlinks on the way
  // (the result may not exist). INVALID_ARGUMENT when the target leaves the tree or loops.
  Result<std::string> resolve_symlink(const std::string& path) const;

  Entries entries_;
  std::set<std::string> directories_;           // explicit and implied (parents of entries)
  std::set<std::string> explicit_directories_;  // only those the source listed
  std::uint64_t total_bytes_ = 0;
};

}  // namespace ignite
