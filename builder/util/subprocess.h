// Runs another program and waits for it: the one way this builder starts a child process
// (debootstrap, the base image's python3 in a chroot, docker credential helpers).
//
// The program gets exactly three descriptors, 0, 1 and 2 (every descriptor this module opens
// is close-on-exec, and the child marks all others so before exec), an empty signal mask and
// the default SIGPIPE disposition, whatever the calling thread had. Calls may run in parallel
// from several threads: everything the child needs is made before fork(), and between fork()
// and exec the child makes only async-signal-safe calls (another thread may hold the
// allocator's lock in the memory the child copied). The child is always waited for, on the
// error paths too: none is left a zombie.
#pragma once

#include <chrono>
#include <cstddef>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "builder/util/status.h"

namespace ignite {

// Where the child's stdout or stderr goes.
struct SubprocessOutput {
  enum class Kind {
    kDiscard,  // /dev/null
    kAppend,   // appended to `path`, created (0644) when missing
    kCapture,  // kept in memory: SubprocessResult::out or ::err
  };
  static constexpr std::size_t kNoLimit = std::numeric_limits<std::size_t>::max();

  Kind kind = Kind::kDiscard;
  std::string path;                // kAppend
  std::size_t limit = kNoLimit;    // kCapture: bytes kept; more is read and dropped (truncated)
  bool kill_beyond_limit = false;  // kCapture: SIGKILL the child once it writes more than limit

  static SubprocessOutput discard() { return {}; }
  static SubprocessOutput append_to(std::string file) {
    return {Kind::kAppend, std::move(file), kNoLimit, false};
  }
  static SubprocessOutput capture(std::size_t max_bytes = kNoLimit) {
    return {Kind::kCapture, "", max_bytes, false};
  }
  // For a child whose longer output is an error anyway: it is stopped there, not read to end.
  static SubprocessOutput capture_or_kill(std::size_t max_bytes) {
    return {Kind::kCapture, "", max_bytes, true};
  }
};

// Runs in the child between fork() and exec, after its stdio is in place (a chroot, namespaces,
// mounts). It must make only async-signal-safe calls: no allocation, no locks, no stdio, no
// C++ library calls that might allocate; everything it needs is prepared before and reached
// through `context`. Returns 0 to go on, or a positive step number of the caller's choice with
// errno set: the child then exits 127 and the parent reports the step and errno in
// SubprocessResult::setup_step and ::setup_errno.
using PreExecHook = int (*)(const void* context);

struct SubprocessOptions {
  // Written to the child's stdin (a pipe, closed after the data), alongside reading its
  // output, so a child that answers before reading everything does not deadlock. A child that
  // exits without reading is not an error. Without it, stdin is /dev/null.
  std::optional<std::string> stdin_data;
  SubprocessOutput stdout_to;
  SubprocessOutput stderr_to;

  // The child's environment: this process's with `env` added ("NAME=value"; an entry replaces
  // an inherited one of the same name), or, with inherit_env false, exactly `env`.
  bool inherit_env = true;
  std::vector<std::string> env;

  // argv[0] without a '/' is searched in this process's PATH (as execvp does, a script without
  // "#!" included); otherwise, or with search_path false, it is the path executed.
  bool search_path = true;

  // At the deadline the child is SIGKILLed and the result says timed_out. 0: no deadline.
  std::chrono::milliseconds timeout{0};

  PreExecHook pre_exec = nullptr;
  const void* pre_exec_context = nullptr;
};

struct SubprocessResult {
  int exit_code = -1;  // -1 when killed by a signal
  int signal = 0;
  bool timed_out = false;      // killed at the deadline
  std::string out;             // captured stdout (SubprocessOutput::capture)
  std::string err;             // captured stderr
  bool out_truncated = false;  // the child wrote more than the capture limit
  bool err_truncated = false;
  // The pre-exec hook's failure: its step (> 0) and errno. 0 when it succeeded or none ran.
  int setup_step = 0;
  int setup_errno = 0;

  // "exit 3", or "killed by signal 9".
  std::string exit_text() const;
};

// Starts argv[0] and waits until it has exited and closed its output pipes (a descendant that
// inherited them keeps them open: the deadline still applies). A non-zero exit, a signal, a
// timeout and a failing pre-exec hook are reported in the result, for the caller to explain.
// Errors are for a program that cannot be started: NOT_FOUND "X is not in PATH" or "no such
// program X" when exec finds nothing, UNAVAILABLE or INTERNAL naming the program and errno
// otherwise (found through a close-on-exec pipe, so never confused with a program that exits
// 127), and errno's code when this process cannot make the pipes or fork.
Result<SubprocessResult> run_subprocess(const std::vector<std::string>& argv,
                                        const SubprocessOptions& options = {});

// True when `name` is an executable regular file found in PATH, as run_subprocess looks.
bool program_in_path(const std::string& name);

}  // namespace ignite
