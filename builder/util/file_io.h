// Whole-file reads, atomic writes (temp file, fsync, rename, fsync of the directory), and
// making and removing temporary trees.
#pragma once

#include <string>
#include <string_view>

#include "builder/util/status.h"

namespace ignite {

Result<std::string> read_file(const std::string& path);

// kSynced: the file and its directory entry are on disk before the call returns (fsync of the
// file, rename, fsync of the directory). kUnsynced: for caches whose readers check what they
// read (by digest) and fetch again, where a crash may lose the file but never leaves a
// partial one under its name.
enum class Durability { kSynced, kUnsynced };

// Writes `data` to `path` through a temporary file beside it ("<path>.tmp-XXXXXX") and a
// rename, so that readers see either the old file or the whole new one. The temporary file is
// removed on every error.
Status write_file_atomic(const std::string& path, std::string_view data, int mode = 0644,
                         Durability durability = Durability::kSynced);

// fsync of a directory, after a rename or an unlink in it. A file system that cannot sync
// directories (EINVAL: some network and FUSE file systems) is not an error: there is nothing
// more to do there.
Status sync_directory(const std::string& dir);

// A new directory `parent`/`prefix`XXXXXX (mkdtemp), `parent` made when missing; its path.
Result<std::string> make_temp_dir(const std::string& parent, std::string_view prefix);

// Removes `path` and everything under it, even where a directory lacks write permission (as an
// unpacked image's may: its modes are the image's). Symlinks are removed, never followed.
// Best effort: what cannot be removed stays.
void remove_tree(const std::string& path);

// A directory removed with everything in it when the guard goes, whatever happened meanwhile
// (a scratch directory made by make_temp_dir).
struct ScratchDirGuard {
  std::string path;
  explicit ScratchDirGuard(std::string p) : path(std::move(p)) {}
  ScratchDirGuard(const ScratchDirGuard&) = delete;
  ScratchDirGuard& operator=(const ScratchDirGuard&) = delete;
  ~ScratchDirGuard() {
    if (!path.empty()) remove_tree(path);
  }
};

}  // namespace ignite
