#include "tests/git/git_testing.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <vector>

#include "builder/util/subprocess.h"

namespace ignite::git::testing {
namespace {

using ignite::testing::run_command;
using ignite::testing::shell_quote;

std::vector<std::string> git_environment(const std::string& home) {
  return {"HOME=" + home,
          "PATH=/usr/bin:/bin",
          "LC_ALL=C",
          "GIT_CONFIG_NOSYSTEM=1",
          "GIT_AUTHOR_NAME=Ignite Test",
          "GIT_AUTHOR_EMAIL=test@example.invalid",
          "GIT_COMMITTER_NAME=Ignite Test",
          "GIT_COMMITTER_EMAIL=test@example.invalid"};
}

bool accepts_connections(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

// A CGI's answer ("Status: 404 Not Found", headers, a blank line, the body) as an HTTP response.
void cgi_to_response(const std::string& out, httplib::Response& res) {
  std::size_t end = out.find("\r\n\r\n");
  std::size_t body_at = end + 4;
  if (end == std::string::npos) {
    end = out.find("\n\n");
    body_at = end + 2;
  }
  if (end == std::string::npos) {
    res.status = 502;
    res.set_content("git http-backend answered without headers", "text/plain");
    return;
  }
  std::string content_type = "application/octet-stream";
  res.status = 200;
  std::size_t pos = 0;
  while (pos < end) {
    std::size_t eol = out.find('\n', pos);
    if (eol == std::string::npos || eol > end) eol = end;
    std::string line = out.substr(pos, eol - pos);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    pos = eol + 1;
    const std::size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    const std::string name = line.substr(0, colon);
    std::string value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.erase(0, 1);
    if (name == "Status") {
      res.status = std::stoi(value.substr(0, 3));
    } else if (name == "Content-Type") {
      content_type = value;
    } else if (name != "Content-Length") {
      res.set_header(name.c_str(), value);
    }
  }
  res.set_content(out.substr(body_at), content_type.c_str());
}

}  // namespace

std::string missing_git_tools() {
  for (const char* tool : {kGit, kGitDaemon, kHttpBackend}) {
    if (::access(tool, X_OK) != 0) return std::string(tool) + " is missing (Debian package git)";
  }
  return "";
}

std::string git_env(const std::string& home) {
  std::string out = "env -i";
  for (const std::string& e : git_environment(home)) out += " " + shell_quote(e);
  return out;
}

TestRepo::TestRepo(std::string dir, std::string home)
    : dir_(std::move(dir)), home_(std::move(home)) {
  std::string out;
  EXPECT_EQ(run_command("mkdir -p " + shell_quote(dir_) + " " + shell_quote(home_), &out), 0);
  git("init -q -b main");
}

std::string TestRepo::git(const std::string& args) const {
  ignite::testing::TempDir tmp;
  std::string out;
  const int rc = run_command(git_env(home_) + " " + kGit + " -C " + shell_quote(dir_) + " " + args +
                                 " 2>" + shell_quote(tmp / "err"),
                             &out);
  if (rc != 0) {
    std::string err;
    (void)run_command("cat " + shell_quote(tmp / "err"), &err);
    ADD_FAILURE() << "git " << args << ": exit " << rc << "\n" << err;
  }
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

void TestRepo::write(const std::string& rel, const std::string& data, int mode) const {
  const std::string path = dir_ + "/" + rel;
  std::string out;
  ASSERT_EQ(run_command("mkdir -p \"$(dirname " + shell_quote(path) + ")\"", &out), 0);
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  ASSERT_GE(fd, 0) << path;
  ASSERT_EQ(::write(fd, data.data(), data.size()), static_cast<ssize_t>(data.size()));
  ::fchmod(fd, static_cast<mode_t>(mode));
  ::close(fd);
}

std::string TestRepo::commit(const std::string& message) const {
  git("add -A");
  git("commit -q -m " + shell_quote(message));
  return git("rev-parse HEAD");
}

int closed_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = 0;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  EXPECT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  ::close(fd);  // never listened on: connecting is refused
  return ntohs(addr.sin_port);
}

GitDaemon::GitDaemon(std::string root, std::string home)
    : root_(std::move(root)), home_(std::move(home)), log_(root_ + "/../git-daemon.log") {
  // git daemon cannot report a port it chose, so it is given one that was free a moment ago and
  // started again on another when a parallel test took it in between.
  for (int attempt = 0; attempt < 5 && port_ == 0; ++attempt) {
    if (start(closed_port())) break;
  }
  EXPECT_GT(port_, 0) << "git daemon did not start; see " << log_;
}

bool GitDaemon::start(int port) {
  const std::vector<std::string> argv = {kGitDaemon,
                                         "--reuseaddr",
                                         "--listen=127.0.0.1",
                                         "--port=" + std::to_string(port),
                                         "--export-all",
                                         "--informative-errors",
                                         "--base-path=" + root_,
                                         root_};
  const std::vector<std::string> env = git_environment(home_);
  std::vector<char*> args, envp;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  for (const auto& e : env) envp.push_back(const_cast<char*>(e.c_str()));
  args.push_back(nullptr);
  envp.push_back(nullptr);
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent) ::_exit(1);
    const int log = ::open(log_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    const int null = ::open("/dev/null", O_RDONLY);
    ::dup2(null, 0);
    ::dup2(log, 1);
    ::dup2(log, 2);
    ::close_range(3, ~0U, 0);
    ::execve(args[0], args.data(), envp.data());
    ::_exit(127);
  }
  if (pid < 0) return false;
  // Up to 20 s for it to listen (a bound, not a speed requirement); an early exit means the
  // port was taken.
  for (int i = 0; i < 400; ++i) {
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) return false;
    if (accepts_connections(port)) {
      pid_ = pid;
      port_ = port;
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
  return false;
}

GitDaemon::~GitDaemon() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  ::waitpid(pid_, nullptr, 0);
}

std::string GitDaemon::url(const std::string& rel) const {
  return "git://127.0.0.1:" + std::to_string(port_) + "/" + rel;
}

TlsFiles make_localhost_certificate(const std::string& dir) {
  TlsFiles files{dir + "/localhost.crt", dir + "/localhost.key"};
  std::string out;
  EXPECT_EQ(
      run_command("/usr/bin/openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "
                  "/CN=localhost -addext subjectAltName=DNS:localhost -keyout " +
                      shell_quote(files.key) + " -out " + shell_quote(files.cert) + " 2>/dev/null",
                  &out),
      0);
  return files;
}

GitHttpServer::GitHttpServer(std::string root, std::string home, const TlsFiles* tls)
    : root_(std::move(root)),
      home_(std::move(home)),
      server_(tls ? std::make_unique<httplib::SSLServer>(tls->cert.c_str(), tls->key.c_str())
                  : std::make_unique<httplib::Server>()) {
  auto handler = [this](const httplib::Request& req, httplib::Response& res) {
    std::string query;
    for (const auto& [name, value] : req.params) {
      query += (query.empty() ? "" : "&") + name + "=" + value;
    }
    SubprocessOptions options;
    options.inherit_env = false;
    options.env = git_environment(home_);
    options.env.push_back("GIT_PROJECT_ROOT=" + root_);
    options.env.push_back("GIT_HTTP_EXPORT_ALL=1");
    options.env.push_back("PATH_INFO=" + req.path);
    options.env.push_back("QUERY_STRING=" + query);
    options.env.push_back("REQUEST_METHOD=" + req.method);
    options.env.push_back("CONTENT_TYPE=" + req.get_header_value("Content-Type"));
    options.env.push_back("CONTENT_LENGTH=" + std::to_string(req.body.size()));
    options.env.push_back("HTTP_CONTENT_ENCODING=" + req.get_header_value("Content-Encoding"));
    options.env.push_back("GIT_PROTOCOL=" + req.get_header_value("Git-Protocol"));
    options.env.push_back("REMOTE_ADDR=127.0.0.1");
    options.stdin_data = req.body;
    options.stdout_to = SubprocessOutput::capture();
    options.stderr_to = SubprocessOutput::capture();
    options.search_path = false;
    options.timeout = std::chrono::seconds(120);
    auto result = run_subprocess({kHttpBackend}, options);
    if (!result.ok() || result->exit_code != 0) {
      res.status = 500;
      res.set_content(result.ok() ? result->err : result.status().to_string(), "text/plain");
      return;
    }
    cgi_to_response(result->out, res);
  };
  server_->Get(".*", handler);
  server_->Post(".*", handler);
  port_ = server_->bind_to_any_port("127.0.0.1");
  EXPECT_GT(port_, 0) << "the smart HTTP server could not bind";
  base_url_ = (tls ? "https://localhost:" : "http://127.0.0.1:") + std::to_string(port_) + "/";
  if (port_ > 0) thread_ = std::thread([this] { server_->listen_after_bind(); });
}

GitHttpServer::~GitHttpServer() {
  server_->stop();
  if (thread_.joinable()) thread_.join();
}

std::string GitHttpServer::url(const std::string& rel) const { return base_url_ + rel; }

}  // namespace ignite::git::testing
