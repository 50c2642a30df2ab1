// The exclusive lock around index.json changes: flock() on DIR/index.json.lock. Internal to
// builder/oci. flock locks belong to an open file description, so two threads of one process
// exclude each other as two processes do; the kernel drops the lock when its holder dies.
#pragma once

#include <string>

#include "builder/util/status.h"

namespace ignite::oci {

class LayoutLock {
 public:
  // Blocks until the lock on `layout_dir` is held.
  static Result<LayoutLock> acquire(const std::string& layout_dir);
  LayoutLock(LayoutLock&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  LayoutLock& operator=(LayoutLock&&) = delete;
  ~LayoutLock();

 private:
  explicit LayoutLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace ignite::oci
