// Waiting for a build to end, for a call that answers only then (PublishDraft). The queue has no
// notification across processes, so a waiter reads the build again whenever a worker of this
// process ends a turn (notify) and at least every `poll` (a worker in another process).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string_view>

#include "builder/store/build_queue.h"
#include "builder/util/status.h"

namespace ignite::service {

class BuildWaiter {
 public:
  explicit BuildWaiter(std::chrono::milliseconds poll = std::chrono::milliseconds(250))
      : poll_(poll) {}

  // A build may have ended: wakes every waiter.
  void notify();
  // The server is stopping: every wait, in progress or to come, ends at once with UNAVAILABLE
  // (the builds go on; a caller follows them by id).
  void shutdown();

  // The build once it has ended (SUCCEEDED, FAILED or CANCELLED), read from `queue`.
  // DEADLINE_EXCEEDED at `deadline`, CANCELLED when `abandoned` says the caller is gone,
  // UNAVAILABLE after shutdown(); the queue's errors as they are. The build itself goes on.
  Result<store::BuildRecord> wait(store::BuildQueue& queue, std::string_view id,
                                  std::chrono::steady_clock::time_point deadline,
                                  const std::function<bool()>& abandoned = nullptr);

 private:
  std::chrono::milliseconds poll_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::uint64_t generation_ = 0;
  bool stopping_ = false;
};

}  // namespace ignite::service
