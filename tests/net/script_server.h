// Starts a Python test server (tests/index/serve_index.py, tests/net/http_peer.py) on a free
// loopback port, and stops it when the object goes away. The script prints "PORT <n>" on
// stdout once it listens, and stops by itself when its standard input closes, so a test that
// dies does not leave it behind.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace ignite::testing {

class ScriptServer {
 public:
  // Runs `/usr/bin/python3 -I script args...`. Fails the test (ADD_FAILURE) and leaves
  // port() == 0 when the server does not come up.
  ScriptServer(const std::string& script, const std::vector<std::string>& args);
  ~ScriptServer();
  ScriptServer(const ScriptServer&) = delete;
  ScriptServer& operator=(const ScriptServer&) = delete;

  int port() const { return port_; }
  // "127.0.0.1:<port>"
  std::string authority() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  pid_t pid_ = -1;
  int stdin_fd_ = -1;
  int port_ = 0;
};

// The python3 that runs the scripts and pip: Debian's, by absolute path. Not "python3" from
// PATH: that may be a pyenv shim, whose rehash after a `pip install` races between parallel
// tests and can exit 1 after pip succeeded, or an interpreter without the modules a test needs.
std::string python3();

}  // namespace ignite::testing
