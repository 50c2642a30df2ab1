// A server process owned by a test: started with its output appended to a log file, stopped with
// SIGTERM (and waited for) when the object goes away, and given PR_SET_PDEATHSIG so a crashed test
// program leaves no server behind. Shared by the registry and containerd fixtures.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace ignite::testing {

// The user a child runs as, for a server that refuses to run as root (PostgreSQL) when the tests
// do: its groups are dropped, then its gid and uid set, before it starts.
struct RunAs {
  uid_t uid;
  gid_t gid;
};

class ChildProcess {
 public:
  // Starts argv (argv[0] by path) with stdin from /dev/null and stdout and stderr appended to
  // `log_path`, and no other descriptor of the test's. When argv[0] is missing, fails the test
  // (non-fatally) with `missing_hint`, e.g. which packages to install; running() is then false.
  // With `run_as`, the child runs as that user (the log is opened before, as the test's user).
  ChildProcess(const std::vector<std::string>& argv, const std::string& log_path,
               const std::string& missing_hint = "run scripts/install-deps",
               std::optional<RunAs> run_as = std::nullopt);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  // Whether it still runs; once it has exited, it is reaped and this stays false.
  bool running();

 private:
  pid_t pid_ = -1;
};

// Polls `pred` every 20 ms until it holds (true) or `bound` has passed (false): how a test waits
// for a server to start, a bound so a broken setup fails instead of hanging, not a timed assertion.
template <typename Pred>
bool wait_until(std::chrono::steady_clock::duration bound, Pred pred) {
  const auto end = std::chrono::steady_clock::now() + bound;
  while (std::chrono::steady_clock::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

// The whole content of a text file (a server's log); "" when it cannot be read.
std::string read_text(const std::string& path);

}  // namespace ignite::testing
