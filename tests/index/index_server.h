// Starts tests/index/serve_index.py (a PEP 503/691 index over a wheel directory) on a
// free loopback port for one test, and stops it when the object goes away.
#pragma once

#include <string>
#include <vector>

#include "tests/net/script_server.h"

namespace ignite::testing {

class IndexServer : public ScriptServer {
 public:
  // `args` are serve_index.py's options after the script name, e.g.
  // {"--wheelhouse", dir, "--auth", "u:p"}. Fails the test (ADD_FAILURE) and leaves
  // port() == 0 when the server does not come up.
  explicit IndexServer(const std::vector<std::string>& args);

  // "http://127.0.0.1:<port>/simple/", with "user:pass@" when given.
  std::string simple_url(const std::string& userinfo = "") const;
};

// The directory holding serve_index.py.
std::string index_test_dir();

}  // namespace ignite::testing
