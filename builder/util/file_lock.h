// FileLock: an exclusive flock() on a lock file, held for the object's life. Serializes
// processes that share a directory (a store's index.json, the making of its base image).
#pragma once

#include <string>

#include "builder/util/status.h"
#include "builder/util/unique_fd.h"

namespace ignite {

class FileLock {
 public:
  // Creates `path` if needed and blocks until the lock is held.
  static Result<FileLock> acquire(const std::string& path);

 private:
  explicit FileLock(UniqueFd fd) : fd_(std::move(fd)) {}
  UniqueFd fd_;  // closing it releases the lock
};

}  // namespace ignite
