// The lock around every read-modify-write of a layout's index.json: an flock() on
// DIR/index.json.lock, so that processes adding refs at once lose none.
#pragma once

#include <string>

#include "builder/util/file_lock.h"

namespace ignite::oci {

class LayoutLock {
 public:
  // Blocks until the lock on `layout_dir` is held.
  static Result<LayoutLock> acquire(const std::string& layout_dir) {
    IGNITE_ASSIGN_OR_RETURN(FileLock lock, FileLock::acquire(layout_dir + "/index.json.lock"));
    return LayoutLock(std::move(lock));
  }

 private:
  explicit LayoutLock(FileLock lock) : lock_(std::move(lock)) {}
  FileLock lock_;
};

}  // namespace ignite::oci
