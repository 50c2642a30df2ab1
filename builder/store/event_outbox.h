// The event outbox (docs/events.md): every build event, once the outbox is on, waits here until
// the control plane's receiver has it. An event enters in the transaction of its state change
// (the queue writes both together), so that no state change is ever recorded without its event
// being sent, whatever process dies when.
//
// EventOutbox is the interface; SqliteEventOutbox (sqlite_event_outbox.h) fills it for the
// embedded store. Delivery itself (HTTP, signatures, retries) is src/events/event_delivery.h.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "builder/store/app_id.h"
#include "builder/store/build_queue.h"
#include "builder/util/status.h"

namespace ignite::store {

// An event with the app of its build: what is sent.
struct OutboxEvent {
  AppId app;
  BuildEvent event;
};

struct EventKey {
  std::string build_id;
  std::int64_t sequence = 0;
};

struct OutboxStats {
  std::int64_t depth = 0;         // events not yet delivered
  std::int64_t oldest_at_ms = 0;  // when the oldest of them was recorded; 0 when none
};

class EventOutbox {
 public:
  virtual ~EventOutbox() = default;

  // Turns the outbox on for the store: from this transaction on, every event any process records
  // enters it. Events recorded before stay out (they are in the builds' histories, not sent).
  // Idempotent.
  virtual Status enable() = 0;
  virtual Result<bool> enabled() = 0;

  // The deliverer's lease (one at a time per store, so that a build's events leave in order):
  // takes it for `owner` when free, expired or already `owner`'s, and renews it for `lease`.
  // Returns whether `owner` holds it now.
  virtual Result<bool> take_delivery_lease(std::string_view owner,
                                           std::chrono::milliseconds lease) = 0;
  // Gives it up (when `owner` holds it), so that another server can take over at once.
  virtual Status release_delivery_lease(std::string_view owner) = 0;

  // The next event of each of at most `max_builds` builds with events waiting: the lowest
  // sequence of each (a build's later events wait for it), the builds whose waiting event is
  // oldest first.
  virtual Result<std::vector<OutboxEvent>> next(int max_builds) = 0;

  // The receiver has these events: they leave the outbox, in one transaction (a no-op for one
  // that already left).
  virtual Status delivered(const std::vector<EventKey>& events) = 0;

  virtual Result<OutboxStats> stats() = 0;

 protected:
  EventOutbox() = default;
  EventOutbox(const EventOutbox&) = default;
  EventOutbox(EventOutbox&&) = default;
  EventOutbox& operator=(const EventOutbox&) = default;
  EventOutbox& operator=(EventOutbox&&) = default;
};

}  // namespace ignite::store
