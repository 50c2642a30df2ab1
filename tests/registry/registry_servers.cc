#include "tests/registry/registry_servers.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "builder/net/http_client.h"
#include "tests/testing/loopback_port.h"

namespace ignite::registry::testing {
namespace {

namespace fs = std::filesystem;
using ignite::testing::free_loopback_port;
using ignite::testing::read_text;
using ignite::testing::shell_quote;
using ignite::testing::wait_until;

// How long a server may take to start listening. Not an assertion on speed: a bound so a
// broken setup fails instead of hanging.
constexpr auto kStartBound = std::chrono::seconds(30);

// Whether process `pid` itself holds a socket listening on 127.0.0.1:`port`: the inodes of the
// listening sockets on that address (/proc/net/tcp) against the sockets among its open files.
// Not a connect(): the port was free only a moment ago, so whatever answers there may be
// another test's server, while ours failed to bind.
bool listens_on(pid_t pid, int port) {
  char address[16];
  std::snprintf(address, sizeof address, "0100007F:%04X", port);  // 127.0.0.1, as the kernel has it
  std::set<std::string> inodes;
  std::ifstream tcp("/proc/net/tcp");
  std::string line;
  std::getline(tcp, line);  // the header
  while (std::getline(tcp, line)) {
    std::istringstream fields(line);
    std::string slot, local, remote, state, queues, timer, retransmits, uid, timeout, inode;
    fields >> slot >> local >> remote >> state >> queues >> timer >> retransmits >> uid >>
        timeout >> inode;
    if (local == address && state == "0A") inodes.insert("socket:[" + inode + "]");  // LISTEN
  }
  // A socket this process holds too is not the child's: between fork and exec the child still
  // has every descriptor of ours, a test's own listener on the port included.
  std::error_code self_ec;
  for (auto it = fs::directory_iterator("/proc/self/fd", self_ec);
       !self_ec && it != fs::end(it); it.increment(self_ec)) {
    std::error_code link_ec;
    const fs::path target = fs::read_symlink(it->path(), link_ec);
    if (!link_ec) inodes.erase(target.string());
  }
  if (inodes.empty()) return false;
  std::error_code ec;
  for (auto it = fs::directory_iterator("/proc/" + std::to_string(pid) + "/fd", ec);
       !ec && it != fs::end(it); it.increment(ec)) {
    std::error_code link_ec;
    const fs::path target = fs::read_symlink(it->path(), link_ec);
    if (!link_ec && inodes.count(target.string())) return true;
  }
  return false;
}

void openssl(const std::string& args) {
  std::string out;
  ASSERT_EQ(run("openssl " + args, &out), 0) << "openssl " << args << "\n" << out;
}

}  // namespace

int run(const std::string& command, std::string* out) {
  return ignite::testing::run_command(command + " 2>&1", out);
}

TestPki::TestPki(const std::string& dir) {
  ca_cert = dir + "/ca.crt";
  server_cert = dir + "/server.crt";
  server_key = dir + "/server.key";
  token_cert = dir + "/token.crt";
  token_key = dir + "/token.key";
  cert_dir = dir + "/skopeo-certs";
  const std::string d = shell_quote(dir);
  openssl("req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=ignite-test-ca -keyout " + d +
          "/ca.key -out " + shell_quote(ca_cert));
  openssl("req -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -keyout " + shell_quote(server_key) +
          " -out " + d + "/server.csr");
  std::ofstream(dir + "/server.ext") << "subjectAltName=IP:127.0.0.1,DNS:localhost\n"
                                     << "extendedKeyUsage=serverAuth\n";
  openssl("x509 -req -days 2 -in " + d + "/server.csr -CA " + shell_quote(ca_cert) + " -CAkey " +
          d + "/ca.key -CAcreateserial -extfile " + d + "/server.ext -out " +
          shell_quote(server_cert));
  openssl("req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=ignite-test-token-issuer -keyout " +
          shell_quote(token_key) + " -out " + shell_quote(token_cert));
  fs::create_directories(cert_dir);
  fs::copy_file(ca_cert, cert_dir + "/ca.crt");
}

std::string make_htpasswd(const ignite::testing::TempDir& dir, const std::string& user,
                          const std::string& password) {
  const std::string path = dir / "htpasswd";
  std::string out;
  EXPECT_EQ(run("htpasswd -B -b -c " + shell_quote(path) + " " + shell_quote(user) + " " +
                    shell_quote(password),
                &out),
            0)
      << out;
  return path;
}

RegistryServer::RegistryServer(const RegistryConfig& config, int first_port) {
  storage_ = dir_ / "storage";
  log_ = dir_ / "registry.log";
  // Each retry needs another process to take the port in the moment between the probe and the
  // registry's bind; five in a row would mean something else is wrong.
  constexpr int kAttempts = 5;
  for (int attempt = 1; attempt <= kAttempts; ++attempt) {
    const int port = attempt == 1 && first_port > 0 ? first_port : free_loopback_port();
    if (port <= 0) {
      ADD_FAILURE() << "no free loopback port";
      return;
    }
    if (start(config, port) != Start::kAddressInUse) return;
    std::ofstream(log_, std::ios::app) << "(port " << port << " was taken: starting again)\n";
  }
  ADD_FAILURE() << "docker-registry found its port taken " << kAttempts << " times:\n"
                << read_text(log_);
}

RegistryServer::Start RegistryServer::start(const RegistryConfig& config, int port) {
  host_ = "127.0.0.1:" + std::to_string(port);
  std::ostringstream yml;
  yml << "version: 0.1\n"
      << "log:\n  level: warn\n  accesslog:\n    disabled: true\n"
      << "storage:\n  filesystem:\n    rootdirectory: " << storage_ << "\n"
      << "  delete:\n    enabled: true\n"
      << "http:\n  addr: " << host_ << "\n  secret: ignite-test-secret\n";
  if (!config.tls_cert.empty()) {
    yml << "  tls:\n    certificate: " << config.tls_cert << "\n    key: " << config.tls_key
        << "\n";
  }
  if (!config.htpasswd.empty()) {
    yml << "auth:\n  htpasswd:\n    realm: ignite-test\n    path: " << config.htpasswd << "\n";
  } else if (!config.token_realm.empty()) {
    yml << "auth:\n  token:\n    realm: " << config.token_realm
        << "\n    service: " << kTokenService << "\n    issuer: " << kTokenIssuer
        << "\n    rootcertbundle: " << config.token_cert << "\n";
  }
  dir_.write("config.yml", yml.str());
  const std::size_t log_before = read_text(log_).size();  // earlier attempts' lines
  // A previous attempt's process has exited and was reaped (running() said so).
  process_ = std::make_unique<ChildProcess>(
      std::vector<std::string>{kRegistryBinary, "serve", dir_ / "config.yml"}, log_, kInstallHint);
  bool listening = false;
  bool exited = false;
  wait_until(kStartBound, [&] {
    listening = listens_on(process_->pid(), port);
    exited = !listening && !process_->running();
    return listening || exited;
  });
  if (listening) return Start::kListening;
  const std::string log = read_text(log_);
  if (exited && log.find("address already in use", log_before) != std::string::npos) {
    return Start::kAddressInUse;
  }
  ADD_FAILURE() << "docker-registry did not listen on " << host_ << (exited ? " (it exited)" : "")
                << ":\n"
                << log;
  return Start::kFailed;
}

std::set<std::string> RegistryServer::blobs_added_since(const std::set<std::string>& before) const {
  std::set<std::string> out;
  for (const auto& b : blob_files()) {
    if (!before.count(b)) out.insert(b);
  }
  return out;
}

std::set<std::string> RegistryServer::blob_files() const {
  std::set<std::string> out;
  const fs::path root = fs::path(storage_) / "docker/registry/v2/blobs/sha256";
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (it->is_regular_file() && it->path().filename() == "data") {
      out.insert(it->path().parent_path().filename().string());
    }
  }
  return out;
}

bool RegistryServer::has_tag(const std::string& repository, const std::string& tag) const {
  return fs::exists(fs::path(storage_) / "docker/registry/v2/repositories" / repository /
                    "_manifests/tags" / tag / "current/link");
}

ScriptServer::ScriptServer(const std::string& script, std::vector<std::string> args) {
  const std::string ready = dir_ / "ready";
  std::vector<std::string> argv = {kPython,
                                   std::string(IGNITE_SOURCE_DIR) + "/tests/registry/" + script};
  for (auto& a : args) argv.push_back(std::move(a));
  argv.push_back("--ready-file");
  argv.push_back(ready);
  const std::string log = dir_ / "server.log";
  process_ = std::make_unique<ChildProcess>(argv, log, kInstallHint);
  EXPECT_TRUE(wait_until(kStartBound, [&] { return fs::exists(ready); }))
      << script << " did not start:\n"
      << read_text(log);
  host_ = "127.0.0.1:" + read_text(ready);
}

std::string ScriptServer::call(const std::string& path, const std::string& body) const {
  auto client = net::HttpClient::create({});
  EXPECT_TRUE(client.ok());
  net::HttpRequest request;
  request.method = body.empty() ? "GET" : "POST";
  request.url = "http://" + host_ + path;
  request.body = body;
  request.headers = {"Content-Type: application/json"};
  auto response = client->send(request);
  EXPECT_TRUE(response.ok()) << response.status().to_string();
  if (!response.ok()) return "";
  EXPECT_EQ(response->status, 200) << response->body;
  return response->body;
}

}  // namespace ignite::registry::testing
