#include "tests/index/index_server.h"

namespace ignite::testing {

std::string index_test_dir() { return std::string(IGNITE_SOURCE_DIR) + "/tests/index"; }

IndexServer::IndexServer(const std::vector<std::string>& args)
    : ScriptServer(index_test_dir() + "/serve_index.py", args) {}

std::string IndexServer::simple_url(const std::string& userinfo) const {
  return "http://" + (userinfo.empty() ? "" : userinfo + "@") + authority() + "/simple/";
}

}  // namespace ignite::testing
