#include "builder/pipeline/publish_lock.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <sstream>

#include "builder/store/build_id.h"
#include "builder/util/wall_clock.h"

namespace ignite::pipeline {
namespace {

std::string host_name() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0) return "localhost";
  std::string out(name);
  std::replace(out.begin(), out.end(), ':', '_');  // ':' separates the holder's fields
  return out;
}

// Field 22 of /proc/PID/stat, the process's start time in clock ticks since boot; "" when the
// process does not exist.
std::string process_start(long pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto paren = stat.rfind(')');  // the command name may hold spaces and parentheses
  if (paren == std::string::npos) return "";
  std::istringstream fields(stat.substr(paren + 2));
  std::string field;
  for (int i = 3; i <= 22 && (fields >> field); ++i) {
  }
  return field;
}

}  // namespace

Result<std::string> new_publish_lock_holder() {
  IGNITE_ASSIGN_OR_RETURN(std::string random, store::new_build_id());
  const long pid = static_cast<long>(::getpid());
  return host_name() + ":" + std::to_string(pid) + ":" + process_start(pid) + ":" +
         random.substr(2, 12);
}

bool publish_lock_holder_is_gone(std::string_view holder) {
  std::vector<std::string> parts;
  std::string part;
  std::istringstream in{std::string(holder)};
  while (std::getline(in, part, ':')) parts.push_back(part);
  if (parts.size() != 4 || parts[0] != host_name()) return false;  // another machine: its lease
  long pid = 0;
  const auto [end, ec] = std::from_chars(parts[1].data(), parts[1].data() + parts[1].size(), pid);
  if (ec != std::errc() || end != parts[1].data() + parts[1].size() || pid <= 0) return false;
  if (::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) return true;
  const std::string start = process_start(pid);
  return !start.empty() && start != parts[2];  // the pid was reused by another process
}

Result<std::unique_ptr<PublishLock>> PublishLock::acquire(store::VersionStore& versions,
                                                          const store::StoreBackend& backend,
                                                          const store::AppId& app,
                                                          const PublishLockOptions& options) {
  const auto now = options.now_ms ? options.now_ms : std::function<std::int64_t()>(unix_now_ms);
  IGNITE_ASSIGN_OR_RETURN(std::string holder, new_publish_lock_holder());
  const std::int64_t give_up = now() + options.wait.count();
  auto pause = std::chrono::milliseconds(20);
  for (;;) {
    store::VersionStore::LockBusy busy;
    IGNITE_ASSIGN_OR_RETURN(
        std::optional<store::PublishLockLease> lease,
        versions.take_publish_lock(app, holder, now(), options.lease.count(), &busy));
    if (!lease && publish_lock_holder_is_gone(busy.holder)) {
      IGNITE_ASSIGN_OR_RETURN(
          lease, versions.take_publish_lock(app, holder, now(), options.lease.count(), &busy,
                                            busy.holder));
    }
    if (lease) {
      std::unique_ptr<PublishLock> lock(new PublishLock(versions, app, std::move(*lease)));
      lock->start_renewal(backend, options);
      return lock;
    }
    if (now() >= give_up) {
      return unavailable("the publish lock of " + app.to_string() + " is held by " + busy.holder +
                         " (another publication of the app); gave up after " +
                         std::to_string(options.wait.count() / 1000) + " s");
    }
    // Publications of one app are serial: waiting here is the design, not a fault.
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(500));
  }
}

void PublishLock::start_renewal(const store::StoreBackend& backend,
                                const PublishLockOptions& options) {
  if (options.renew_every.count() <= 0) return;
  renewal_ = std::thread([this, backend, options] {
    const auto now = options.now_ms ? options.now_ms : std::function<std::int64_t()>(unix_now_ms);
    // A connection is used by one thread at a time: the renewal has its own.
    auto versions = backend.open_versions(store::Database::Create::kNo);
    std::unique_lock lock(mutex_);
    while (!stop_) {
      if (cv_.wait_for(lock, options.renew_every, [this] { return stop_; })) break;
      if (!versions.ok()) continue;
      lock.unlock();
      Status renewed = (*versions)->renew_publish_lock(app_, lease_, now(), options.lease.count());
      lock.lock();
      // Taken over: the publication's next step is refused (its fence), nothing to do here.
      if (renewed.code() == Code::kAborted) break;
    }
  });
}

PublishLock::~PublishLock() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  cv_.notify_all();
  if (renewal_.joinable()) renewal_.join();
  (void)versions_.release_publish_lock(app_, lease_);
}

}  // namespace ignite::pipeline
