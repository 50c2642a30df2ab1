#include "builder/pipeline/python_base.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <vector>

#include "builder/util/subprocess.h"

namespace ignite::pipeline {
namespace {

namespace fs = std::filesystem;

// An exclusive flock held for the object's life.
class FileLock {
 public:
  static Result<FileLock> acquire(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return errno_status("opening lock " + path, errno);
    while (::flock(fd, LOCK_EX) != 0) {
      if (errno != EINTR) {
        int err = errno;
        ::close(fd);
        return errno_status("locking " + path, err);
      }
    }
    return FileLock(fd);
  }
  FileLock(FileLock&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  FileLock& operator=(FileLock&&) = delete;
  ~FileLock() {
    if (fd_ >= 0) ::close(fd_);
  }

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  int fd_;
};

// debootstrap mounts /proc and /sys inside the root it builds; a failed run can leave them.
// Detach any mount below `dir` before deleting it, so removal never reaches the host's /proc.
void unmount_below(const std::string& dir) {
  std::ifstream mounts("/proc/self/mounts");
  std::vector<std::string> points;
  std::string dev, point, rest;
  while (mounts >> dev >> point && std::getline(mounts, rest)) {
    if (point.starts_with(dir + "/")) points.push_back(point);
  }
  for (auto it = points.rbegin(); it != points.rend(); ++it) ::umount2(it->c_str(), MNT_DETACH);
}

void remove_work_dir(const std::string& dir) {
  unmount_below(dir);
  std::error_code ec;
  fs::remove_all(dir, ec);
}

// What debootstrap leaves that an image does not need: package caches, lists and logs.
void trim_rootfs(const std::string& rootfs) {
  std::error_code ec;
  for (const char* dir : {"var/cache/apt/archives", "var/lib/apt/lists", "var/log", "var/cache/debconf",
                          "tmp"}) {
    fs::path p = fs::path(rootfs) / dir;
    for (auto it = fs::directory_iterator(p, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
      if (it->is_directory(ec) && !it->is_symlink(ec)) {
        // Keep the directory structure apt and dpkg expect (e.g. archives/partial).
        for (auto sub = fs::recursive_directory_iterator(it->path(), ec);
             !ec && sub != fs::recursive_directory_iterator(); sub.increment(ec)) {
          if (!sub->is_directory(ec)) fs::remove(sub->path(), ec);
        }
      } else {
        fs::remove(it->path(), ec);
      }
    }
  }
}

Result<oci::Descriptor> make_python_base(FunctionStore& store, Progress& progress) {
  if (::geteuid() != 0) {
    return failed_precondition(
        "making the default Python base image needs root (debootstrap); run this once as root, "
        "or pass --base DIR:REF with an OCI layout image that has /usr/bin/python3");
  }
  if (!program_in_path("debootstrap")) {
    return failed_precondition("making the default Python base image: debootstrap is not installed "
                               "(apt-get install debootstrap), or pass --base DIR:REF");
  }
  std::error_code ec;
  fs::create_directories(store.tmp_dir(), ec);
  if (ec) return errno_status("creating " + store.tmp_dir(), ec.value());
  std::string work = store.tmp_dir() + "/base-XXXXXX";
  if (::mkdtemp(work.data()) == nullptr) return errno_status("creating a work directory in " + store.tmp_dir(), errno);
  struct Cleanup {
    std::string dir;
    ~Cleanup() { remove_work_dir(dir); }
  } cleanup{work};

  const char* mirror_env = std::getenv("IGNITE_DEBIAN_MIRROR");
  const std::string mirror = mirror_env && *mirror_env ? mirror_env : kDefaultDebianMirror;
  const std::string rootfs = work + "/rootfs";
  const std::string log = store.tmp_dir() + "/debootstrap.log";
  ::unlink(log.c_str());
  progress.stage("base", "debootstrap bookworm + python3 from " + mirror + " (about a minute; log: " + log + ")");
  IGNITE_ASSIGN_OR_RETURN(
      SubprocessResult run,
      run_subprocess({"debootstrap", "--variant=minbase", "--include=python3", "bookworm", rootfs, mirror},
                     {log, log, {}}));
  if (run.exit_code != 0) {
    return unavailable("making the default Python base image: debootstrap failed (exit " +
                       std::to_string(run.exit_code) + "); see " + log);
  }
  unmount_below(work);
  trim_rootfs(rootfs);

  progress.stage("base", std::string("writing image ") + kPythonBaseRef);
  oci::BaseImageOptions options;
  options.created_by = "debootstrap --variant=minbase --include=python3 bookworm " + mirror;
  options.settings.env = {{"PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"},
                          {"LANG", "C.UTF-8"}};
  // The base is made once and pinned by its digest; its own timestamps are the zero epoch.
  oci::LayerOptions layer_options{oci::Epoch::zero()};
  IGNITE_ASSIGN_OR_RETURN(oci::WrittenBaseImage written,
                          oci::write_base_image(store.layout(), rootfs, options, layer_options,
                                                kPythonBaseRef, oci::ExistingRef::kReplace));
  if (!written.skipped.empty()) {
    progress.note("left out of the base layer: " + std::to_string(written.skipped.size()) +
                  " device files (the runtime provides /dev)");
  }
  ::unlink(log.c_str());
  return written.manifest;
}

}  // namespace

Result<oci::Descriptor> ensure_python_base(FunctionStore& store, RebuildBase rebuild,
                                           Progress& progress) {
  if (rebuild == RebuildBase::kIfMissing) {
    if (auto found = store.layout().resolve(kPythonBaseRef); found.ok()) return found;
  }
  IGNITE_ASSIGN_OR_RETURN(FileLock lock, FileLock::acquire(store.dir() + "/base.lock"));
  // Another process may have made it while this one waited for the lock.
  if (rebuild == RebuildBase::kIfMissing) {
    if (auto found = store.layout().resolve(kPythonBaseRef); found.ok()) return found;
  }
  return make_python_base(store, progress);
}

}  // namespace ignite::pipeline
