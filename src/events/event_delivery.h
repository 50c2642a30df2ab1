// Delivers the store's event outbox to the control plane (docs/events.md): each event POSTed as
// JSON (the BuildEvent message, proto3 JSON mapping) to one URL, signed (event_signature.h), at
// least once, in order per build, retried with capped backoff while the receiver is down or
// refuses, and never in the way of a build: it runs on a thread of its own, with a database
// connection of its own, and only reads events and deletes delivered ones.
//
// One deliverer per store at a time (the outbox's delivery lease): a second `serve` on the same
// store waits and takes over when the first stops or dies.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "builder/store/store_backend.h"
#include "builder/util/status.h"

namespace ignite::events {

struct EventDeliveryOptions {
  std::string url;      // http:// or https://
  std::string secret;   // the HMAC key, shared with the receiver
  std::string ca_file;  // PEM CAs to trust for https, instead of the system's; "" = system's
  std::string owner;    // the delivery lease's owner: unique per process ("host:pid")
  int senders = 4;      // events of different builds in flight at once
  int batch = 64;       // builds whose next event is taken per round
  std::chrono::milliseconds poll{20};      // how often an empty outbox is looked at again
  std::chrono::milliseconds lease{15000};  // the delivery lease, renewed every round
  std::chrono::milliseconds backoff_min{250};
  std::chrono::milliseconds backoff_max{10000};  // the cap while the receiver stays down
  std::chrono::milliseconds timeout{10000};      // one POST: connect, and stalled transfer
  // Where delivery reports trouble and recovery, a line at a time; stderr when unset.
  std::function<void(const std::string&)> log;
};

struct EventDeliveryStats {
  std::int64_t delivered = 0;  // events acknowledged (2xx) since start
  std::int64_t failures = 0;   // POSTs that failed or were refused
  std::string last_error;      // the last failure, "" since the last success
};

class EventDelivery {
 public:
  // Checks the options, turns the store's outbox on (every event from now on is kept until
  // delivered) and starts the thread. INVALID_ARGUMENT for a bad URL or an empty secret.
  static Result<std::unique_ptr<EventDelivery>> start(const store::StoreBackend& store,
                                                      EventDeliveryOptions options);
  // Stops after the POSTs in flight (each bounded by the timeout) and gives up the lease.
  ~EventDelivery();
  EventDelivery(const EventDelivery&) = delete;
  EventDelivery& operator=(const EventDelivery&) = delete;

  EventDeliveryStats stats() const;

 private:
  EventDelivery(store::StoreBackend store, EventDeliveryOptions options);
  void run();
  // Waits `d`, or less when stopping; returns false when stopping.
  bool wait(std::chrono::milliseconds d);
  void log(const std::string& line) const;

  const store::StoreBackend store_;
  const EventDeliveryOptions options_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  EventDeliveryStats stats_;
  std::thread thread_;
};

}  // namespace ignite::events
