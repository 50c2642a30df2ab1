#include "builder/wheel/target_tree.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "builder/util/path_text.h"
#include "builder/wheel/member_path.h"

namespace ignite::wheel {
namespace {

constexpr int kDirFlags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;

// ELOOP or ENOTDIR where a symlink or a file stands in the way are refusals of the layout, not
// I/O failures (O_NOFOLLOW|O_DIRECTORY on a symlink gives ENOTDIR on Linux, ELOOP elsewhere).
Status open_error(int dir, std::string_view rel, std::string_view part, int err) {
  if (err == ELOOP || err == ENOTDIR) {
    struct stat st;
    const std::string last(part.substr(part.rfind('/') + 1));
    if (::fstatat(dir, last.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode)) {
      err = ELOOP;
    }
  }
  if (err == ELOOP) {
    return invalid_argument(quote_member(rel) + " would be written through the symlink " +
                            quote_member(part));
  }
  if (err == ENOTDIR) {
    return invalid_argument(quote_member(rel) + " would be written below the file " +
                            quote_member(part));
  }
  return errno_status("creating " + quote_member(part), err);
}

Status check_empty(int fd, const std::string& dir) {
  const int copy = ::dup(fd);
  if (copy < 0) return errno_status("reading directory " + dir, errno);
  DIR* d = ::fdopendir(copy);
  if (d == nullptr) {
    const int err = errno;
    ::close(copy);
    return errno_status("reading directory " + dir, err);
  }
  bool empty = true;
  while (dirent* ent = ::readdir(d)) {
    if (std::strcmp(ent->d_name, ".") != 0 && std::strcmp(ent->d_name, "..") != 0) {
      empty = false;
      break;
    }
  }
  ::closedir(d);
  if (!empty) return failed_precondition("target directory " + dir + " is not empty");
  return ok_status();
}

}  // namespace

Result<TargetTree> TargetTree::open(const std::string& dir) {
  if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
    return errno_status("creating target directory " + dir, errno);
  }
  UniqueFd fd(::open(dir.c_str(), kDirFlags));
  if (fd.get() < 0) {
    if (errno == ELOOP || errno == ENOTDIR) {
      return failed_precondition("target " + dir + " is not a directory");
    }
    return errno_status("opening target directory " + dir, errno);
  }
  IGNITE_RETURN_IF_ERROR(check_empty(fd.get(), dir));
  return TargetTree(std::move(fd), dir);
}

Result<UniqueFd> TargetTree::open_parent(std::string_view rel) {
  UniqueFd dir(::dup(root_.get()));
  if (dir.get() < 0) return errno_status("opening target directory " + path_, errno);
  std::size_t start = 0;
  for (std::size_t slash = rel.find('/'); slash != std::string_view::npos;
       slash = rel.find('/', start)) {
    const std::string part(rel.substr(start, slash - start));
    const std::string_view so_far = rel.substr(0, slash);
    bool created = false;
    if (::mkdirat(dir.get(), part.c_str(), 0755) == 0) {
      created = true;
    } else if (errno != EEXIST) {
      return open_error(dir.get(), rel, so_far, errno);
    }
    UniqueFd sub(::openat(dir.get(), part.c_str(), kDirFlags));
    if (sub.get() < 0) return open_error(dir.get(), rel, so_far, errno);
    // mkdirat's mode is cut by the umask; directories are 0755 whatever it is.
    if (created && ::fchmod(sub.get(), 0755) != 0) {
      return errno_status("setting the mode of " + quote_member(so_far), errno);
    }
    dir = std::move(sub);
    start = slash + 1;
  }
  return dir;
}

Result<UniqueFd> TargetTree::create_file(std::string_view rel, int mode) {
  IGNITE_ASSIGN_OR_RETURN(UniqueFd dir, open_parent(rel));
  const std::string name = path_base(rel);
  UniqueFd fd(::openat(dir.get(), name.c_str(),
                       O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                       static_cast<mode_t>(mode)));
  if (fd.get() < 0) {
    if (errno == EEXIST) return already_exists(quote_member(rel) + " already exists in the target");
    return open_error(dir.get(), rel, rel, errno);
  }
  if (::fchmod(fd.get(), static_cast<mode_t>(mode)) != 0) {
    return errno_status("setting the mode of " + quote_member(rel), errno);
  }
  return fd;
}

Status write_all(int fd, std::string_view data, std::string_view what) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_status("writing " + std::string(what), errno);
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return ok_status();
}

Status close_file(UniqueFd fd, std::string_view what) {
  if (::close(fd.release()) != 0) return errno_status("writing " + std::string(what), errno);
  return ok_status();
}

}  // namespace ignite::wheel
