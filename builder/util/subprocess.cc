#include "builder/util/subprocess.h"

#include <fcntl.h>
#include <linux/close_range.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string_view>
#include <thread>

#include "builder/util/unique_fd.h"

extern char** environ;

namespace ignite {
namespace {

using Clock = std::chrono::steady_clock;

// What the child writes on the report pipe when it fails before exec; the pipe is close-on-
// exec, so end of file without a report means exec succeeded.
enum class ChildStage : int { kStdio = 1, kHook = 2, kExec = 3 };
struct ChildReport {
  int stage;
  int step;
  int err;
};

// Everything the child uses, made before fork().
struct ChildPlan {
  std::vector<char*> argv;         // null-terminated
  std::vector<char*> envp;         // null-terminated
  std::vector<std::string> paths;  // what to execve, in order (PATH's candidates)
  bool shell_fallback = false;     // a candidate without "#!" is run by /bin/sh (execvp's)
  std::vector<char*> shell_argv;   // "/bin/sh", <candidate>, argv[1..], null
  int stdio[3] = {-1, -1, -1};     // all >= 3
  int report = -1;
  PreExecHook hook = nullptr;
  const void* hook_context = nullptr;
};

// ---------------------------------------------------------------------------------------------
// The child, between fork() and exec: async-signal-safe calls only.

[[noreturn]] void child_fail(int fd, ChildStage stage, int step, int err) {
  const ChildReport r{static_cast<int>(stage), step, err};
  // 12 bytes into an empty pipe: written whole, at once (below PIPE_BUF).
  while (::write(fd, &r, sizeof r) < 0 && errno == EINTR) {
  }
  ::_exit(127);
}

// execvp's rule for going on to the next PATH entry: the file is not there (or not
// executable there: EACCES is reported only when no later entry runs).
bool try_next_candidate(int err) {
  switch (err) {
    case ENOENT:
    case ENOTDIR:
    case ESTALE:
    case ENODEV:
    case ETIMEDOUT:
    case EACCES:
      return true;
    default:
      return false;
  }
}

[[noreturn]] void child_main(ChildPlan& plan) {
  // An ignored SIGPIPE would stay ignored across exec; the program expects the default.
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  ::sigemptyset(&dfl.sa_mask);
  ::sigaction(SIGPIPE, &dfl, nullptr);

  for (int i = 0; i < 3; ++i) {
    // dup2 clears close-on-exec on the copy; the sources (>= 3) close at exec.
    int r;
    do {
      r = ::dup2(plan.stdio[i], i);
    } while (r < 0 && (errno == EINTR || errno == EBUSY));
    if (r < 0) child_fail(plan.report, ChildStage::kStdio, i, errno);
  }

  // Descriptors that someone opened without O_CLOEXEC (a library, another thread) must not
  // reach the program either; the hook may still use them. Kernels before 5.11 refuse the
  // flag: then close-on-exec is as each descriptor was opened.
  ::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);

  if (plan.hook != nullptr) {
    errno = 0;
    const int step = plan.hook(plan.hook_context);
    if (step != 0) child_fail(plan.report, ChildStage::kHook, step, errno);
  }

  // Last, so that no signal the forking thread blocked reaches one of its handlers (still
  // installed until exec) in this copy of the process.
  sigset_t none;
  ::sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);

  bool eacces = false;
  int err = ENOENT;
  for (const std::string& path : plan.paths) {
    ::execve(path.c_str(), plan.argv.data(), plan.envp.data());
    err = errno;
    if (err == ENOEXEC && plan.shell_fallback) {
      plan.shell_argv[1] = const_cast<char*>(path.c_str());
      ::execve("/bin/sh", plan.shell_argv.data(), plan.envp.data());
      err = errno;
      break;
    }
    if (!try_next_candidate(err)) break;
    if (err == EACCES) eacces = true;
  }
  if (eacces && try_next_candidate(err)) err = EACCES;
  child_fail(plan.report, ChildStage::kExec, 0, err);
}

// ---------------------------------------------------------------------------------------------
// The parent.

// The directories of PATH joined with `name`, or `name` itself when it holds a '/'. An empty
// entry is the current directory (POSIX's rule, as execvp).
std::vector<std::string> path_candidates(const std::string& name) {
  if (name.find('/') != std::string::npos) return {name};
  const char* env_path = std::getenv("PATH");
  const std::string path = env_path != nullptr ? env_path : "/usr/local/bin:/usr/bin:/bin";
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t colon = path.find(':', start);
    if (colon == std::string::npos) colon = path.size();
    const std::string dir = path.substr(start, colon - start);
    out.push_back((dir.empty() ? "." : dir) + "/" + name);
    start = colon + 1;
  }
  return out;
}

// A copy of `fd` numbered 3 or more, close-on-exec. The child moves its three descriptors onto
// 0, 1 and 2 in turn, and a source that were one of those could be overwritten before it is
// moved (open() returns 0, 1 or 2 when this process runs with a standard stream closed).
Result<UniqueFd> above_stdio(UniqueFd fd, const std::string& what) {
  if (fd.get() < 0) return errno_status(what, errno);
  if (fd.get() > 2) return fd;
  UniqueFd moved(::fcntl(fd.get(), F_DUPFD_CLOEXEC, 3));
  if (moved.get() < 0) return errno_status(what, errno);
  return moved;
}

Status set_nonblocking(int fd, const std::string& what) {
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) return errno_status(what, errno);
  return ok_status();
}

struct Pipe {
  UniqueFd read;
  UniqueFd write;
};

Result<Pipe> make_pipe(const std::string& what) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return errno_status(what + ": pipe", errno);
  UniqueFd r(fds[0]), w(fds[1]);
  Pipe p;
  IGNITE_ASSIGN_OR_RETURN(p.read, above_stdio(std::move(r), what + ": pipe"));
  IGNITE_ASSIGN_OR_RETURN(p.write, above_stdio(std::move(w), what + ": pipe"));
  return p;
}

// The child's end of one output stream, and the parent's (for kCapture).
struct OutputEnds {
  UniqueFd child;
  UniqueFd parent;
};

Result<OutputEnds> open_output(const SubprocessOutput& to, const std::string& what) {
  OutputEnds ends;
  switch (to.kind) {
    case SubprocessOutput::Kind::kDiscard: {
      IGNITE_ASSIGN_OR_RETURN(ends.child,
                              above_stdio(UniqueFd(::open("/dev/null", O_WRONLY | O_CLOEXEC)),
                                          what + ": opening /dev/null"));
      return ends;
    }
    case SubprocessOutput::Kind::kAppend: {
      IGNITE_ASSIGN_OR_RETURN(
          ends.child, above_stdio(UniqueFd(::open(to.path.c_str(),
                                                  O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644)),
                                  what + ": opening " + to.path));
      return ends;
    }
    case SubprocessOutput::Kind::kCapture: {
      IGNITE_ASSIGN_OR_RETURN(Pipe p, make_pipe(what));
      IGNITE_RETURN_IF_ERROR(set_nonblocking(p.read.get(), what + ": pipe"));
      ends.child = std::move(p.write);
      ends.parent = std::move(p.read);
      return ends;
    }
  }
  return internal_error(what + ": unknown output kind");
}

// The environment as "NAME=value" strings: this process's (read now, before fork) with the
// extra entries replacing those of the same name, or exactly the given ones.
std::vector<std::string> child_environment(const SubprocessOptions& options) {
  if (!options.inherit_env) return options.env;
  auto name_of = [](std::string_view entry) { return entry.substr(0, entry.find('=')); };
  std::vector<std::string> out;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    const std::string_view entry(*e);
    const bool replaced =
        std::any_of(options.env.begin(), options.env.end(),
                    [&](const std::string& x) { return name_of(x) == name_of(entry); });
    if (!replaced) out.emplace_back(entry);
  }
  out.insert(out.end(), options.env.begin(), options.env.end());
  return out;
}

// Writes to the child's stdin without dying of SIGPIPE when the child has closed it: the
// signal is blocked in this thread for the write, and the one the write raised is consumed
// (unless one was already pending, which is then left for its owner).
ssize_t write_without_sigpipe(int fd, const char* data, std::size_t size) {
  sigset_t pipe_set, old_set, pending;
  ::sigemptyset(&pipe_set);
  ::sigaddset(&pipe_set, SIGPIPE);
  ::pthread_sigmask(SIG_BLOCK, &pipe_set, &old_set);
  ::sigemptyset(&pending);
  ::sigpending(&pending);
  const bool was_pending = ::sigismember(&pending, SIGPIPE) == 1;
  ssize_t n;
  do {
    n = ::write(fd, data, size);
  } while (n < 0 && errno == EINTR);
  const int err = errno;
  if (n < 0 && err == EPIPE && !was_pending) {
    const timespec zero{0, 0};
    while (::sigtimedwait(&pipe_set, nullptr, &zero) < 0 && errno == EINTR) {
    }
  }
  ::pthread_sigmask(SIG_SETMASK, &old_set, nullptr);
  errno = err;
  return n;
}

// The started child: killed and waited for when the run ends early, so none is left behind.
class Child {
 public:
  explicit Child(pid_t pid) : pid_(pid) {}
  ~Child() {
    if (!reaped_) {
      kill();
      wait_blocking();
    }
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  void kill() {
    if (!reaped_) ::kill(pid_, SIGKILL);
  }
  int status() const { return status_; }

  // True once the child has exited (and was reaped).
  bool try_wait() {
    if (reaped_) return true;
    int s = 0;
    pid_t r;
    do {
      r = ::waitpid(pid_, &s, WNOHANG);
    } while (r < 0 && errno == EINTR);
    if (r == pid_) finish(s, false);
    if (r < 0) finish(0, true);  // ECHILD: reaped elsewhere; nothing to wait for
    return reaped_;
  }

  void wait_blocking() {
    if (reaped_) return;
    int s = 0;
    pid_t r;
    do {
      r = ::waitpid(pid_, &s, 0);
    } while (r < 0 && errno == EINTR);
    finish(s, r != pid_);
  }

  // True when the exit status went elsewhere: waitpid() found no such child.
  bool lost() const { return lost_; }

 private:
  void finish(int s, bool lost) {
    status_ = s;
    lost_ = lost;
    reaped_ = true;
  }

  pid_t pid_;
  bool reaped_ = false;
  bool lost_ = false;
  int status_ = 0;
};

// One captured stream being read.
struct Capture {
  UniqueFd fd;
  const SubprocessOutput* to;
  std::string* into;
  bool* truncated;
};

enum class ReadOutcome { kMore, kEnd, kOverLimit };

// One read of what is there (the descriptor is non-blocking): one only, so that a child
// writing faster than this reads still lets the loop see the deadline and the other pipes.
Result<ReadOutcome> read_capture(Capture& c, const std::string& what) {
  char buf[1 << 16];
  ssize_t n;
  do {
    n = ::read(c.fd.get(), buf, sizeof buf);
  } while (n < 0 && errno == EINTR);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return ReadOutcome::kMore;
  if (n < 0) return errno_status(what + ": reading its output", errno);
  if (n == 0) return ReadOutcome::kEnd;
  const std::size_t got = static_cast<std::size_t>(n);
  const std::size_t room = c.to->limit - std::min(c.to->limit, c.into->size());
  c.into->append(buf, std::min(room, got));
  if (got > room) {
    *c.truncated = true;
    if (c.to->kill_beyond_limit) return ReadOutcome::kOverLimit;
  }
  return ReadOutcome::kMore;
}

int millis_until(Clock::time_point deadline) {
  const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return static_cast<int>(std::clamp<long long>(left, 0, 1 << 30));
}

Status exec_failure(const std::string& program, bool searched, int err) {
  if (err == ENOENT || err == ENOTDIR) {
    return not_found(searched ? program + " is not in PATH" : "no such program " + program);
  }
  const std::string m = "executing " + program + ": " + std::strerror(err);
  switch (err) {
    case EAGAIN:
    case ENOMEM:
    case EMFILE:
    case ENFILE:
    case ETXTBSY:
      return unavailable(m);
    default:
      return internal_error(m);
  }
}

}  // namespace

std::string SubprocessResult::exit_text() const {
  return signal != 0 ? "killed by signal " + std::to_string(signal)
                     : "exit " + std::to_string(exit_code);
}

Result<SubprocessResult> run_subprocess(const std::vector<std::string>& argv,
                                        const SubprocessOptions& options) {
  if (argv.empty()) return invalid_argument("running a program: no program given");
  const std::string& program = argv[0];
  const std::string what = "running " + program;

  // Everything the child needs, made now: after fork() it may not allocate.
  ChildPlan plan;
  for (const auto& a : argv) plan.argv.push_back(const_cast<char*>(a.c_str()));
  plan.argv.push_back(nullptr);
  const std::vector<std::string> env = child_environment(options);
  for (const auto& e : env) plan.envp.push_back(const_cast<char*>(e.c_str()));
  plan.envp.push_back(nullptr);
  const bool searched = options.search_path && program.find('/') == std::string::npos;
  plan.paths = options.search_path ? path_candidates(program) : std::vector<std::string>{program};
  plan.shell_fallback = options.search_path;
  if (plan.shell_fallback) {
    plan.shell_argv = {const_cast<char*>("/bin/sh"), nullptr};
    for (std::size_t i = 1; i < argv.size(); ++i) {
      plan.shell_argv.push_back(const_cast<char*>(argv[i].c_str()));
    }
    plan.shell_argv.push_back(nullptr);
  }
  plan.hook = options.pre_exec;
  plan.hook_context = options.pre_exec_context;

  UniqueFd stdin_child;
  UniqueFd stdin_parent;
  if (options.stdin_data) {
    IGNITE_ASSIGN_OR_RETURN(Pipe p, make_pipe(what));
    IGNITE_RETURN_IF_ERROR(set_nonblocking(p.write.get(), what + ": pipe"));
    stdin_child = std::move(p.read);
    stdin_parent = std::move(p.write);
  } else {
    IGNITE_ASSIGN_OR_RETURN(stdin_child,
                            above_stdio(UniqueFd(::open("/dev/null", O_RDONLY | O_CLOEXEC)),
                                        what + ": opening /dev/null"));
  }
  IGNITE_ASSIGN_OR_RETURN(OutputEnds out, open_output(options.stdout_to, what));
  IGNITE_ASSIGN_OR_RETURN(OutputEnds err, open_output(options.stderr_to, what));
  IGNITE_ASSIGN_OR_RETURN(Pipe report, make_pipe(what));
  IGNITE_RETURN_IF_ERROR(set_nonblocking(report.read.get(), what + ": pipe"));
  plan.stdio[0] = stdin_child.get();
  plan.stdio[1] = out.child.get();
  plan.stdio[2] = err.child.get();
  plan.report = report.write.get();

  const pid_t pid = ::fork();
  if (pid < 0) return errno_status(what + ": fork", errno);
  if (pid == 0) child_main(plan);
  Child child(pid);
  // The parent's copies of the child's ends: end of file on a pipe then means the child (and
  // whatever inherited the pipe from it) is done with it.
  stdin_child = UniqueFd();
  out.child = UniqueFd();
  err.child = UniqueFd();
  report.write = UniqueFd();

  SubprocessResult result;
  const bool has_deadline = options.timeout.count() > 0;
  const Clock::time_point deadline = Clock::now() + options.timeout;
  Capture captures[2] = {
      {std::move(out.parent), &options.stdout_to, &result.out, &result.out_truncated},
      {std::move(err.parent), &options.stderr_to, &result.err, &result.err_truncated}};
  ChildReport failure{};
  std::size_t failure_bytes = 0;
  const std::string empty;
  const std::string& input = options.stdin_data ? *options.stdin_data : empty;
  std::size_t input_at = 0;
  if (stdin_parent.get() >= 0 && input.empty()) stdin_parent = UniqueFd();
  bool stopped = false;  // killed at the deadline or beyond an output limit

  auto read_report = [&]() -> Status {
    for (;;) {
      const ssize_t n = ::read(report.read.get(), reinterpret_cast<char*>(&failure) + failure_bytes,
                               sizeof failure - failure_bytes);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return ok_status();
      if (n < 0) return errno_status(what + ": reading the child's report", errno);
      if (n > 0) failure_bytes += static_cast<std::size_t>(n);
      if (n == 0 || failure_bytes == sizeof failure) {
        report.read = UniqueFd();
        return ok_status();
      }
    }
  };

  // Feed stdin, read stdout, stderr and the report, all at once until each is done.
  while (!stopped) {
    pollfd fds[4];
    int n = 0;
    int report_at = -1, stdin_at = -1, capture_at[2] = {-1, -1};
    if (report.read.get() >= 0) {
      report_at = n;
      fds[n++] = {report.read.get(), POLLIN, 0};
    }
    if (stdin_parent.get() >= 0) {
      stdin_at = n;
      fds[n++] = {stdin_parent.get(), POLLOUT, 0};
    }
    for (int i = 0; i < 2; ++i) {
      if (captures[i].fd.get() >= 0) {
        capture_at[i] = n;
        fds[n++] = {captures[i].fd.get(), POLLIN, 0};
      }
    }
    if (n == 0) break;
    const int wait_ms = has_deadline ? millis_until(deadline) : -1;
    if (has_deadline && wait_ms == 0) {
      result.timed_out = true;
      stopped = true;
      break;
    }
    const int ready = ::poll(fds, static_cast<nfds_t>(n), wait_ms);
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) return errno_status(what + ": poll", errno);
    if (ready == 0) continue;  // the deadline: seen at the top

    if (report_at >= 0 && fds[report_at].revents != 0) IGNITE_RETURN_IF_ERROR(read_report());
    if (stdin_at >= 0 && fds[stdin_at].revents != 0) {
      const ssize_t w = write_without_sigpipe(stdin_parent.get(), input.data() + input_at,
                                              input.size() - input_at);
      if (w > 0) input_at += static_cast<std::size_t>(w);
      // EPIPE (the child is gone or closed stdin) ends the input, as does any other error: the
      // child's answer says what it made of it.
      const bool blocked = w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
      if ((w < 0 && !blocked) || input_at == input.size()) stdin_parent = UniqueFd();
    }
    for (int i = 0; i < 2; ++i) {
      if (capture_at[i] < 0 || fds[capture_at[i]].revents == 0) continue;
      IGNITE_ASSIGN_OR_RETURN(ReadOutcome got, read_capture(captures[i], what));
      if (got == ReadOutcome::kEnd) captures[i].fd = UniqueFd();
      if (got == ReadOutcome::kOverLimit) stopped = true;
    }
  }

  // Everything is closed (or the run was stopped): wait for the exit, up to the deadline.
  auto pause = std::chrono::milliseconds(1);
  while (!stopped && !child.try_wait()) {
    if (!has_deadline) {
      child.wait_blocking();
      break;
    }
    const int left_ms = millis_until(deadline);
    if (left_ms == 0) {
      result.timed_out = true;
      stopped = true;
      break;
    }
    std::this_thread::sleep_for(std::min(pause, std::chrono::milliseconds(left_ms)));
    pause = std::min(pause * 2, std::chrono::milliseconds(50));
  }
  if (stopped) child.kill();
  child.wait_blocking();
  // A report written just before the deadline is still in the pipe.
  if (report.read.get() >= 0) IGNITE_RETURN_IF_ERROR(read_report());

  if (failure_bytes != 0 && failure_bytes != sizeof failure) {
    return internal_error(what + ": the child's report was cut short");
  }
  if (failure_bytes == sizeof failure) {
    const auto stage = static_cast<ChildStage>(failure.stage);
    if (stage == ChildStage::kExec) return exec_failure(program, searched, failure.err);
    if (stage == ChildStage::kStdio) {
      return internal_error(what +
                            ": redirecting its standard streams: " + std::strerror(failure.err));
    }
    result.setup_step = failure.step;
    result.setup_errno = failure.err;
  }
  if (child.lost()) {
    return internal_error(what +
                          ": its exit status was taken by another waitpid() (is SIGCHLD "
                          "ignored?)");
  }
  const int status = child.status();
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
  return result;
}

bool program_in_path(const std::string& name) {
  for (const std::string& candidate : path_candidates(name)) {
    struct stat st {};
    if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
        ::access(candidate.c_str(), X_OK) == 0) {
      return true;
    }
  }
  return false;
}

}  // namespace ignite
