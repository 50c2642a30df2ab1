#include "builder/oci/layout_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>

namespace ignite::oci {

Result<LayoutLock> LayoutLock::acquire(const std::string& layout_dir) {
  const std::string path = layout_dir + "/index.json.lock";
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return errno_status("opening the index lock " + path, errno);
  while (::flock(fd, LOCK_EX) != 0) {
    if (errno == EINTR) continue;
    int err = errno;
    ::close(fd);
    return errno_status("locking " + path, err);
  }
  return LayoutLock(fd);
}

LayoutLock::~LayoutLock() {
  if (fd_ >= 0) ::close(fd_);  // releases the lock
}

}  // namespace ignite::oci
