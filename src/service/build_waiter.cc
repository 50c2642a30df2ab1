#include "src/service/build_waiter.h"

#include <algorithm>

namespace ignite::service {

void BuildWaiter::notify() {
  {
    std::lock_guard lock(mutex_);
    ++generation_;
  }
  cv_.notify_all();
}

void BuildWaiter::shutdown() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    ++generation_;
  }
  cv_.notify_all();
}

Result<store::BuildRecord> BuildWaiter::wait(store::BuildQueue& queue, std::string_view id,
                                             std::chrono::steady_clock::time_point deadline,
                                             const std::function<bool()>& abandoned) {
  for (;;) {
    std::uint64_t seen = 0;
    bool stopping = false;
    {
      std::lock_guard lock(mutex_);
      seen = generation_;  // before the read: a turn that ends after it wakes the wait below
      stopping = stopping_;
    }
    IGNITE_ASSIGN_OR_RETURN(store::BuildRecord build, queue.get(id));
    if (store::is_finished(build.state)) return build;
    if (stopping) {
      return unavailable("the server is stopping; build " + build.id + " goes on (" +
                         std::string(store::build_state_name(build.state)) +
                         "): follow it by its id");
    }
    if (abandoned && abandoned()) {
      return Status(Code::kCancelled, "the caller went away before build " + build.id + " ended");
    }
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) {
      return Status(Code::kDeadlineExceeded,
                    "build " + build.id + " is " +
                        std::string(store::build_state_name(build.state)) +
                        (build.stage.empty() ? "" : " (stage " + build.stage + ")"));
    }
    std::unique_lock lock(mutex_);
    cv_.wait_until(lock, std::min(deadline, now + poll_), [&] { return generation_ != seen; });
  }
}

}  // namespace ignite::service
