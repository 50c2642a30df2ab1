#include "builder/registry/credential_helper.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace ignite::registry {
namespace {

struct HelperRun {
  int exit_code = -1;
  bool timed_out = false;
  std::string out;
};

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

// Writes `data` to a pipe whose reader may be gone (a helper that exits without reading)
// without dying of SIGPIPE: the signal is blocked for this thread and a pending one consumed.
// The data is a host name, far below the pipe's buffer, so the write cannot block.
void write_ignoring_sigpipe(int fd, const std::string& data) {
  sigset_t pipe_set, old_set;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  ::pthread_sigmask(SIG_BLOCK, &pipe_set, &old_set);
  const ssize_t n = ::write(fd, data.data(), data.size());
  if (n < 0 && errno == EPIPE) {
    const timespec zero{0, 0};
    while (::sigtimedwait(&pipe_set, nullptr, &zero) < 0 && errno == EINTR) {
    }
  }
  ::pthread_sigmask(SIG_SETMASK, &old_set, nullptr);
}

// Runs `program get`, writing `input` to its stdin and collecting its stdout until it exits or
// the timeout passes. stderr goes to /dev/null: helpers print prompts and noise there.
Result<HelperRun> run_get(const std::string& program, std::string_view input) {
  int in[2] = {-1, -1};
  int out[2] = {-1, -1};
  if (::pipe2(in, O_CLOEXEC) != 0) return errno_status("making a pipe for " + program, errno);
  if (::pipe2(out, O_CLOEXEC) != 0) {
    const int err = errno;
    close_fd(in[0]);
    close_fd(in[1]);
    return errno_status("making a pipe for " + program, err);
  }
  const pid_t pid = ::fork();
  if (pid < 0) {
    const int err = errno;
    for (int* fd : {&in[0], &in[1], &out[0], &out[1]}) close_fd(*fd);
    return errno_status("starting " + program, err);
  }
  if (pid == 0) {
    const int devnull = ::open("/dev/null", O_WRONLY);
    ::dup2(in[0], 0);
    ::dup2(out[1], 1);
    if (devnull >= 0) ::dup2(devnull, 2);
    const char* argv[] = {program.c_str(), "get", nullptr};
    ::execvp(program.c_str(), const_cast<char* const*>(argv));
    ::_exit(127);
  }
  close_fd(in[0]);
  close_fd(out[1]);
  write_ignoring_sigpipe(in[1], std::string(input) + "\n");
  close_fd(in[1]);

  HelperRun run;
  const auto deadline = std::chrono::steady_clock::now() + kCredentialHelperTimeout;
  char buf[4096];
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      run.timed_out = true;
      break;
    }
    pollfd p{out[0], POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) {
      run.timed_out = ready == 0;
      break;
    }
    const ssize_t n = ::read(out[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    run.out.append(buf, static_cast<std::size_t>(n));
    if (run.out.size() > kCredentialHelperMaxOutput) break;
  }
  close_fd(out[0]);
  if (run.timed_out || run.out.size() > kCredentialHelperMaxOutput) ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

std::string first_line(const std::string& text) {
  std::string line = text.substr(0, text.find('\n'));
  if (line.size() > 200) line = line.substr(0, 200) + "...";
  return line;
}

}  // namespace

Result<Credentials> run_credential_helper(std::string_view helper, std::string_view server) {
  const std::string program = "docker-credential-" + std::string(helper);
  const std::string what = "getting credentials for " + std::string(server) + " from " + program;
  if (helper.empty() || helper.find('/') != std::string_view::npos) {
    return invalid_argument(what + ": not a helper name");
  }
  IGNITE_ASSIGN_OR_RETURN(HelperRun run, run_get(program, server));
  if (run.timed_out) {
    return unavailable(what + ": no answer within " +
                       std::to_string(kCredentialHelperTimeout.count()) + " s");
  }
  if (run.exit_code == 127) return unavailable(what + ": the program is not in PATH");
  if (run.out.size() > kCredentialHelperMaxOutput) return unavailable(what + ": answer too long");
  const nlohmann::json doc = nlohmann::json::parse(run.out, nullptr, /*allow_exceptions=*/false);
  if (run.exit_code != 0 || doc.is_discarded() || !doc.is_object()) {
    if (run.out.find("credentials not found") != std::string::npos) {
      return not_found(what + ": the helper has none");
    }
    // Text with no JSON in it is the helper's own explanation, not a secret it returned.
    const bool plain_text = run.out.find('{') == std::string::npos;
    return unavailable(what + ": exit code " + std::to_string(run.exit_code) + ": " +
                       (plain_text ? first_line(run.out) : "(output not shown)"));
  }
  auto field = [&](const char* name) {
    auto it = doc.find(name);
    return it != doc.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  Credentials c{field("Username"), field("Secret")};
  if (c.username == "<token>") {
    return failed_precondition(what +
                               ": the helper returned an identity token (OAuth refresh token), "
                               "which ignite-builder does not support");
  }
  if (c.username.empty() && c.password.empty()) return not_found(what + ": the helper has none");
  return c;
}

}  // namespace ignite::registry
