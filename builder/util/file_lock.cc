#include "builder/util/file_lock.h"

#include <fcntl.h>
#include <sys/file.h>

#include <cerrno>

namespace ignite {

Result<FileLock> FileLock::acquire(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
  if (fd.get() < 0) return errno_status("opening the lock file " + path, errno);
  while (::flock(fd.get(), LOCK_EX) != 0) {
    if (errno != EINTR) return errno_status("locking " + path, errno);
  }
  return FileLock(std::move(fd));
}

}  // namespace ignite
