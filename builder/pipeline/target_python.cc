#include "builder/pipeline/target_python.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>

#include "builder/oci/rootfs_unpack.h"
#include "builder/util/file_io.h"
#include "builder/util/file_lock.h"
#include "builder/util/sha256.h"
#include "builder/util/subprocess.h"
#include "builder/util/unique_fd.h"

namespace ignite::pipeline {
namespace {

namespace fs = std::filesystem;

// Bumped when the unpacked tree or the facts change meaning: older caches are then redone.
constexpr int kFactsFormat = 1;
constexpr std::chrono::seconds kVersionTimeout{60};
constexpr std::chrono::seconds kCompileTimeout{600};
constexpr int kMaxSymlinks = 40;  // as the kernel's limit when resolving one path
constexpr std::size_t kStderrInMessages = 4096;

constexpr const char* kVersionScript = "import sys;print(\"%d.%d.%d\"%sys.version_info[:3])";

// One process, one sorted walk: marshal marks objects referenced more than once, so what the
// process compiled before can change a file's bytes; a fixed order fixes them. Symlinks are
// neither compiled nor followed (only the tree's own files, and a link may point anywhere).
// Protocol on stdout: "failed <hex of the relative path's bytes>" per file (a name may hold a
// newline or bytes that are not UTF-8), "compiled <n>" last; the reasons go to stderr.
constexpr const char* kCompileScript = R"PY(
import importlib.util, os, py_compile, sys
if sys.flags.hash_randomization:
    sys.exit("hash randomization is on (PYTHONHASHSEED was not honoured): refusing to compile")
top = sys.argv[1]
mode = py_compile.PycInvalidationMode.UNCHECKED_HASH
compiled = 0
out = []
for root, dirs, files in os.walk(top):
    dirs.sort()
    for name in sorted(files):
        path = os.path.join(root, name)
        if not name.endswith(".py") or os.path.islink(path):
            continue
        rel = os.path.relpath(path, top)
        cfile = importlib.util.cache_from_source(path)
        try:
            if os.path.islink(os.path.dirname(cfile)):
                raise OSError("__pycache__ is a symlink")
            py_compile.compile(path, cfile=cfile, dfile=path, doraise=True,
                               invalidation_mode=mode)
            os.chmod(cfile, 0o644)
            compiled += 1
        except Exception as e:
            out.append("failed " + os.fsencode(rel).hex())
            sys.stderr.buffer.write((rel + ": " + str(e) + "\n").encode("utf-8", "backslashreplace"))
out.append("compiled %d" % compiled)
sys.stdout.write("\n".join(out) + "\n")
)PY";

// Nothing of the caller's environment reaches the interpreter. PYTHONHASHSEED is why this is
// not `-I`: -I (like -E) ignores every PYTHON* variable, the seed included; the flags below
// and this fixed environment give what -I gives (-s: no user site; PYTHONSAFEPATH: no script
// directory on sys.path), with a fixed seed on top. -B: the base's own modules are imported
// without trying to cache their bytecode in the (read-only) root filesystem.
std::vector<std::string> child_environment() {
  return {"PATH=/usr/bin:/bin",        "LC_ALL=C.UTF-8",   "PYTHONHASHSEED=0",
          "PYTHONDONTWRITEBYTECODE=1", "PYTHONSAFEPATH=1", "PYTHONUTF8=1"};
}

// ---------------------------------------------------------------------------------------------
// Running a program inside the root filesystem.

struct ChrootRequest {
  std::string rootfs;             // absolute
  std::string bind_tree;          // absolute; mounted at kDepsMountPoint, or "" for none
  std::vector<std::string> argv;  // argv[0]: an absolute path inside the rootfs
  std::chrono::seconds timeout;
};

// The steps the child takes before exec (the pre-exec hook's step numbers, so from 1); on a
// failure it reports which, with errno.
enum ChildStep : int {
  kStepUnshare = 1,
  kStepSetgroups,
  kStepUidMap,
  kStepGidMap,
  kStepMakePrivate,
  kStepBindRoot,
  kStepReadOnly,
  kStepBindTree,
  kStepChroot,
  kStepChdir,
};

std::string step_name(int step, bool user_ns) {
  switch (step) {
    case kStepUnshare:
      return user_ns ? "unshare(CLONE_NEWUSER|CLONE_NEWNS)" : "unshare(CLONE_NEWNS)";
    case kStepSetgroups:
      return "writing /proc/self/setgroups";
    case kStepUidMap:
      return "writing /proc/self/uid_map";
    case kStepGidMap:
      return "writing /proc/self/gid_map";
    case kStepMakePrivate:
      return "mount(/, MS_REC|MS_PRIVATE)";
    case kStepBindRoot:
      return "bind-mounting the root filesystem";
    case kStepReadOnly:
      return "remounting the root filesystem read-only";
    case kStepBindTree:
      return std::string("bind-mounting the tree on ") + std::string(kDepsMountPoint);
    case kStepChroot:
      return "chroot";
    case kStepChdir:
      return "chdir(/)";
  }
  return "setting up";
}

// The flags a read-only remount must keep: in a user namespace, the kernel refuses to drop
// nosuid, nodev or noexec of the mount the root filesystem is on.
unsigned long kept_mount_flags(const std::string& path) {
  struct statvfs sv {};
  if (::statvfs(path.c_str(), &sv) != 0) return 0;
  unsigned long flags = 0;
  if (sv.f_flag & ST_NOSUID) flags |= MS_NOSUID;
  if (sv.f_flag & ST_NODEV) flags |= MS_NODEV;
  if (sv.f_flag & ST_NOEXEC) flags |= MS_NOEXEC;
  if (sv.f_flag & ST_NOATIME) flags |= MS_NOATIME;
  if (sv.f_flag & ST_NODIRATIME) flags |= MS_NODIRATIME;
  if (sv.f_flag & ST_RELATIME) flags |= MS_RELATIME;
  return flags;
}

// What the child's pre-exec hook needs, made before fork: between fork and exec it may not
// allocate (the caller may have other threads: compile_bytecode runs once per wheel, in
// parallel, and their locks are copied into the child held).
struct RootfsEntry {
  bool user_ns;
  std::string_view uid_map;
  std::string_view gid_map;
  const char* rootfs;
  const char* bind_tree;  // nullptr for none
  const char* deps_target;
  unsigned long read_only_flags;
};

// Async-signal-safe; keeps the errno of a failed open or write.
bool write_proc(const char* path, std::string_view text) {
  const int fd = ::open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  const int err = errno;
  ::close(fd);
  errno = err;
  return ok;
}

// The pre-exec hook (subprocess.h): async-signal-safe calls only. 0, or the failed step with
// errno set.
int enter_rootfs(const void* context) {
  const auto& e = *static_cast<const RootfsEntry*>(context);
  if (::unshare(e.user_ns ? CLONE_NEWUSER | CLONE_NEWNS : CLONE_NEWNS) != 0) return kStepUnshare;
  if (e.user_ns) {
    // An unprivileged process may map only itself, and only once setgroups is denied.
    if (!write_proc("/proc/self/setgroups", "deny")) return kStepSetgroups;
    if (!write_proc("/proc/self/uid_map", e.uid_map)) return kStepUidMap;
    if (!write_proc("/proc/self/gid_map", e.gid_map)) return kStepGidMap;
  }
  // Nothing mounted from here on propagates back to the host's namespace.
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) return kStepMakePrivate;
  if (::mount(e.rootfs, e.rootfs, nullptr, MS_BIND | MS_REC, nullptr) != 0) return kStepBindRoot;
  if (::mount(nullptr, e.rootfs, nullptr, e.read_only_flags, nullptr) != 0) return kStepReadOnly;
  if (e.bind_tree != nullptr &&
      ::mount(e.bind_tree, e.deps_target, nullptr, MS_BIND | MS_REC, nullptr) != 0)
    return kStepBindTree;
  if (::chroot(e.rootfs) != 0) return kStepChroot;
  if (::chdir("/") != 0) return kStepChdir;
  ::umask(022);
  return 0;
}

// Runs argv in a private mount namespace chrooted into the rootfs, which is mounted read-only
// there (the shared cache stays as unpacked whatever runs), with the tree bind-mounted
// read-write. Not root: a user namespace maps the caller to root inside, so files written
// into the tree belong to the caller. UNAVAILABLE when the kernel refuses a step.
Result<SubprocessResult> run_in_rootfs(const ChrootRequest& req) {
  const std::string what = "running " + req.argv[0] + " in the root filesystem " + req.rootfs;
  const bool user_ns = ::geteuid() != 0;
  const std::string uid_map = "0 " + std::to_string(::geteuid()) + " 1\n";
  const std::string gid_map = "0 " + std::to_string(::getegid()) + " 1\n";
  const std::string deps_target = req.rootfs + std::string(kDepsMountPoint);
  const RootfsEntry entry{user_ns,
                          uid_map,
                          gid_map,
                          req.rootfs.c_str(),
                          req.bind_tree.empty() ? nullptr : req.bind_tree.c_str(),
                          deps_target.c_str(),
                          MS_REMOUNT | MS_BIND | MS_RDONLY | kept_mount_flags(req.rootfs)};

  SubprocessOptions options;
  options.stdout_to = SubprocessOutput::capture();
  options.stderr_to = SubprocessOutput::capture();
  options.inherit_env = false;
  options.env = child_environment();
  options.search_path = false;
  options.timeout = req.timeout;
  options.pre_exec = enter_rootfs;
  options.pre_exec_context = &entry;
  auto ran = run_subprocess(req.argv, options);
  if (!ran.ok()) {
    if (ran.status().code() == Code::kNotFound) {
      return failed_precondition(what + ": the base image has no " + req.argv[0]);
    }
    return ran.status().with_context(what);
  }
  SubprocessResult& run = *ran;

  if (run.setup_step != 0) {
    const std::string step = step_name(run.setup_step, user_ns);
    std::string m = what + ": " + step + " was refused: " + std::strerror(run.setup_errno);
    if (run.setup_step <= kStepChroot) {
      m += user_ns ? " (running the base image's interpreter needs user namespaces when not "
                     "root; kernel.unprivileged_userns_clone or a container's seccomp policy "
                     "may forbid them)"
                   : " (running the base image's interpreter needs a mount namespace and "
                     "chroot: CAP_SYS_ADMIN and CAP_SYS_CHROOT)";
    }
    return unavailable(m);
  }
  if (run.timed_out) {
    return Status(Code::kDeadlineExceeded,
                  what + ": killed after " + std::to_string(req.timeout.count()) + " s");
  }
  return std::move(run);
}

// The end of a child's stderr, for an error message.
std::string stderr_tail(const std::string& err) {
  std::string s =
      err.size() > kStderrInMessages ? "..." + err.substr(err.size() - kStderrInMessages) : err;
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s.empty() ? "(nothing on stderr)" : s;
}

// ---------------------------------------------------------------------------------------------
// The unpacked base.

std::vector<std::string> path_parts(std::string_view path) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    if (slash > start) parts.emplace_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return parts;
}

// What `path` names inside `root` as the kernel sees it from a chroot there: absolute
// symlinks start again at `root` and ".." stops at it, so nothing of the host is read. The
// result is relative to `root` and holds no symlink.
Result<std::string> resolve_in_root(const std::string& root, std::string_view path) {
  std::deque<std::string> todo;
  for (auto& p : path_parts(path)) todo.push_back(std::move(p));
  std::vector<std::string> done;
  int links = 0;
  auto joined = [&done] {
    std::string s;
    for (const auto& d : done) s += (s.empty() ? "" : "/") + d;
    return s;
  };
  while (!todo.empty()) {
    std::string part = std::move(todo.front());
    todo.pop_front();
    if (part == ".") continue;
    if (part == "..") {
      if (!done.empty()) done.pop_back();
      continue;
    }
    const std::string rel = done.empty() ? part : joined() + "/" + part;
    const std::string host = root + "/" + rel;
    struct stat st {};
    if (::lstat(host.c_str(), &st) != 0) return errno_status("/" + rel, errno);
    if (S_ISLNK(st.st_mode)) {
      if (++links > kMaxSymlinks) return invalid_argument("/" + rel + ": too many symlinks");
      std::string target(static_cast<std::size_t>(st.st_size) + 1, '\0');
      const ssize_t n = ::readlink(host.c_str(), target.data(), target.size());
      if (n < 0) return errno_status("reading the symlink /" + rel, errno);
      target.resize(static_cast<std::size_t>(n));
      std::vector<std::string> parts = path_parts(target);
      todo.insert(todo.begin(), parts.begin(), parts.end());
      if (target.starts_with('/')) done.clear();
      continue;
    }
    if (!todo.empty() && !S_ISDIR(st.st_mode)) return not_found("/" + rel + ": not a directory");
    done.push_back(std::move(part));
  }
  return joined();
}

Result<std::string> interpreter_digest(const std::string& rootfs) {
  auto resolved = resolve_in_root(rootfs, kTargetInterpreter);
  if (!resolved.ok()) {
    if (resolved.status().code() == Code::kNotFound) {
      return failed_precondition("the base image has no " + std::string(kTargetInterpreter) + " (" +
                                 resolved.status().message() + ")");
    }
    return resolved.status().with_context("resolving " + std::string(kTargetInterpreter));
  }
  const std::string path = rootfs + "/" + *resolved;
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (fd.get() < 0) return errno_status("opening /" + *resolved, errno);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return errno_status("/" + *resolved, errno);
  if (!S_ISREG(st.st_mode)) {
    return failed_precondition("the base image's " + std::string(kTargetInterpreter) +
                               " is not a regular file (/" + *resolved + ")");
  }
  Sha256 sha;
  std::vector<char> buf(1 << 20);
  for (;;) {
    const ssize_t n = ::read(fd.get(), buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno_status("reading /" + *resolved, errno);
    if (n == 0) break;
    sha.update(buf.data(), static_cast<std::size_t>(n));
  }
  return Digest::from_bytes(sha.finish()).to_string();
}

// The bind mount's target: real directories all the way (a symlink there would send the
// mount elsewhere), made here when the base has none.
Status make_mount_point(const std::string& rootfs) {
  UniqueFd cur(::open(rootfs.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (cur.get() < 0) return errno_status("opening " + rootfs, errno);
  std::string walked;
  for (const std::string& part : path_parts(kDepsMountPoint)) {
    walked += "/" + part;
    if (::mkdirat(cur.get(), part.c_str(), 0755) != 0 && errno != EEXIST)
      return errno_status("creating " + walked, errno);
    UniqueFd next(
        ::openat(cur.get(), part.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (next.get() < 0) {
      return failed_precondition("the base image's " + walked +
                                 " is not a directory, so nothing can be mounted at " +
                                 std::string(kDepsMountPoint));
    }
    cur = std::move(next);
  }
  if (::fchmod(cur.get(), 0755) != 0) return errno_status("chmod " + walked, errno);
  return ok_status();
}

struct Facts {
  std::string interpreter_digest;
  std::string version;
};

std::optional<Facts> read_facts(const std::string& facts_path, const std::string& rootfs) {
  auto bytes = read_file(facts_path);
  if (!bytes.ok()) return std::nullopt;
  const auto j = nlohmann::json::parse(*bytes, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || j.value("format", 0) != kFactsFormat) return std::nullopt;
  const auto digest = j.find("interpreter_digest");
  const auto version = j.find("version");
  if (digest == j.end() || !digest->is_string() || version == j.end() || !version->is_string())
    return std::nullopt;
  std::error_code ec;
  if (!fs::is_directory(rootfs, ec)) return std::nullopt;
  return Facts{digest->get<std::string>(), version->get<std::string>()};
}

Status write_facts(const std::string& facts_path, const Facts& facts, const Digest& manifest) {
  nlohmann::json j = {{"format", kFactsFormat},
                      {"manifest", manifest.to_string()},
                      {"interpreter", std::string(kTargetInterpreter)},
                      {"interpreter_digest", facts.interpreter_digest},
                      {"version", facts.version}};
  return write_file_atomic(facts_path, j.dump() + "\n");
}

// "3.11.2": three numbers and two dots.
bool is_version(const std::string& v) {
  int numbers = 0;
  bool in_number = false;
  for (char c : v) {
    if (c >= '0' && c <= '9') {
      if (!in_number) ++numbers;
      in_number = true;
    } else if (c == '.' && in_number) {
      in_number = false;
    } else {
      return false;
    }
  }
  return in_number && numbers == 3;
}

// The layout holding every layer of the base: the store's, or the layout the base was read
// from. A base from a registry has only its manifest and config in the store.
Result<oci::OciLayout> layout_with_layers(FunctionStore& store, const oci::BaseImage& base) {
  auto has_all = [&](const oci::OciLayout& layout) -> std::optional<oci::Descriptor> {
    for (const oci::Descriptor& l : base.image().manifest.layers) {
      if (!layout.has_blob(l.digest)) return l;
    }
    return std::nullopt;
  };
  std::optional<oci::Descriptor> missing = has_all(store.layout());
  if (!missing) return store.layout();
  if (!base.layout_dir().empty() && base.layout_dir() != store.layout().dir()) {
    auto other = oci::OciLayout::open(base.layout_dir(), oci::CreateLayout::kNo);
    if (other.ok() && !has_all(*other)) return *other;
  }
  return failed_precondition(
      "the base image's layers are not in the store (layer " + missing->digest.to_string() +
      " is missing: a base from a registry keeps its layers there), and compiling bytecode "
      "with the base's interpreter needs them unpacked");
}

Result<Facts> probe(const std::string& rootfs) {
  IGNITE_ASSIGN_OR_RETURN(std::string digest, interpreter_digest(rootfs));
  ChrootRequest req{
      rootfs, "", {std::string(kTargetInterpreter), "-I", "-c", kVersionScript}, kVersionTimeout};
  IGNITE_ASSIGN_OR_RETURN(SubprocessResult run, run_in_rootfs(req));
  std::string version = run.out;
  while (!version.empty() && (version.back() == '\n' || version.back() == '\r')) version.pop_back();
  if (run.exit_code != 0 || !is_version(version)) {
    return internal_error("asking the base image's " + std::string(kTargetInterpreter) +
                          " for its version: " + run.exit_text() + ", stdout \"" + version +
                          "\": " + stderr_tail(run.err));
  }
  return Facts{std::move(digest), std::move(version)};
}

Result<TargetPython> make_target_python(FunctionStore& store, const oci::BaseImage& base,
                                        const std::string& cache, const std::string& rootfs,
                                        const std::string& facts_path) {
  const Digest& manifest = base.image().manifest_descriptor.digest;
  IGNITE_ASSIGN_OR_RETURN(oci::OciLayout layout, layout_with_layers(store, base));

  // What a process that died here left: a tree without facts, temporary trees.
  remove_tree(rootfs);
  ::unlink(facts_path.c_str());
  const std::string tmp_prefix = ".tmp-" + manifest.hex() + "-";
  std::error_code ec;
  for (auto it = fs::directory_iterator(cache, ec); !ec && it != fs::directory_iterator();
       it.increment(ec)) {
    if (it->path().filename().string().starts_with(tmp_prefix)) remove_tree(it->path().string());
  }

  std::string work = cache + "/" + tmp_prefix + "XXXXXX";
  if (::mkdtemp(work.data()) == nullptr)
    return errno_status("creating a directory in " + cache, errno);
  struct Cleanup {
    std::string dir;
    ~Cleanup() { remove_tree(dir); }
  } cleanup{work};
  const std::string tree = work + "/rootfs";
  IGNITE_RETURN_IF_ERROR(oci::unpack_rootfs(layout, base.image(), tree));
  IGNITE_RETURN_IF_ERROR(make_mount_point(tree));
  IGNITE_ASSIGN_OR_RETURN(Facts facts, probe(tree));
  if (::rename(tree.c_str(), rootfs.c_str()) != 0) {
    return errno_status("renaming " + tree + " to " + rootfs, errno);
  }
  // Last: facts present mean the tree is whole.
  IGNITE_RETURN_IF_ERROR(write_facts(facts_path, facts, manifest));
  return TargetPython{rootfs, std::move(facts.interpreter_digest), std::move(facts.version)};
}

std::string hex_decode(std::string_view hex) {
  std::string out;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    const int hi = nibble(hex[i]), lo = nibble(hex[i + 1]);
    if (hi < 0 || lo < 0) return "";
    out += static_cast<char>(hi * 16 + lo);
  }
  return out;
}

}  // namespace

Result<TargetPython> open_target_python(FunctionStore& store, const oci::BaseImage& base) {
  if (base.is_scratch()) {
    return failed_precondition("compiling bytecode needs the base image's " +
                               std::string(kTargetInterpreter) +
                               ", and the base is empty (scratch)");
  }
  const Digest& manifest = base.image().manifest_descriptor.digest;
  const std::string context = "opening the interpreter of base image " + manifest.to_string();
  std::error_code ec;
  const std::string cache =
      fs::absolute(store.dir(), ec).lexically_normal().string() + "/cache/rootfs";
  const std::string rootfs = cache + "/" + manifest.hex();
  const std::string facts_path = rootfs + ".json";
  if (auto facts = read_facts(facts_path, rootfs)) {
    return TargetPython{rootfs, std::move(facts->interpreter_digest), std::move(facts->version)};
  }

  fs::create_directories(cache, ec);
  if (ec) return errno_status(context + ": creating " + cache, ec.value());
  // One process unpacks; the others wait here and then find its facts.
  auto lock = FileLock::acquire(cache + "/" + manifest.hex() + ".lock");
  if (!lock.ok()) return lock.status().with_context(context);
  if (auto facts = read_facts(facts_path, rootfs)) {
    return TargetPython{rootfs, std::move(facts->interpreter_digest), std::move(facts->version)};
  }
  auto made = make_target_python(store, base, cache, rootfs, facts_path);
  if (!made.ok()) return made.status().with_context(context);
  return made;
}

Result<CompileResult> compile_bytecode(const TargetPython& python, const std::string& tree_dir) {
  std::error_code ec;
  const std::string tree = fs::absolute(tree_dir, ec).lexically_normal().string();
  const std::string context =
      "compiling bytecode in " + tree + " with the base image's python " + python.version;
  struct stat st {};
  if (::stat(tree.c_str(), &st) != 0) return errno_status(context, errno);
  if (!S_ISDIR(st.st_mode)) return invalid_argument(context + ": not a directory");

  ChrootRequest req{python.rootfs,
                    tree,
                    {std::string(kTargetInterpreter), "-s", "-B", "-c", kCompileScript,
                     std::string(kDepsMountPoint)},
                    kCompileTimeout};
  auto ran = run_in_rootfs(req);
  if (!ran.ok()) return ran.status().with_context(context);
  if (ran->exit_code != 0) {
    return internal_error(context + ": " + ran->exit_text() + ": " + stderr_tail(ran->err));
  }
  CompileResult result;
  bool finished = false;
  std::size_t start = 0;
  const std::string& out = ran->out;
  while (start < out.size()) {
    std::size_t end = out.find('\n', start);
    if (end == std::string::npos) end = out.size();
    const std::string_view line(out.data() + start, end - start);
    if (line.starts_with("failed ")) {
      result.failed.push_back(hex_decode(line.substr(7)));
    } else if (line.starts_with("compiled ")) {
      result.compiled = std::strtoull(std::string(line.substr(9)).c_str(), nullptr, 10);
      finished = true;
    }
    start = end + 1;
  }
  if (!finished) {
    return internal_error(context +
                          ": the interpreter did not report its work: " + stderr_tail(ran->err));
  }
  return result;
}

}  // namespace ignite::pipeline
