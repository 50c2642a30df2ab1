// dodil.ignite.builder.v1.BuildService over gRPC, on the embedded store: builds go into the
// durable queue (docs/queue.md) and a pool of worker threads (WorkerPool) builds them. Each call
// opens its own queue connection: SQLite connections are not shared between threads that run
// transactions.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "builder/store/store_backend.h"
#include "dodil/ignite/builder/v1/build.grpc.pb.h"
#include "workers/build_metrics.h"
#include "src/auth/authenticator.h"
#include "workers/worker.h"

namespace ignite::service {

inline constexpr std::chrono::milliseconds kWorkerIdlePoll{500};

// Worker threads running workers::run_one_build, each on its own store and queue connections.
// notify() wakes an idle one at once (a submit); otherwise an idle worker looks again after
// `idle_poll`. `on_turn_end` is called after every turn that claimed a build (a BuildWaiter's
// notify: the build may have ended). With `metrics`, each build's stages and the build itself
// are timed there (workers/build_metrics.h).
class WorkerPool {
 public:
  WorkerPool(store::StoreBackend store, int threads, workers::WorkerOptions options,
             std::function<void()> on_turn_end = nullptr,
             std::chrono::milliseconds idle_poll = kWorkerIdlePoll,
             metrics::Registry* metrics = nullptr);
  ~WorkerPool();  // stops after the builds in progress
  void notify();

 private:
  void run(int index);

  store::StoreBackend store_;
  workers::WorkerOptions options_;
  std::function<void()> on_turn_end_;
  std::chrono::milliseconds idle_poll_;
  std::optional<workers::BuildMetrics> metrics_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::uint64_t wakeups_ = 0;
  std::vector<std::thread> threads_;
};

// Each gRPC method authenticates its call (grpc_caller.h), then runs the method of the same name
// below for that caller, which the HTTP gateway calls for its own authenticated requests. A
// caller sees its own org's builds and versions only; another org's answer NOT_FOUND exactly as
// missing ones do, and ListBuilds lists the caller's org (docs/auth.md).
class BuildServiceImpl final : public dodil::ignite::builder::v1::BuildService::Service {
 public:
  // `on_submit` is called after each accepted submission (the pool's notify).
  BuildServiceImpl(store::StoreBackend store, std::function<void()> on_submit,
                   const auth::Authenticator& auth);

  grpc::Status SubmitBuild(grpc::ServerContext*,
                           const dodil::ignite::builder::v1::SubmitBuildRequest*,
                           dodil::ignite::builder::v1::Build*) override;
  grpc::Status GetBuild(grpc::ServerContext*, const dodil::ignite::builder::v1::GetBuildRequest*,
                        dodil::ignite::builder::v1::Build*) override;
  grpc::Status ListBuilds(grpc::ServerContext*,
                          const dodil::ignite::builder::v1::ListBuildsRequest*,
                          dodil::ignite::builder::v1::ListBuildsResponse*) override;
  grpc::Status CancelBuild(grpc::ServerContext*,
                           const dodil::ignite::builder::v1::CancelBuildRequest*,
                           dodil::ignite::builder::v1::Build*) override;
  grpc::Status WatchBuild(grpc::ServerContext*,
                          const dodil::ignite::builder::v1::WatchBuildRequest*,
                          grpc::ServerWriter<dodil::ignite::builder::v1::BuildEvent>*) override;
  grpc::Status GetBuildLog(grpc::ServerContext*,
                           const dodil::ignite::builder::v1::GetBuildLogRequest*,
                           dodil::ignite::builder::v1::BuildLog*) override;
  grpc::Status ListVersions(grpc::ServerContext*,
                            const dodil::ignite::builder::v1::ListVersionsRequest*,
                            dodil::ignite::builder::v1::ListVersionsResponse*) override;
  grpc::Status GetVersion(grpc::ServerContext*,
                          const dodil::ignite::builder::v1::GetVersionRequest*,
                          dodil::ignite::builder::v1::Version*) override;

  // The calls for an authenticated caller.
  grpc::Status submit_build(const auth::Caller&,
                            const dodil::ignite::builder::v1::SubmitBuildRequest&,
                            dodil::ignite::builder::v1::Build*);
  grpc::Status get_build(const auth::Caller&, const dodil::ignite::builder::v1::GetBuildRequest&,
                         dodil::ignite::builder::v1::Build*);
  grpc::Status list_builds(const auth::Caller&,
                           const dodil::ignite::builder::v1::ListBuildsRequest&,
                           dodil::ignite::builder::v1::ListBuildsResponse*);
  grpc::Status cancel_build(const auth::Caller&,
                            const dodil::ignite::builder::v1::CancelBuildRequest&,
                            dodil::ignite::builder::v1::Build*);
  grpc::Status get_build_log(const auth::Caller&,
                             const dodil::ignite::builder::v1::GetBuildLogRequest&,
                             dodil::ignite::builder::v1::BuildLog*);
  grpc::Status list_versions(const auth::Caller&,
                             const dodil::ignite::builder::v1::ListVersionsRequest&,
                             dodil::ignite::builder::v1::ListVersionsResponse*);
  grpc::Status get_version(const auth::Caller&,
                           const dodil::ignite::builder::v1::GetVersionRequest&,
                           dodil::ignite::builder::v1::Version*);

  // WatchBuild for both transports, for an authenticated caller: hands `write` each event after
  // `after_sequence` as it is recorded, until the build has finished (OK) or `write` returns
  // false or `gone` true (CANCELLED). NOT_FOUND for an unknown build or another org's.
  Status watch(const auth::Caller& caller,
               const dodil::ignite::builder::v1::WatchBuildRequest& req,
               const std::function<bool(const dodil::ignite::builder::v1::BuildEvent&)>& write,
               const std::function<bool()>& gone);

 private:
  store::StoreBackend store_;
  std::function<void()> on_submit_;
  const auth::Authenticator& auth_;
};

// A Status as gRPC's (same codes).
grpc::Status to_grpc(const Status& status);

}  // namespace ignite::service
