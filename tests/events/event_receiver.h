// A control plane's event receiver for the tests and the bench (docs/events.md, "A receiver's
// duties"): an HTTP server on a loopback port that checks every POST's signature (a wrong one is
// answered 401 and not taken), drops repeats by eventId, and records each build's events in the
// order they came, noting any that came before the one ahead of it. It can be taken down (the
// port closed: connections refused) or made to refuse (503), and brought back on the same port.
#pragma once

#include <httplib.h>

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "builder/util/wall_clock.h"
#include "dodil/ignite/builder/v1/build.pb.h"
#include "src/api/json_mapping.h"
#include "src/events/event_signature.h"

namespace ignite::testing {

class EventReceiver {
 public:
  struct Received {
    dodil::ignite::builder::v1::BuildEvent event;
    std::string body;  // as it came
    std::chrono::steady_clock::time_point at;
    std::int64_t at_unix_ms = 0;  // the same moment on the system clock (for delays)
  };

  explicit EventReceiver(std::string secret) : secret_(std::move(secret)) { up(); }
  ~EventReceiver() { down(); }
  EventReceiver(const EventReceiver&) = delete;
  EventReceiver& operator=(const EventReceiver&) = delete;

  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/events"; }

  // Closes the port: senders meet "connection refused" until up().
  void down() {
    if (!server_) return;
    server_->stop();
    thread_.join();
    server_.reset();
  }
  // Listens again, on the same port after the first time.
  void up() {
    if (server_) return;
    server_ = std::make_unique<httplib::Server>();
    server_->Post("/events",
                  [this](const httplib::Request& req, httplib::Response& res) { take(req, res); });
    if (port_ == 0) {
      port_ = server_->bind_to_any_port("127.0.0.1");
    } else {
      for (int i = 0; i < 100 && !server_->bind_to_port("127.0.0.1", port_); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    }
    thread_ = std::thread([this] { server_->listen_after_bind(); });
    while (!server_->is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  // While set, every POST is answered 503 (the receiver is up but not taking events).
  void refuse(bool on) {
    std::lock_guard lock(mutex_);
    refusing_ = on;
  }

  // Each build's events as taken (repeats dropped), in the order they came.
  std::map<std::string, std::vector<Received>> builds() const {
    std::lock_guard lock(mutex_);
    return builds_;
  }
  std::size_t taken() const {
    std::lock_guard lock(mutex_);
    return taken_;
  }
  std::size_t repeats() const {
    std::lock_guard lock(mutex_);
    return repeats_;
  }
  // Events that came before an earlier event of their build: each a line saying which.
  std::vector<std::string> out_of_order() const {
    std::lock_guard lock(mutex_);
    return out_of_order_;
  }
  std::size_t bad_signatures() const {
    std::lock_guard lock(mutex_);
    return bad_signatures_;
  }
  std::size_t refused() const {
    std::lock_guard lock(mutex_);
    return refused_;
  }

 private:
  void take(const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mutex_);
    if (refusing_) {
      ++refused_;
      res.status = 503;
      return;
    }
    const std::string timestamp = req.get_header_value(std::string(events::kTimestampHeader));
    const std::string signature = req.get_header_value(std::string(events::kSignatureHeader));
    if (!events::signature_matches(secret_, timestamp, req.body, signature)) {
      ++bad_signatures_;
      res.status = 401;
      res.set_content("bad signature", "text/plain");
      return;
    }
    dodil::ignite::builder::v1::BuildEvent e;
    if (Status s = api::parse_json(req.body, e); !s.ok()) {
      res.status = 400;
      res.set_content(s.message(), "text/plain");
      return;
    }
    auto& events = builds_[e.build_id()];
    const std::uint64_t last = events.empty() ? 0 : events.back().event.sequence();
    if (e.sequence() <= last) {
      ++repeats_;  // sent again (its acknowledgement was lost): drop it, answer 2xx
    } else {
      if (e.sequence() != last + 1) {
        out_of_order_.push_back(e.event_id() + " came after " + e.build_id() + ":" +
                                std::to_string(last));
      }
      const std::int64_t unix_ms = unix_now_ms();
      events.push_back({e, req.body, std::chrono::steady_clock::now(), unix_ms});
      ++taken_;
    }
    res.status = 204;
  }

  const std::string secret_;
  int port_ = 0;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  mutable std::mutex mutex_;
  bool refusing_ = false;
  std::map<std::string, std::vector<Received>> builds_;
  std::size_t taken_ = 0, repeats_ = 0, bad_signatures_ = 0, refused_ = 0;
  std::vector<std::string> out_of_order_;
};

}  // namespace ignite::testing
