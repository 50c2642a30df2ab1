#include "tests/testing/postgres_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "tests/testing/loopback_port.h"

namespace ignite::testing {
namespace {

namespace fs = std::filesystem;

constexpr const char* kPostgresRoot = "/usr/lib/postgresql";
constexpr const char* kRunuser = "/usr/sbin/runuser";
constexpr const char* kServerUser = "postgres";  // Debian's, made by the postgresql package

// Bounds so a broken setup fails instead of hanging, not assertions on speed: initdb and a start
// take about a second each here.
constexpr int kInitdbTimeoutSeconds = 120;
constexpr auto kStartBound = std::chrono::seconds(60);
constexpr auto kStopBound = std::chrono::seconds(30);

// The user the server runs as when the tests run as root; nullopt when they do not (it then
// runs as the test's user) or when there is no such user.
std::optional<RunAs> server_user() {
  if (::geteuid() != 0) return std::nullopt;
  const passwd* pw = ::getpwnam(kServerUser);
  if (pw == nullptr) return std::nullopt;
  return RunAs{pw->pw_uid, pw->pw_gid};
}

// The lines of the server's postmaster.pid: its pid first and, from PostgreSQL 10 on, its state
// ("starting", "ready", "stopping") eighth. Empty while there is no such file.
std::vector<std::string> postmaster_pid_lines(const std::string& data) {
  std::vector<std::string> lines;
  std::ifstream f(data + "/postmaster.pid");
  std::string line;
  while (std::getline(f, line)) lines.push_back(line);
  return lines;
}

std::string trim(std::string s) {
  s.erase(
      std::find_if(s.rbegin(), s.rend(), [](unsigned char c) { return !std::isspace(c); }).base(),
      s.end());
  s.erase(s.begin(),
          std::find_if(s.begin(), s.end(), [](unsigned char c) { return !std::isspace(c); }));
  return s;
}

}  // namespace

std::string postgres_bin_dir() {
  std::error_code ec;
  int newest = -1;
  for (auto it = fs::directory_iterator(kPostgresRoot, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.empty() || !std::all_of(name.begin(), name.end(), ::isdigit)) continue;
    const fs::path bin = it->path() / "bin";
    if (::access((bin / "initdb").c_str(), X_OK) != 0 ||
        ::access((bin / "postgres").c_str(), X_OK) != 0) {
      continue;
    }
    newest = std::max(newest, std::stoi(name));
  }
  if (newest < 0) return "";
  return std::string(kPostgresRoot) + "/" + std::to_string(newest) + "/bin";
}

std::string postgres_unavailable_reason() {
  if (postgres_bin_dir().empty()) {
    return std::string("no PostgreSQL server binaries (initdb, postgres) under ") + kPostgresRoot +
           "/<version>/bin";
  }
  if (::geteuid() == 0) {
    if (!server_user()) {
      return std::string("running as root, and there is no user `") + kServerUser +
             "` to run PostgreSQL as (it refuses root)";
    }
    if (::access(kRunuser, X_OK) != 0) {
      return std::string("running as root, and ") + kRunuser + " is missing";
    }
  }
  return "";
}

PostgresServer::PostgresServer() {
  bin_ = postgres_bin_dir();
  data_ = dir_ / "data";
  sockets_ = dir_ / "sockets";
  log_ = dir_ / "postgres.log";
  run_as_ = server_user();
  if (bin_.empty()) {
    ADD_FAILURE() << "no PostgreSQL binaries: " << kPostgresInstallHint;
    return;
  }
  dir_.mkdir("sockets");
  if (run_as_) {
    // The temporary directory is the root's, mode 0700: handed over whole, so that the server's
    // user can reach its data and sockets. Root still removes it at the end.
    for (const std::string& p : {dir_.path(), sockets_}) {
      if (::chown(p.c_str(), run_as_->uid, run_as_->gid) != 0) {
        ADD_FAILURE() << "chown " << p << " to " << kServerUser << ": " << std::strerror(errno);
        return;
      }
    }
  }
  // -N: no fsync of the new files; trust: any local user may connect as any role, fine for a
  // throw-away server on loopback.
  const std::string initdb =
      (run_as_ ? std::string(kRunuser) + " -u " + kServerUser + " -- " : "") +
      shell_quote(bin_ + "/initdb") + " -D " + shell_quote(data_) +
      " -A trust -U postgres -E UTF8 --locale=C -N --no-instructions";
  std::string out;
  if (run_command(initdb + " 2>&1", &out, kInitdbTimeoutSeconds) != 0) {
    ADD_FAILURE() << "initdb failed: " << initdb << "\n" << out;
    return;
  }
  // Each retry needs another process to take the port in the moment between the probe and the
  // server's bind; five in a row would mean something else is wrong.
  constexpr int kAttempts = 5;
  for (int attempt = 1; attempt <= kAttempts; ++attempt) {
    const int port = free_loopback_port();
    if (port <= 0) {
      ADD_FAILURE() << "no free loopback port";
      return;
    }
    switch (start(port)) {
      case Start::kReady:
        return;
      case Start::kFailed:
        return;
      case Start::kAddressInUse:
        std::ofstream(log_, std::ios::app) << "(port " << port << " was taken: starting again)\n";
        break;
    }
  }
  ADD_FAILURE() << "postgres found its port taken " << kAttempts << " times:\n" << log_tail();
}

PostgresServer::~PostgresServer() { stop(); }

PostgresServer::Start PostgresServer::start(int port) {
  port_ = port;
  ready_ = false;
  const std::size_t log_before = read_text(log_).size();  // earlier runs' lines
  // fsync off and small shared buffers: a test's data is thrown away, and many servers may run
  // at once under ctest -j.
  process_ = std::make_unique<ChildProcess>(
      std::vector<std::string>{bin_ + "/postgres", "-D", data_, "-k", sockets_, "-p",
                               std::to_string(port), "-c", "listen_addresses=127.0.0.1", "-c",
                               "fsync=off", "-c", "shared_buffers=16MB", "-c",
                               "max_connections=100"},
      log_, kPostgresInstallHint, run_as_);
  bool exited = false;
  // Ready when the server itself says so in its postmaster.pid (its pid first, "ready" eighth):
  // a connection to the port could reach another test's server, should ours have failed.
  wait_until(kStartBound, [&] {
    const std::vector<std::string> lines = postmaster_pid_lines(data_);
    ready_ = lines.size() >= 8 && trim(lines[0]) == std::to_string(process_->pid()) &&
             trim(lines[7]) == "ready";
    exited = !ready_ && !process_->running();
    return ready_ || exited;
  });
  if (ready_) return Start::kReady;
  const std::string log = read_text(log_);
  if (exited && log.find("Address already in use", log_before) != std::string::npos) {
    return Start::kAddressInUse;
  }
  ADD_FAILURE() << "postgres did not start on 127.0.0.1:" << port << (exited ? " (it exited)" : "")
                << ":\n"
                << log.substr(std::min(log_before, log.size()));
  return Start::kFailed;
}

void PostgresServer::stop() {
  ready_ = false;
  if (!process_) return;
  if (process_->running()) {
    // SIGINT is PostgreSQL's fast shutdown (SIGTERM, ChildProcess's, waits for every session to
    // end); SIGQUIT, its immediate one, only when that does not end it.
    ::kill(process_->pid(), SIGINT);
    if (!wait_until(kStopBound, [&] { return !process_->running(); })) {
      ADD_FAILURE() << "postgres did not stop on SIGINT:\n" << log_tail();
      ::kill(process_->pid(), SIGQUIT);
    }
  }
  process_.reset();
}

void PostgresServer::start_again() {
  stop();
  if (start(port_) != Start::kReady) {
    ADD_FAILURE() << "postgres did not start again on port " << port_;
  }
}

std::string PostgresServer::url(const std::string& database) const {
  return "postgres://postgres@127.0.0.1:" + std::to_string(port_) + "/" + database;
}

std::string PostgresServer::create_database() {
  const std::string name = "t_" + std::to_string(++databases_);
  const std::string error = run_sql("postgres", "CREATE DATABASE " + name);
  if (!error.empty()) {
    ADD_FAILURE() << "CREATE DATABASE " << name << ": " << error;
    return "";
  }
  return url(name);
}

std::string PostgresServer::run_sql(const std::string& database, const std::string& sql) const {
  const std::string conninfo = url(database) + "?connect_timeout=10";
  PGconn* conn = ::PQconnectdb(conninfo.c_str());
  std::string error;
  if (::PQstatus(conn) != CONNECTION_OK) {
    error = ::PQerrorMessage(conn);
  } else {
    PGresult* res = ::PQexec(conn, sql.c_str());
    const ExecStatusType status = ::PQresultStatus(res);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      error = ::PQresultErrorMessage(res);
      if (error.empty()) error = ::PQerrorMessage(conn);
    }
    ::PQclear(res);
  }
  ::PQfinish(conn);
  return trim(error);
}

std::string PostgresServer::log_tail() const {
  const std::string log = read_text(log_);
  constexpr std::size_t kTail = 4000;
  return log.size() > kTail ? "..." + log.substr(log.size() - kTail) : log;
}

PostgresServer& shared_postgres() {
  static PostgresServer server;
  return server;
}

}  // namespace ignite::testing
