#include "builder/source/directory_intake.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <vector>

#include "builder/source/intake_checks.h"
#include "builder/source/source_path.h"

namespace ignite {
namespace {

class DirectoryWalker {
 public:
  DirectoryWalker(const std::string& root, const IntakeOptions& options)
      : root_(root), checks_(options.limits) {}

  Result<SourceTree> walk() {
    int fd = ::open(root_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return errno_status("opening directory " + root_, errno);
    IGNITE_RETURN_IF_ERROR(walk_dir(fd, ""));
    return std::move(tree_);
  }

 private:
  // Takes ownership of `dir_fd`. `prefix` is the tree path of this directory ("" for the root).
  Status walk_dir(int dir_fd, const std::string& prefix) {
    DIR* dir = ::fdopendir(dir_fd);
    if (dir == nullptr) {
      int err = errno;
      ::close(dir_fd);
      return errno_status("listing " + display(prefix), err);
    }
    std::vector<std::string> names;
    for (;;) {
      errno = 0;
      dirent* d = ::readdir(dir);
      if (d == nullptr) {
        // A failed readdir would silently drop files from the tree and from its codeHash.
        if (errno != 0) {
          int err = errno;
          ::closedir(dir);
          return errno_status("listing " + display(prefix), err);
        }
        break;
      }
      std::string name = d->d_name;
      if (name != "." && name != "..") names.push_back(std::move(name));
    }
    std::sort(names.begin(), names.end());  // deterministic errors: the first bad name wins
    Status s;
    for (const auto& name : names) {
      s = visit(::dirfd(dir), prefix.empty() ? name : prefix + "/" + name, name);
      if (!s.ok()) break;
    }
    ::closedir(dir);
    return s;
  }

  Status visit(int dir_fd, const std::string& path, const std::string& name) {
    IGNITE_RETURN_IF_ERROR(validate_source_path(path).with_context("entry " + quote_path(path)));
    IGNITE_RETURN_IF_ERROR(checks_.count_entry(path));
    struct stat st {};
    if (::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      return errno_status("reading " + display(path), errno);
    }
    if (S_ISDIR(st.st_mode)) {
      IGNITE_RETURN_IF_ERROR(tree_.add_directory(path));
      int fd = ::openat(dir_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0) return errno_status("opening " + display(path), errno);
      return walk_dir(fd, path);
    }
    if (S_ISLNK(st.st_mode)) {
      // st_size may be 0 (some filesystems) or stale (the link changed): grow until it fits.
      std::string target(std::max<std::size_t>(static_cast<std::size_t>(st.st_size) + 1, 256), '\0');
      for (;;) {
        ssize_t n = ::readlinkat(dir_fd, name.c_str(), target.data(), target.size());
        if (n < 0) return errno_status("reading the symlink " + display(path), errno);
        if (static_cast<std::size_t>(n) < target.size()) {
          target.resize(static_cast<std::size_t>(n));
          break;
        }
        if (target.size() > kMaxSourcePathBytes * 4) {
          return invalid_argument("entry " + quote_path(path) + ": symlink target is too long");
        }
        target.resize(target.size() * 2);
      }
      return tree_.add(path, {EntryKind::kSymlink, std::move(target)});
    }
    if (S_ISREG(st.st_mode)) {
      IGNITE_RETURN_IF_ERROR(checks_.check_file_size(path, static_cast<std::uint64_t>(st.st_size)));
      IGNITE_ASSIGN_OR_RETURN(std::string data, read_regular(dir_fd, name, path));
      IGNITE_RETURN_IF_ERROR(checks_.add_bytes(path, data.size()));
      const bool exec = (st.st_mode & S_IXUSR) != 0;
      return tree_.add(path, {exec ? EntryKind::kExecutable : EntryKind::kFile, std::move(data)});
    }
    return invalid_argument("entry " + quote_path(path) + ": " + file_type_name(st.st_mode) +
                            " is not allowed (only regular files, directories and symlinks)");
  }

  Result<std::string> read_regular(int dir_fd, const std::string& name, const std::string& path) {
    int fd = ::openat(dir_fd, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return errno_status("opening " + display(path), errno);
    std::string data;
    char buf[1 << 16];
    Status s;
    for (;;) {
      ssize_t n = ::read(fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        s = errno_status("reading " + display(path), errno);
        break;
      }
      if (n == 0) break;
      data.append(buf, static_cast<std::size_t>(n));
      // The file may grow while we read it; the limit holds on what we actually read.
      if (s = checks_.check_file_size(path, data.size()); !s.ok()) break;
    }
    ::close(fd);
    if (!s.ok()) return s;
    return data;
  }

  std::string display(const std::string& path) const {
    return path.empty() ? root_ : root_ + "/" + path;
  }

  std::string root_;
  IntakeChecks checks_;
  SourceTree tree_;
};

}  // namespace

Result<SourceTree> read_directory(const std::string& root, const IntakeOptions& options) {
  DirectoryWalker walker(root, options);
  auto tree = walker.walk();
  const std::string ctx = "reading directory " + root;
  if (!tree.ok()) return tree.status().with_context(ctx);
  if (Status s = finish_tree(*tree, options); !s.ok()) return s.with_context(ctx);
  return tree;
}

}  // namespace ignite
