// Writing files under the install target without ever following a symlink: every directory
// is opened relative to its parent with O_NOFOLLOW, every file is created with
// O_CREAT|O_EXCL|O_NOFOLLOW. Even a symlink planted in the target while we write (the
// target is fresh, so nothing else should be there) cannot redirect a write.
#pragma once

#include <string>
#include <string_view>

#include "builder/util/status.h"
#include "builder/util/unique_fd.h"

namespace ignite::wheel {

class TargetTree {
 public:
  // Creates `dir` (mode 0755; its parent must exist) or opens it if it is an empty directory.
  // FAILED_PRECONDITION when it is not empty or not a directory (a symlink included).
  static Result<TargetTree> open(const std::string& dir);

  // Creates the file at `rel` ('/'-separated, already checked to be a plain relative path)
  // with permission bits `mode`, exactly (umask aside), creating missing parent directories
  // with 0755, and returns it open for writing. ALREADY_EXISTS when something is at `rel`;
  // INVALID_ARGUMENT when a parent is a symlink or a file.
  Result<UniqueFd> create_file(std::string_view rel, int mode);

  const std::string& path() const { return path_; }

 private:
  TargetTree(UniqueFd root, std::string path) : root_(std::move(root)), path_(std::move(path)) {}
  // The directory that holds `rel`'s last component, created as needed.
  Result<UniqueFd> open_parent(std::string_view rel);

  UniqueFd root_;
  std::string path_;
};

// Writes all of `data` to `fd`, retrying short writes.
Status write_all(int fd, std::string_view data, std::string_view what);

// Closes `fd`, reporting a failed close (NFS and quota errors surface there).
Status close_file(UniqueFd fd, std::string_view what);

}  // namespace ignite::wheel
