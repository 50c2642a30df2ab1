// Real git peers for the git source tests, all on loopback: repositories made with /usr/bin/git
// in a test's own directory, git daemon, and git http-backend behind a small cpp-httplib server
// (smart HTTP). Every git command runs with an emptied environment, a private HOME and
// GIT_CONFIG_NOSYSTEM=1, so nothing of the machine's or the user's git configuration counts.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <thread>

#include "tests/testing/temp_dir.h"

namespace httplib {
class Server;
}

namespace ignite::git::testing {

inline constexpr const char* kGit = "/usr/bin/git";
inline constexpr const char* kGitDaemon = "/usr/lib/git-core/git-daemon";
inline constexpr const char* kHttpBackend = "/usr/lib/git-core/git-http-backend";

// Empty when git, git daemon and git http-backend are all here; else what is missing (for
// GTEST_SKIP).
std::string missing_git_tools();

// A work-tree repository at `dir` (created), on branch main, committing as a fixed author.
class TestRepo {
 public:
  TestRepo(std::string dir, std::string home);
  const std::string& dir() const { return dir_; }

  // Runs `git ARGS` (ARGS shell-quoted as needed) in the repository; returns its stdout without
  // the trailing newline. A non-zero exit fails the test (ADD_FAILURE, with git's stderr).
  std::string git(const std::string& args) const;
  void write(const std::string& rel, const std::string& data, int mode = 0644) const;
  // Stages everything and commits; returns the new commit's id.
  std::string commit(const std::string& message) const;

 private:
  std::string dir_, home_;
};

// "env -i HOME=… GIT_CONFIG_NOSYSTEM=1 …": the prefix every git command of the tests runs under.
std::string git_env(const std::string& home);

// A loopback port that nothing listens on (bound, read and closed): a connection is refused.
int closed_port();

// git daemon serving every repository under `root` (--export-all), on 127.0.0.1.
class GitDaemon {
 public:
  GitDaemon(std::string root, std::string home);
  ~GitDaemon();
  GitDaemon(const GitDaemon&) = delete;
  GitDaemon& operator=(const GitDaemon&) = delete;
  // "git://127.0.0.1:PORT/<path relative to root>"
  std::string url(const std::string& rel) const;
  bool started() const { return port_ > 0; }

 private:
  bool start(int port);
  std::string root_, home_, log_;
  pid_t pid_ = -1;
  int port_ = 0;
};

// A self-signed certificate for "localhost" and its key, made with the openssl CLI in `dir`.
struct TlsFiles {
  std::string cert, key;
};
TlsFiles make_localhost_certificate(const std::string& dir);

// git http-backend (smart HTTP) as a CGI behind a cpp-httplib server on 127.0.0.1, port 0; over
// TLS with `tls` (then its URLs are https://localhost:PORT/...).
class GitHttpServer {
 public:
  GitHttpServer(std::string root, std::string home, const TlsFiles* tls = nullptr);
  ~GitHttpServer();
  GitHttpServer(const GitHttpServer&) = delete;
  GitHttpServer& operator=(const GitHttpServer&) = delete;
  // "http://127.0.0.1:PORT/<path relative to root>" (or "https://localhost:PORT/...")
  std::string url(const std::string& rel) const;
  bool started() const { return port_ > 0; }

 private:
  std::string root_, home_, base_url_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace ignite::git::testing
