// The per-app publish lock (docs/publish-lock.md): publications of one app to a registry are
// serial, so that the number N taken for the tag vN stays the app's next one while the tag is set
// outside any store transaction. It is a lease row (VersionStore::take_publish_lock), not a flock:
// a stopped holder (SIGSTOP, a frozen VM) does not block the app for ever, and a holder on this
// machine whose process is gone frees it at once (a crashed build's next run need not wait).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "builder/store/app_id.h"
#include "builder/store/store_backend.h"
#include "builder/store/version_store.h"
#include "builder/util/status.h"

namespace ignite::pipeline {

struct PublishLockOptions {
  std::chrono::milliseconds lease{std::chrono::seconds(30)};
  // How long to wait while another live holder has the lock; then UNAVAILABLE (retry later).
  std::chrono::milliseconds wait{std::chrono::minutes(10)};
  // Renewed this often by a thread of its own (on a connection of its own) while held; 0: never
  // (tests use it to play a holder that stalls).
  std::chrono::milliseconds renew_every{std::chrono::seconds(10)};
  // Milliseconds since the Unix epoch; the system clock when unset (tests pass a fake one).
  std::function<std::int64_t()> now_ms;
};

// This process's holder names: "HOST:PID:START:RANDOM". START (the process's start time) tells a
// reused pid from the holder's.
Result<std::string> new_publish_lock_holder();
// Whether `holder` names a process of this machine that no longer runs.
bool publish_lock_holder_is_gone(std::string_view holder);

class PublishLock {
 public:
  // Takes the app's lock, waiting up to options.wait while another live holder has it.
  // `backend` is the store's database: the renewal thread opens its own connection to it.
  static Result<std::unique_ptr<PublishLock>> acquire(store::VersionStore& versions,
                                                      const store::StoreBackend& backend,
                                                      const store::AppId& app,
                                                      const PublishLockOptions& options);
  // Stops the renewal and releases the lock (best effort: an unreleased lease just expires).
  ~PublishLock();
  PublishLock(const PublishLock&) = delete;
  PublishLock& operator=(const PublishLock&) = delete;

  const store::PublishLockLease& lease() const { return lease_; }

 private:
  PublishLock(store::VersionStore& versions, store::AppId app, store::PublishLockLease lease)
      : versions_(versions), app_(std::move(app)), lease_(std::move(lease)) {}
  void start_renewal(const store::StoreBackend& backend, const PublishLockOptions& options);

  store::VersionStore& versions_;
  store::AppId app_;
  store::PublishLockLease lease_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread renewal_;
};

}  // namespace ignite::pipeline
