// `ignite-builder serve` as a separate process, for the tests that kill it: started in the
// background with an environment (IGNITE_FAULT=...), its HTTP port read from what it prints,
// waited for or killed. It never outlives the test.
#pragma once

#include <httplib.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "tests/pipeline/pipeline_testing.h"
#include "tests/testing/temp_dir.h"

namespace ignite::testing {

class ServeProcess {
 public:
  // Starts `env ignite-builder serve ARGS --http 127.0.0.1:0` with its files under `dir` (which
  // must exist); `name` tells the runs apart.
  ServeProcess(const std::string& dir, const std::string& name, const std::string& env,
               const std::string& args)
      : log_(dir + "/" + name + ".log"),
        rc_(dir + "/" + name + ".rc"),
        pid_(dir + "/" + name + ".pid") {
    sh("(env " + env + " " + std::string(IGNITE_BINARY) + " serve " + args +
       " --http 127.0.0.1:0 2>" + shell_quote(log_) + " </dev/null & echo $! >" +
       shell_quote(pid_) + "; wait $!; echo $? >" + shell_quote(rc_) + ") >/dev/null 2>&1 &");
    for (int i = 0; i < 600 && port_ == 0; ++i) {
      const std::string port =
          sh("sed -n 's|.*HTTP/JSON on http://127.0.0.1:\\([0-9]*\\),.*|\\1|p' " +
             shell_quote(log_) + " 2>/dev/null || true");
      if (!port.empty()) port_ = std::stoi(port);
      if (port_ == 0) {
        if (!exit_code().empty()) break;  // it stopped before listening
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    }
    if (port_ != 0) {
      client_ = std::make_unique<httplib::Client>("127.0.0.1", port_);
      client_->set_read_timeout(std::chrono::seconds(150));
    }
  }
  // Kills it and waits (bounded) for the subshell to write its exit status: written after the
  // test's directory is removed, the file would keep that directory alive.
  ~ServeProcess() {
    sh("kill -KILL $(cat " + shell_quote(pid_) + ") 2>/dev/null || true");
    (void)wait(10);
  }
  ServeProcess(const ServeProcess&) = delete;
  ServeProcess& operator=(const ServeProcess&) = delete;

  bool listening() const { return port_ != 0; }
  int port() const { return port_; }
  std::string log() const { return sh("cat " + shell_quote(log_) + " 2>/dev/null || true"); }
  // Its exit status ("137\n" for SIGKILL), or "" while it runs.
  std::string exit_code() const { return sh("cat " + shell_quote(rc_) + " 2>/dev/null || true"); }
  // Waits up to `seconds` for it to end; its exit status, "" if it did not.
  std::string wait(int seconds) const {
    std::string code;
    for (int i = 0; i < seconds * 20 && code.empty(); ++i) {
      code = exit_code();
      if (code.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return code;
  }
  void signal(const std::string& name) const {
    sh("kill -" + name + " $(cat " + shell_quote(pid_) + ") 2>/dev/null || true");
  }

  struct Reply {
    int status = 0;  // -1: no answer (the server is gone)
    std::string body;
  };
  Reply post(const std::string& path, const std::string& json) {
    if (!client_) return {-1, "not listening"};
    auto r = client_->Post(path, json, "application/json");
    if (!r) return {-1, httplib::to_string(r.error())};
    return {r->status, r->body};
  }
  Reply get(const std::string& path) {
    if (!client_) return {-1, "not listening"};
    auto r = client_->Get(path);
    if (!r) return {-1, httplib::to_string(r.error())};
    return {r->status, r->body};
  }

 private:
  std::string log_, rc_, pid_;
  int port_ = 0;
  std::unique_ptr<httplib::Client> client_;
};

}  // namespace ignite::testing
