#include "tests/net/script_server.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>

namespace ignite::testing {

std::string python3() { return "/usr/bin/python3"; }

ScriptServer::ScriptServer(const std::string& script, const std::vector<std::string>& args) {
  int out[2];
  int in[2];
  if (::pipe(out) != 0 || ::pipe(in) != 0) {
    ADD_FAILURE() << "pipe failed";
    return;
  }
  // -I: no PYTHON* variables, user site or script directory on sys.path (the scripts use only
  // the standard library).
  std::vector<std::string> argv = {python3(), "-I", script};
  argv.insert(argv.end(), args.begin(), args.end());
  pid_ = ::fork();
  if (pid_ == 0) {
    ::dup2(in[0], 0);
    ::dup2(out[1], 1);
    ::close(in[0]);
    ::close(in[1]);
    ::close(out[0]);
    ::close(out[1]);
    // Nothing else of the test's: an inherited pipe would keep another command's reader waiting
    // for as long as the server runs.
    ::close_range(3, ~0U, 0);
    std::vector<char*> cargv;
    for (auto& a : argv) cargv.push_back(a.data());
    cargv.push_back(nullptr);
    ::execv(cargv[0], cargv.data());
    ::_exit(127);
  }
  ::close(in[0]);
  ::close(out[1]);
  stdin_fd_ = in[1];
  // "PORT <n>\n" once it listens; loading a wheelhouse takes well under a second.
  std::string line;
  while (line.find('\n') == std::string::npos) {
    pollfd p{out[0], POLLIN, 0};
    if (::poll(&p, 1, 60'000) <= 0) break;
    char buf[64];
    const ssize_t n = ::read(out[0], buf, sizeof buf);
    if (n <= 0) break;
    line.append(buf, static_cast<std::size_t>(n));
  }
  ::close(out[0]);
  if (line.starts_with("PORT ")) port_ = std::atoi(line.c_str() + 5);
  if (port_ == 0) ADD_FAILURE() << script << " did not start (it printed '" << line << "')";
}

ScriptServer::~ScriptServer() {
  if (stdin_fd_ >= 0) ::close(stdin_fd_);
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
}

}  // namespace ignite::testing
