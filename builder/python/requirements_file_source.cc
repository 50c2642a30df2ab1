#include "builder/python/requirements_file_source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <utility>
#include <vector>

#include "builder/python/ascii_text.h"
#include "builder/util/path_text.h"
#include "builder/util/unique_fd.h"

namespace ignite::python {
namespace {

Status open_error(const std::string& path, int err) {
  std::string context = "reading requirements file " + quote_text(path);
  if (err == ELOOP) {
    return invalid_argument(context +
                            ": the path goes through a symbolic link, which is not "
                            "followed (keep requirement files as regular files in the "
                            "source tree)");
  }
  if (err == ENOENT || err == ENOTDIR) return not_found(context + ": no such file");
  return errno_status(context, err);
}

}  // namespace

Result<std::string> DirectoryFileSource::read(const std::string& path) const {
  std::vector<std::string> parts = split_path(path);
  for (const std::string& part : parts) {
    if (part.empty() || part == "." || part == "..") {
      return invalid_argument("reading requirements file " + quote_text(path) +
                              ": not a normalized relative path");
    }
  }
  UniqueFd dir(::open(root_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.get() < 0) return errno_status("opening source directory " + root_, errno);
  for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
    UniqueFd next(
        ::openat(dir.get(), parts[i].c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (next.get() < 0) return open_error(path, errno);
    dir = std::move(next);
  }
  UniqueFd file(
      ::openat(dir.get(), parts.back().c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK));
  if (file.get() < 0) return open_error(path, errno);
  struct stat st {};
  if (::fstat(file.get(), &st) != 0) return open_error(path, errno);
  if (!S_ISREG(st.st_mode)) {
    return invalid_argument("reading requirements file " + quote_text(path) +
                            ": not a regular file");
  }
  std::string out;
  char buf[1 << 16];
  for (;;) {
    ssize_t n = ::read(file.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return open_error(path, errno);
    }
    if (n == 0) break;
    out.append(buf, static_cast<std::size_t>(n));
    if (out.size() > kMaxRequirementsFileBytes) {
      return resource_exhausted("reading requirements file " + quote_text(path) + ": larger than " +
                                std::to_string(kMaxRequirementsFileBytes) + " bytes");
    }
  }
  return out;
}

Result<std::string> InMemoryFileSource::read(const std::string& path) const {
  auto it = files_.find(path);
  if (it == files_.end())
    return not_found("reading requirements file " + quote_text(path) + ": no such file");
  if (it->second.size() > kMaxRequirementsFileBytes) {
    return resource_exhausted("reading requirements file " + quote_text(path) + ": larger than " +
                              std::to_string(kMaxRequirementsFileBytes) + " bytes");
  }
  return it->second;
}

}  // namespace ignite::python
