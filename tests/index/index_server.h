// Starts tests/index/serve_index.py (a PEP 503/691 index over a wheel directory) on a
// free loopback port for one test, and stops it when the object goes away.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace ignite::testing {

class IndexServer {
 public:
  // `args` are serve_index.py's options after the script name, e.g.
  // {"--wheelhouse", dir, "--auth", "u:p"}. Fails the test (ADD_FAILURE) and leaves
  // port() == 0 when the server does not come up.
  explicit IndexServer(const std::vector<std::string>& args);
  ~IndexServer();
  IndexServer(const IndexServer&) = delete;
  IndexServer& operator=(const IndexServer&) = delete;

  int port() const { return port_; }
  // "http://127.0.0.1:<port>/simple/", with "user:pass@" when given.
  std::string simple_url(const std::string& userinfo = "") const;

 private:
  pid_t pid_ = -1;
  int stdin_fd_ = -1;
  int port_ = 0;
};

// The python3 that runs the script and pip ("python3" from PATH).
std::string python3();
// The directory holding serve_index.py.
std::string index_test_dir();

}  // namespace ignite::testing
