#include "tests/containerd/containerd_server.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace ignite::containerd::testing {
namespace {

namespace fs = std::filesystem;
using ignite::testing::read_text;
using ignite::testing::run_command;
using ignite::testing::shell_quote;
using ignite::testing::wait_until;

// Bounds, not assertions on speed: how long containerd may take to answer after starting, and a
// container to listen after `ctr run` (both take well under a second here), so a broken setup
// fails with a message instead of hanging.
constexpr auto kWaitBound = std::chrono::seconds(30);
// The bound on one ctr command (an image import unpacks a few tens of MB).
constexpr int kCtrTimeoutSeconds = 120;
// sun_path of sockaddr_un holds 108 bytes with the terminating NUL.
constexpr std::size_t kMaxSocketPath = 107;

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

// A container id no other test process on the machine uses: runc's state and cgroups are keyed
// by namespace and id only.
std::string unique_container_id() {
  static std::atomic<int> next{0};
  return "ignite-test-" + std::to_string(::getpid()) + "-" + std::to_string(++next);
}

}  // namespace

std::string unavailable_reason() {
  if (::geteuid() != 0) return "containerd and runc need root";
  for (const char* binary : {kContainerdBinary, kCtrBinary, kRuncBinary}) {
    if (::access(binary, X_OK) != 0) {
      return std::string(binary) +
             " is missing (Debian packages containerd and runc; scripts/install-deps)";
    }
  }
  return "";
}

ContainerdServer::ContainerdServer() {
  config_ = dir_ / "config.toml";
  root_ = dir_ / "root";
  socket_ = dir_ / "c.sock";
  log_ = dir_ / "containerd.log";
  const std::string ttrpc = socket_ + ".ttrpc";
  if (ttrpc.size() > kMaxSocketPath) {
    ADD_FAILURE() << "the socket path " << ttrpc << " is longer than a unix socket's "
                  << kMaxSocketPath << " bytes: set TMPDIR to a shorter directory";
    return;
  }
  // Debug and metrics listeners off; no CRI (it would want CNI and a sandbox image).
  std::ostringstream config;
  config << "version = 2\n"
         << "root = \"" << root_ << "\"\n"
         << "state = \"" << (dir_ / "state") << "\"\n"
         << "disabled_plugins = [\"io.containerd.grpc.v1.cri\"]\n"
         << "[grpc]\n  address = \"" << socket_ << "\"\n"
         << "[ttrpc]\n  address = \"" << ttrpc << "\"\n"
         << "[debug]\n  address = \"\"\n"
         << "[metrics]\n  address = \"\"\n";
  dir_.write("config.toml", config.str());
  start_guard();
  start();
}

ContainerdServer::~ContainerdServer() {
  // Containers first, while containerd runs: their shims would outlive it.
  while (!containers_.empty()) {
    const auto [ns, id] = containers_.back();
    remove_container(ns, id);
  }
  process_.reset();  // SIGTERM, wait
  if (guard_fd_ >= 0) {
    ::close(guard_fd_);  // the guard looks for shims of this socket (none by now) and exits
    int status = 0;
    ::waitpid(guard_pid_, &status, 0);
    const std::string guard_log = read_text(dir_ / "guard.log");
    EXPECT_EQ(guard_log, "") << "containerd_guard.sh found containers left behind";
  }
}

void ContainerdServer::start_guard() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    ADD_FAILURE() << "pipe2 failed";
    return;
  }
  const std::string script =
      std::string(IGNITE_SOURCE_DIR) + "/tests/containerd/containerd_guard.sh";
  const std::string guard_log = dir_ / "guard.log";
  guard_pid_ = ::fork();
  if (guard_pid_ == 0) {
    // Its own session: whatever stops the test's process group must not stop the guard too.
    ::setsid();
    const int log = ::open(guard_log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    ::dup2(fds[0], 0);
    ::dup2(log, 1);
    ::dup2(log, 2);
    ::close_range(3, ~0U, 0);
    ::execl("/bin/sh", "sh", script.c_str(), socket_.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(fds[0]);
  if (guard_pid_ < 0) {
    ::close(fds[1]);
    ADD_FAILURE() << "fork failed";
    return;
  }
  guard_fd_ = fds[1];  // close-on-exec: no other child of the test holds it open
}

void ContainerdServer::start() {
  ready_ = false;
  process_ = std::make_unique<ignite::testing::ChildProcess>(
      std::vector<std::string>{kContainerdBinary, "--config", config_}, log_,
      "install Debian's containerd and runc (scripts/install-deps)");
  bool exited = false;
  // The socket first: ctr waits 10 s for one that does not exist yet.
  ready_ = wait_until(kWaitBound, [&] {
             if (!process_->running()) {
               exited = true;
               return true;
             }
             std::string out;
             return fs::exists(socket_) &&
                    run_command(std::string(kCtrBinary) + " --connect-timeout 2s -a " +
                                    shell_quote(socket_) + " version >/dev/null 2>&1",
                                &out, 10) == 0;
           }) &&
           !exited;
  if (!ready_) {
    ADD_FAILURE() << "containerd did not answer on " << socket_ << (exited ? " (it exited)" : "")
                  << ":\n"
                  << log_tail();
  }
}

void ContainerdServer::restart() {
  process_.reset();
  start();
}

std::string ContainerdServer::log_tail() const {
  const std::string log = read_text(log_);
  constexpr std::size_t kTail = 4000;
  return log.size() > kTail ? "..." + log.substr(log.size() - kTail) : log;
}

int ContainerdServer::ctr(const std::string& args, std::string* out) const {
  return run_command(std::string(kCtrBinary) + " -a " + shell_quote(socket_) + " " + args + " 2>&1",
                     out, kCtrTimeoutSeconds);
}

std::string ContainerdServer::ctr_ok(const std::string& args) const {
  std::string out;
  const int rc = ctr(args, &out);
  EXPECT_EQ(rc, 0) << "ctr " << args << ":\n" << out;
  return out;
}

std::map<std::string, std::string> ContainerdServer::images(const std::string& ns) const {
  std::map<std::string, std::string> out;
  const std::vector<std::string> lines = lines_of(ctr_ok("-n " + shell_quote(ns) + " images ls"));
  // REF TYPE DIGEST SIZE PLATFORMS LABELS; the first line is that header.
  for (std::size_t i = 1; i < lines.size(); ++i) {
    std::istringstream fields(lines[i]);
    std::string ref, type, digest;
    fields >> ref >> type >> digest;
    out[ref] = digest;
  }
  return out;
}

std::set<std::string> ContainerdServer::content(const std::string& ns) const {
  const std::vector<std::string> lines =
      lines_of(ctr_ok("-n " + shell_quote(ns) + " content ls -q"));
  return {lines.begin(), lines.end()};
}

std::vector<std::string> ContainerdServer::leases(const std::string& ns) const {
  return lines_of(ctr_ok("-n " + shell_quote(ns) + " leases ls -q"));
}

void ContainerdServer::remove_container(const std::string& ns, const std::string& id) {
  const std::string n = "-n " + shell_quote(ns) + " ";
  std::string out;
  // Either may be gone already (or never made): only what is left afterwards matters.
  ctr(n + "task rm -f " + shell_quote(id), &out);
  ctr(n + "containers rm " + shell_quote(id), &out);
  std::string tasks = ctr_ok(n + "task ls -q");
  std::string containers = ctr_ok(n + "containers ls -q");
  for (const auto& left : {lines_of(tasks), lines_of(containers)}) {
    EXPECT_EQ(std::count(left.begin(), left.end(), id), 0)
        << "could not remove container " << ns << "/" << id << ": " << out;
  }
  std::erase(containers_, std::make_pair(ns, id));
}

std::string ContainerdServer::run_and_post(const std::string& image, const std::string& payload,
                                           const std::string& ns) {
  const std::string id = unique_container_id();
  const std::string log = dir_ / (id + ".log");
  containers_.emplace_back(ns, id);
  struct Remove {
    ContainerdServer* server;
    const std::string& ns;
    const std::string& id;
    ~Remove() { server->remove_container(ns, id); }
  } remove{this, ns, id};

  std::string out;
  if (ctr("-n " + shell_quote(ns) + " run -d --net-host --log-uri " + shell_quote("file://" + log) +
              " --env PORT=0 " + shell_quote(image) + " " + shell_quote(id),
          &out) != 0) {
    ADD_FAILURE() << "ctr run " << image << ":\n" << out;
    return "";
  }
  // "ignite-host: listening on 0.0.0.0:PORT (...)" (templates/python/host.py).
  const std::string marker = "listening on 0.0.0.0:";
  std::string port;
  wait_until(kWaitBound, [&] {
    const std::string text = read_text(log);
    const auto at = text.find(marker);
    if (at == std::string::npos) return false;
    const auto begin = at + marker.size();
    port = text.substr(begin, text.find_first_not_of("0123456789", begin) - begin);
    return true;
  });
  if (port.empty()) {
    std::string tasks;
    ctr("-n " + shell_quote(ns) + " task ls", &tasks);
    ADD_FAILURE() << image << " did not listen within the bound; its log:\n"
                  << read_text(log) << "\ntasks:\n"
                  << tasks;
    return "";
  }
  // It listens: the first connection should do, but retry a refused one anyway (bounded).
  const std::string curl = "curl -sS -X POST -H 'Content-Type: application/json' --data-binary " +
                           shell_quote(payload) + " -w '\\n%{http_code}' http://127.0.0.1:" + port +
                           "/";
  int rc = -1;
  wait_until(kWaitBound, [&] {
    rc = run_command(curl + " 2>&1", &out, 30);
    return rc == 0;
  });
  if (rc != 0) {
    ADD_FAILURE() << "POST to " << image << " on port " << port << ": " << out << "\nits log:\n"
                  << read_text(log);
    return "";
  }
  const auto newline = out.rfind('\n');
  const std::string status = out.substr(newline + 1);
  const std::string body = out.substr(0, newline);
  EXPECT_EQ(status, "200") << body << "\nits log:\n" << read_text(log);
  return body;
}

}  // namespace ignite::containerd::testing
