// Waiting out a store that cannot be reached, for `worker` and `serve`: PostgreSQL restarting or
// not up yet (a whole site starting at once starts its builders before its database), SQLite busy
// past its timeout. Anything but UNAVAILABLE is an answer, and is not waited on.
#pragma once

#include <chrono>
#include <ostream>
#include <string>
#include <utility>

#include "builder/util/status.h"
#include "src/cli/worker_flags.h"

namespace ignite::cli {

class UnavailableWait {
 public:
  // `who` starts each line written to `err` ("worker", "serve").
  UnavailableWait(std::string who, std::ostream& err) : who_(std::move(who)), err_(err) {}

  // When `status` is UNAVAILABLE and no stop was asked for: writes what failed and how long it
  // waits, waits (1 s, doubling to 30 s; a stop ends the wait early) and returns true. Otherwise
  // returns false at once: the caller has its answer.
  bool wait_after(const Status& status, const StopSignals& stop);
  // After an answer: the next wait starts from 1 s again.
  void reset() { pause_ = kFirst; }

  // Calls `open` (returning a Result) until it answers with anything but UNAVAILABLE, or a stop
  // is asked for (then the last UNAVAILABLE is returned).
  template <class Open>
  auto until_answered(Open open, const StopSignals& stop) -> decltype(open()) {
    for (;;) {
      auto result = open();
      if (result.ok() || !wait_after(result.status(), stop)) {
        reset();
        return result;
      }
    }
  }

 private:
  static constexpr std::chrono::seconds kFirst{1};
  static constexpr std::chrono::seconds kLongest{30};
  std::string who_;
  std::ostream& err_;
  std::chrono::seconds pause_ = kFirst;
};

}  // namespace ignite::cli
