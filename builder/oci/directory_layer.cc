#include "builder/oci/directory_layer.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <map>
#include <utility>

#include "builder/source/source_path.h"

namespace ignite::oci {
namespace {

class DirectoryWalker {
 public:
  DirectoryWalker(const std::string& root, const DirectoryLayerOptions& options)
      : root_(root), options_(options) {}

  Result<DirectoryPlan> walk() {
    int fd = ::open(root_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return errno_status("opening directory " + root_, errno);
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
      int err = errno;
      ::close(fd);
      return errno_status("reading the status of " + root_, err);
    }
    if (!options_.prefix.empty()) {
      LayerEntry e = metadata(st);
      e.type = LayerEntryType::kDirectory;
      entries_.emplace(options_.prefix, std::move(e));
    }
    IGNITE_RETURN_IF_ERROR(walk_dir(fd, ""));
    link_hard_links();

    DirectoryPlan out;
    for (auto& [path, entry] : entries_) {
      IGNITE_RETURN_IF_ERROR(out.plan.add(path, std::move(entry)));
    }
    out.plan.add_missing_parents();
    IGNITE_RETURN_IF_ERROR(out.plan.check());
    out.skipped = std::move(skipped_);
    return out;
  }

 private:
  std::string layer_path(const std::string& rel) const {
    return options_.prefix.empty() ? rel : options_.prefix + "/" + rel;
  }

  LayerEntry metadata(const struct stat& st) const {
    LayerEntry e;
    if (options_.modes == ModePolicy::kPreserveModes) {
      e.mode = st.st_mode & 07777;
      e.uid = st.st_uid;
      e.gid = st.st_gid;
    } else if (S_ISDIR(st.st_mode)) {
      e.mode = 0755;
    } else if (S_ISLNK(st.st_mode)) {
      e.mode = 0777;
    } else {
      e.mode = (st.st_mode & S_IXUSR) ? 0755 : 0644;
    }
    return e;
  }

  // Takes ownership of `dir_fd`. `rel` is the directory's path below the root ("" for it).
  Status walk_dir(int dir_fd, const std::string& rel) {
    DIR* dir = ::fdopendir(dir_fd);
    if (dir == nullptr) {
      int err = errno;
      ::close(dir_fd);
      return errno_status("listing " + root_ + "/" + rel, err);
    }
    std::vector<std::string> names;
    errno = 0;
    while (dirent* d = ::readdir(dir)) {
      std::string name = d->d_name;
      if (name != "." && name != "..") names.push_back(std::move(name));
    }
    Status s;
    if (errno != 0) s = errno_status("listing " + root_ + "/" + rel, errno);
    for (const auto& name : names) {
      if (!s.ok()) break;
      s = visit(::dirfd(dir), rel.empty() ? name : rel + "/" + name, name);
    }
    ::closedir(dir);
    return s;
  }

  Status visit(int dir_fd, const std::string& rel, const std::string& name) {
    const std::string disk_path = root_ + "/" + rel;
    const std::string path = layer_path(rel);
    struct stat st {};
    if (::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      return errno_status("reading the status of " + disk_path, errno);
    }
    LayerEntry e = metadata(st);
    if (S_ISREG(st.st_mode)) {
      e.type = LayerEntryType::kRegular;
      e.size = static_cast<std::uint64_t>(st.st_size);
      e.source_path = disk_path;
      e.source_dev = static_cast<std::uint64_t>(st.st_dev);
      e.source_ino = static_cast<std::uint64_t>(st.st_ino);
      if (st.st_nlink > 1) inodes_[{e.source_dev, e.source_ino}];
    } else if (S_ISLNK(st.st_mode)) {
      e.type = LayerEntryType::kSymlink;
      IGNITE_ASSIGN_OR_RETURN(e.link_target, read_link(dir_fd, name, disk_path));
    } else if (S_ISDIR(st.st_mode)) {
      e.type = LayerEntryType::kDirectory;
      entries_.emplace(path, std::move(e));
      int fd = ::openat(dir_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0) return errno_status("opening directory " + disk_path, errno);
      return walk_dir(fd, rel);
    } else {
      return special(path, disk_path, st, std::move(e));
    }
    entries_.emplace(path, std::move(e));
    return ok_status();
  }

  Status special(const std::string& path, const std::string& disk_path, const struct stat& st,
                 LayerEntry e) {
    const bool socket = S_ISSOCK(st.st_mode);
    if (options_.special_files == SpecialFiles::kRefuse) {
      return invalid_argument(disk_path + " is a " + (socket ? "socket" : "device file or fifo") +
                              ", which this layer may not hold (SpecialFiles::kRefuse)");
    }
    if (socket || options_.special_files == SpecialFiles::kSkip) {
      skipped_.push_back(path);
      return ok_status();
    }
    if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
      e.type = S_ISCHR(st.st_mode) ? LayerEntryType::kCharDevice : LayerEntryType::kBlockDevice;
      e.dev_major = major(st.st_rdev);
      e.dev_minor = minor(st.st_rdev);
    } else {
      e.type = LayerEntryType::kFifo;
    }
    entries_.emplace(path, std::move(e));
    return ok_status();
  }

  static Result<std::string> read_link(int dir_fd, const std::string& name,
                                       const std::string& disk_path) {
    std::string target(256, '\0');
    for (;;) {
      ssize_t n = ::readlinkat(dir_fd, name.c_str(), target.data(), target.size());
      if (n < 0) return errno_status("reading the symlink " + disk_path, errno);
      if (static_cast<std::size_t>(n) < target.size()) {
        target.resize(static_cast<std::size_t>(n));
        return target;
      }
      target.resize(target.size() * 2);
    }
  }

  // The first path of an inode (in sorted order) keeps the data; later ones link to it.
  void link_hard_links() {
    for (auto& [path, e] : entries_) {
      if (e.type != LayerEntryType::kRegular) continue;
      auto it = inodes_.find({e.source_dev, e.source_ino});
      if (it == inodes_.end()) continue;
      if (it->second.empty()) {
        it->second = path;
        continue;
      }
      e.type = LayerEntryType::kHardlink;
      e.link_target = it->second;
      e.size = 0;
      e.source_path.clear();
    }
  }

  const std::string root_;
  const DirectoryLayerOptions& options_;
  std::map<std::string, LayerEntry> entries_;
  std::map<std::pair<std::uint64_t, std::uint64_t>, std::string> inodes_;  // -> first path
  std::vector<std::string> skipped_;
};

}  // namespace

Result<DirectoryPlan> plan_directory_layer(const std::string& root,
                                           const DirectoryLayerOptions& options) {
  if (!options.prefix.empty()) {
    IGNITE_RETURN_IF_ERROR(validate_layer_path(options.prefix)
                               .with_context("planning a layer from " + root + ": the prefix"));
  }
  auto plan = DirectoryWalker(root, options).walk();
  if (!plan.ok()) return plan.status().with_context("planning a layer from " + root);
  return plan;
}

}  // namespace ignite::oci
