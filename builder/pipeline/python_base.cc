#include "builder/pipeline/python_base.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <vector>

#include "builder/util/file_io.h"
#include "builder/util/file_lock.h"
#include "builder/util/subprocess.h"

namespace ignite::pipeline {
namespace {

namespace fs = std::filesystem;

// Bounds on the two programs this runs, so that a stalled mirror or a hung child fails the
// build instead of hanging it. Generous: debootstrap takes a minute or two on a fair link, the
// standard library's bytecode well under one.
constexpr std::chrono::minutes kDebootstrapTimeout{30};
constexpr std::chrono::minutes kCompileStdlibTimeout{10};

// debootstrap mounts /proc and /sys inside the root it builds; a failed run can leave them.
// Detach any mount below `dir` before deleting it, so removal never reaches the host's /proc.
// /proc/self/mounts writes a space, tab, newline and backslash in a path as \040, \011, ...
std::string decode_mount_path(const std::string& field) {
  std::string out;
  for (std::size_t i = 0; i < field.size(); ++i) {
    if (field[i] == '\\' && i + 3 < field.size()) {
      const std::string oct = field.substr(i + 1, 3);
      if (oct.find_first_not_of("01234567") == std::string::npos) {
        out += static_cast<char>(std::stoi(oct, nullptr, 8));
        i += 3;
        continue;
      }
    }
    out += field[i];
  }
  return out;
}

// The mount points below `dir` (compared by real, absolute path), deepest first.
std::vector<std::string> mounts_below(const std::string& dir) {
  std::error_code ec;
  const std::string real = fs::weakly_canonical(fs::absolute(dir, ec), ec).string();
  std::ifstream mounts("/proc/self/mounts");
  std::vector<std::string> points;
  std::string dev, point, rest;
  while (mounts >> dev >> point && std::getline(mounts, rest)) {
    std::string p = decode_mount_path(point);
    if (p.starts_with(real + "/")) points.push_back(p);
  }
  std::sort(points.begin(), points.end(), std::greater<>());
  return points;
}

void unmount_below(const std::string& dir) {
  for (const auto& p : mounts_below(dir)) ::umount2(p.c_str(), MNT_DETACH);
}

// Never deletes through a mount that is still attached (debootstrap may bind the host's /dev
// into its root): such a work directory is left in place, and said so.
void remove_work_dir(const std::string& dir) {
  unmount_below(dir);
  if (!mounts_below(dir).empty()) {
    std::fprintf(stderr, "ignite-builder: left %s in place: something is still mounted below it\n",
                 dir.c_str());
    return;
  }
  std::error_code ec;
  fs::remove_all(dir, ec);
}

// What debootstrap leaves that an image does not need: package caches, lists and logs. And
// what differs between two bases made from the same packages: ldconfig's aux-cache records the
// inode and ctime of every library it read (ldconfig works without it; the dynamic linker
// never reads it). Two bases made minutes apart differed in that file alone (tested by
// PythonBaseTest.TwoBasesHaveOneDigest).
void trim_rootfs(const std::string& rootfs) {
  std::error_code ec;
  fs::remove(fs::path(rootfs) / "var/cache/ldconfig/aux-cache", ec);
  for (const char* dir :
       {"var/cache/apt/archives", "var/lib/apt/lists", "var/log", "var/cache/debconf", "tmp"}) {
    fs::path p = fs::path(rootfs) / dir;
    for (auto it = fs::directory_iterator(p, ec); !ec && it != fs::directory_iterator();
         it.increment(ec)) {
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

// Debian's .pyc files check the source's mtime, and the base layer sets every mtime to the
// epoch: left as they are, every one is stale, and each process recompiles (in memory, since
// the image is not writable) every standard module it imports, at every cold start. Compiled
// again with the base's own python3 in unchecked-hash mode they hold whatever mtime the layer
// gives. One process walking the tree in sorted order, PYTHONHASHSEED=0, and a clean
// environment keep the bytes the same on every machine.
Status rehash_stdlib_bytecode(const std::string& rootfs, const std::string& log) {
  SubprocessOptions options;
  options.stdout_to = SubprocessOutput::append_to(log);
  options.stderr_to = SubprocessOutput::append_to(log);
  options.inherit_env = false;
  options.env = {"PYTHONHASHSEED=0", "LC_ALL=C.UTF-8", "PATH=/usr/bin:/bin"};
  options.search_path = false;
  options.timeout = kCompileStdlibTimeout;
  auto ran = run_subprocess(
      {"/usr/sbin/chroot", rootfs, "/usr/bin/python3", "-s", "-m", "compileall", "-q", "-f", "-j",
       "1", "--invalidation-mode", "unchecked-hash", "/usr/lib/python3.11", "/usr/lib/python3"},
      options);
  if (!ran.ok()) {
    return ran.status().with_context(
        "making the default Python base image: compiling the standard library's bytecode");
  }
  if (ran->timed_out) {
    return unavailable(
        "making the default Python base image: compiling the standard library's "
        "bytecode with its python3 did not finish within " +
        std::to_string(kCompileStdlibTimeout.count()) + " minutes (killed); see " + log);
  }
  // compileall exits 1 when some file does not compile (lib2to3's Python 2 test data); those
  // keep no .pyc, as with Debian's own py3compile.
  if (ran->exit_code != 0 && ran->exit_code != 1) {
    return unavailable(
        "making the default Python base image: compiling the standard library's "
        "bytecode with its python3 failed (" +
        ran->exit_text() + "); see " + log);
  }
  return ok_status();
}

// "name=version" of every installed package, sorted, one per line, read from the rootfs's
// dpkg database (its status file, read as text: no program of the rootfs runs).
Result<std::string> installed_packages(const std::string& rootfs) {
  IGNITE_ASSIGN_OR_RETURN(std::string status, read_file(rootfs + "/var/lib/dpkg/status"));
  std::vector<std::string> out;
  std::string name, version;
  bool installed = false;
  auto flush = [&] {
    if (!name.empty() && installed) out.push_back(name + "=" + version);
    name.clear();
    version.clear();
    installed = false;
  };
  std::size_t at = 0;
  while (at <= status.size()) {
    std::size_t end = status.find('\n', at);
    if (end == std::string::npos) end = status.size();
    const std::string_view line(status.data() + at, end - at);
    if (line.empty()) flush();
    if (line.starts_with("Package: ")) name = line.substr(9);
    if (line.starts_with("Version: ")) version = line.substr(9);
    if (line.starts_with("Status: ")) installed = line.ends_with(" installed");
    at = end + 1;
  }
  flush();
  if (out.empty()) {
    return failed_precondition("making the default Python base image: no installed package in " +
                               rootfs + "/var/lib/dpkg/status");
  }
  std::sort(out.begin(), out.end());
  std::string text;
  for (const std::string& p : out) text += p + "\n";
  return text;
}

Result<oci::Descriptor> make_python_base(FunctionStore& store, Progress& progress) {
  if (::geteuid() != 0) {
    return failed_precondition(
        "making the default Python base image needs root (debootstrap); run this once as root, "
        "or pass --base DIR:REF with an OCI layout image that has /usr/bin/python3");
  }
  if (!program_in_path("debootstrap")) {
    return failed_precondition(
        "making the default Python base image: debootstrap is not installed "
        "(apt-get install debootstrap), or pass --base DIR:REF");
  }
  std::error_code ec;
  fs::create_directories(store.tmp_dir(), ec);
  if (ec) return errno_status("creating " + store.tmp_dir(), ec.value());
  std::string work = store.tmp_dir() + "/base-XXXXXX";
  if (::mkdtemp(work.data()) == nullptr)
    return errno_status("creating a work directory in " + store.tmp_dir(), errno);
  struct Cleanup {
    std::string dir;
    ~Cleanup() { remove_work_dir(dir); }
  } cleanup{work};

  const char* mirror_env = std::getenv("IGNITE_DEBIAN_MIRROR");
  const std::string mirror = mirror_env && *mirror_env ? mirror_env : kDefaultDebianMirror;
  const std::string rootfs = work + "/rootfs";
  const std::string log = store.tmp_dir() + "/debootstrap.log";
  ::unlink(log.c_str());
  progress.stage("base", "debootstrap bookworm + python3 from " + mirror +
                             " (about a minute; log: " + log + ")");
  SubprocessOptions debootstrap;
  debootstrap.stdout_to = SubprocessOutput::append_to(log);
  debootstrap.stderr_to = SubprocessOutput::append_to(log);
  debootstrap.timeout = kDebootstrapTimeout;
  auto ran = run_subprocess(
      {"debootstrap", "--variant=minbase", "--include=python3", "bookworm", rootfs, mirror},
      debootstrap);
  if (!ran.ok()) return ran.status().with_context("making the default Python base image");
  if (ran->timed_out) {
    return unavailable("making the default Python base image: debootstrap did not finish within " +
                       std::to_string(kDebootstrapTimeout.count()) + " minutes (killed); see " +
                       log);
  }
  if (ran->exit_code != 0) {
    return unavailable("making the default Python base image: debootstrap failed (" +
                       ran->exit_text() + "); see " + log);
  }
  unmount_below(work);
  trim_rootfs(rootfs);
  IGNITE_RETURN_IF_ERROR(rehash_stdlib_bytecode(rootfs, log));

  IGNITE_ASSIGN_OR_RETURN(std::string packages, installed_packages(rootfs));

  progress.stage("base", std::string("writing image ") + kPythonBaseRef);
  oci::BaseImageOptions options;
  options.created_by = "debootstrap --variant=minbase --include=python3 bookworm " + mirror;
  options.settings.env = {{"PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"},
                          {"LANG", "C.UTF-8"}};
  // The base is a function of these package versions (docs/base-image.md); the list goes with
  // it, on its manifest (function images do not inherit manifest annotations).
  options.settings.annotations[kBasePackagesAnnotation] = packages;
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
