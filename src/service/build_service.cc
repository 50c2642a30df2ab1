#include "src/service/build_service.h"

#include <google/protobuf/util/time_util.h>

#include "builder/pipeline/function_store.h"
#include "src/api/build_messages.h"
#include "src/service/connections.h"
#include "src/service/grpc_caller.h"
#include "src/service/org_scope.h"
#include "workers/store_queue.h"

namespace ignite::service {
namespace {

namespace v1 = dodil::ignite::builder::v1;
using api::to_proto;

// How often WatchBuild looks for new events: the queue has no notification across processes.
constexpr auto kWatchPoll = std::chrono::milliseconds(100);

void set_time(std::int64_t ms, google::protobuf::Timestamp* t) {
  *t = google::protobuf::util::TimeUtil::MillisecondsToTimestamp(ms);
}

void to_proto(const store::AppId& app, const store::VersionRecord& v, v1::Version* out) {
  out->set_app_id(app.to_string());
  out->set_number(static_cast<std::uint32_t>(v.number));
  out->set_code_hash(v.code_hash);
  out->set_image_digest(v.manifest_digest);
  out->set_lock_hash(v.lock_hash);
  out->set_sbom_digest(v.sbom_digest);
  out->set_provenance_digest(v.provenance_digest);
  set_time(v.created_at * 1000, out->mutable_published_at());
}

Result<store::AppId> parse_app(const std::string& text) {
  if (text.empty()) return invalid_argument("app_id is required (\"org/app\")");
  return store::AppId::parse(text);
}

// The app's versions. Another org's app is not looked up: it answers as an app without
// versions does (VersionStore::versions' NOT_FOUND).
Result<std::vector<store::VersionRecord>> versions_of(const store::StoreBackend& store,
                                                      const store::AppId& app,
                                                      const auth::Caller& caller) {
  if (!caller.sees(app.org())) {
    return not_found("no versions of " + app.to_string() + " in the store");
  }
  IGNITE_ASSIGN_OR_RETURN(Borrowed<store::VersionStore> versions, borrow_versions(store));
  return versions->versions(app);
}

// The build `id` when the caller may see it. Another org's build answers as a missing one does
// (the queue's NOT_FOUND), so a build id tells nothing about another org.
Result<store::BuildRecord> visible_build(store::BuildQueue& queue, const std::string& id,
                                         const auth::Caller& caller) {
  IGNITE_ASSIGN_OR_RETURN(store::BuildRecord b, queue.get(id));
  if (!caller.sees(b.app.org())) return not_found("build " + id + " not found");
  return b;
}

}  // namespace

grpc::Status to_grpc(const Status& status) {
  if (status.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), status.message());
}

// ---- WorkerPool ----

WorkerPool::WorkerPool(store::StoreBackend store, int threads, workers::WorkerOptions options,
                       std::function<void()> on_turn_end, std::chrono::milliseconds idle_poll,
                       metrics::Registry* metrics)
    : store_(std::move(store)),
      options_(std::move(options)),
      on_turn_end_(std::move(on_turn_end)),
      idle_poll_(idle_poll) {
  if (metrics != nullptr) metrics_.emplace(*metrics);
  for (int i = 0; i < threads; ++i) threads_.emplace_back([this, i] { run(i); });
}

WorkerPool::~WorkerPool() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  for (auto& t : threads_) t.join();
}

void WorkerPool::notify() {
  {
    std::lock_guard lock(mutex_);
    ++wakeups_;
  }
  wake_.notify_one();
}

void WorkerPool::run(int index) {
  workers::WorkerOptions options = options_;
  options.worker_id += ":" + std::to_string(index);
  // Opened on the first turn, and again on each later one while opening fails (the database
  // unreachable); an error of a turn is waited out as idleness is.
  Result<pipeline::FunctionStore> store = unavailable("the store is not opened yet");
  Result<std::unique_ptr<store::BuildQueue>> queue = unavailable("the queue is not opened yet");
  const workers::SourceStore sources(store_);
  pipeline::NullProgress quiet;
  std::optional<workers::StageTimer> timer;
  if (metrics_) timer.emplace(metrics_->stages(), quiet);
  pipeline::Progress& progress = timer ? static_cast<pipeline::Progress&>(*timer) : quiet;
  std::uint64_t seen = 0;
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (stop_) return;
      seen = wakeups_;
    }
    if (!store.ok()) {
      store = pipeline::FunctionStore::open(store_, pipeline::OpenStore::kCreateIfMissing);
    }
    if (!queue.ok()) queue = workers::open_store_queue(store_);
    bool idle = true;
    if (store.ok() && queue.ok()) {
      const auto started = std::chrono::steady_clock::now();
      auto turn = workers::run_one_build(*store, **queue, sources, options, progress);
      progress.done();  // the stage a failed build stopped in ends with the turn
      if (turn.ok() && metrics_) {
        metrics_->observe_turn(turn->outcome, std::chrono::steady_clock::now() - started);
      }
      idle = !turn.ok() || turn->outcome == workers::TurnOutcome::kIdle;
      if (!idle && on_turn_end_) on_turn_end_();
    }
    if (!idle) continue;
    std::unique_lock lock(mutex_);
    wake_.wait_for(lock, idle_poll_, [&] { return stop_ || wakeups_ != seen; });
  }
}

// ---- BuildServiceImpl ----

BuildServiceImpl::BuildServiceImpl(store::StoreBackend store, std::function<void()> on_submit,
                                   const auth::Authenticator& auth)
    : store_(std::move(store)), on_submit_(std::move(on_submit)), auth_(auth) {}

grpc::Status BuildServiceImpl::SubmitBuild(grpc::ServerContext* context,
                                           const v1::SubmitBuildRequest* req, v1::Build* out) {
  return with_caller(auth_, context,
                     [&](const auth::Caller& c) { return submit_build(c, *req, out); });
}

grpc::Status BuildServiceImpl::GetBuild(grpc::ServerContext* context,
                                        const v1::GetBuildRequest* req, v1::Build* out) {
  return with_caller(auth_, context,
                     [&](const auth::Caller& c) { return get_build(c, *req, out); });
}

grpc::Status BuildServiceImpl::ListBuilds(grpc::ServerContext* context,
                                          const v1::ListBuildsRequest* req,
                                          v1::ListBuildsResponse* out) {
  return with_caller(auth_, context,
                     [&](const auth::Caller& c) { return list_builds(c, *req, out); });
}

grpc::Status BuildServiceImpl::CancelBuild(grpc::ServerContext* context,
                                           const v1::CancelBuildRequest* req, v1::Build* out) {
  return with_caller(auth_, context,
                     [&](const auth::Caller& c) { return cancel_build(c, *req, out); });
}

grpc::Status BuildServiceImpl::GetBuildLog(grpc::ServerContext* context,
                                           const v1::GetBuildLogRequest* req, v1::BuildLog* out) {
  return with_caller(auth_, context,
                     [&](const auth::Caller& c) { return get_build_log(c, *req, out); });
}

grpc::Status BuildServiceImpl::ListVersions(grpc::ServerContext* context,
                                            const v1::ListVersionsRequest* req,
                                            v1::ListVersionsResponse* out) {
  return with_caller(auth_, context,
                     [&](const auth::Caller& c) { return list_versions(c, *req, out); });
}

grpc::Status BuildServiceImpl::GetVersion(grpc::ServerContext* context,
                                          const v1::GetVersionRequest* req, v1::Version* out) {
  return with_caller(auth_, context,
                     [&](const auth::Caller& c) { return get_version(c, *req, out); });
}

grpc::Status BuildServiceImpl::submit_build(const auth::Caller& caller,
                                            const v1::SubmitBuildRequest& req, v1::Build* out) {
  auto app = parse_app(req.app_id());
  if (!app.ok()) return to_grpc(app.status());
  if (Status may = check_may_create(caller, *app); !may.ok()) return to_grpc(may);
  if (req.has_git() && !req.source_code().empty()) {
    return to_grpc(invalid_argument("give source_code or git, not both"));
  }
  if (!req.has_git() && req.source_code().empty()) {
    return to_grpc(invalid_argument(
        "source_code is empty: give a file's or an archive's bytes, or git {url, ref, subdir}"));
  }
  auto queue = borrow_queue(store_);
  if (!queue.ok()) return to_grpc(queue.status());
  const store::BuildPriority priority = req.priority() == v1::BUILD_PRIORITY_PUBLISH
                                            ? store::BuildPriority::kPublish
                                            : store::BuildPriority::kNormal;
  const store::SubmitOptions options{.idempotency_key = req.idempotency_key()};
  auto build =
      req.has_git()
          ? workers::submit_git(
                store_, **queue, *app,
                git::GitSource{req.git().url(), req.git().ref(), req.git().subdir()}, priority,
                options)
          : workers::submit_draft(store_, **queue, *app, req.source_code(), priority, options);
  if (!build.ok()) {
    return to_grpc(build.status().with_context(req.has_git() ? "git" : "source_code"));
  }
  to_proto(*build, out);
  if (on_submit_) on_submit_();
  return grpc::Status::OK;
}

grpc::Status BuildServiceImpl::get_build(const auth::Caller& caller, const v1::GetBuildRequest& req,
                                         v1::Build* out) {
  auto queue = borrow_queue(store_);
  if (!queue.ok()) return to_grpc(queue.status());
  auto b = visible_build(**queue, req.id(), caller);
  if (!b.ok()) return to_grpc(b.status());
  to_proto(*b, out);
  return grpc::Status::OK;
}

grpc::Status BuildServiceImpl::list_builds(const auth::Caller& caller,
                                           const v1::ListBuildsRequest& req,
                                           v1::ListBuildsResponse* out) {
  store::BuildFilter filter;
  if (!req.app_id().empty()) {
    auto app = store::AppId::parse(req.app_id());
    if (!app.ok()) return to_grpc(app.status());
    filter.app = *app;
  }
  // Only the caller's org: another org's app lists nothing, as an app without builds does.
  filter.org = caller.org;
  // The state whose API name is the request's (to_proto, read backwards); UNSPECIFIED: any.
  for (store::BuildState s :
       {store::BuildState::kQueued, store::BuildState::kRunning, store::BuildState::kSucceeded,
        store::BuildState::kFailed, store::BuildState::kCancelled}) {
    if (to_proto(s) == req.state()) filter.state = s;
  }
  filter.page_size = static_cast<int>(std::min<std::uint32_t>(req.page_size(), 500));
  filter.page_token = req.page_token();
  auto queue = borrow_queue(store_);
  if (!queue.ok()) return to_grpc(queue.status());
  auto page = (*queue)->list(filter);
  if (!page.ok()) return to_grpc(page.status());
  for (const auto& b : page->builds) to_proto(b, out->add_builds());
  out->set_next_page_token(page->next_page_token);
  return grpc::Status::OK;
}

grpc::Status BuildServiceImpl::cancel_build(const auth::Caller& caller,
                                            const v1::CancelBuildRequest& req, v1::Build* out) {
  auto queue = borrow_queue(store_);
  if (!queue.ok()) return to_grpc(queue.status());
  // Seen first: another org's build is not cancelled, and answers as a missing one.
  if (auto seen = visible_build(**queue, req.id(), caller); !seen.ok()) {
    return to_grpc(seen.status());
  }
  auto b = (*queue)->request_cancel(req.id());
  if (!b.ok()) return to_grpc(b.status());
  to_proto(*b, out);
  return grpc::Status::OK;
}

Status BuildServiceImpl::watch(const auth::Caller& caller, const v1::WatchBuildRequest& req,
                               const std::function<bool(const v1::BuildEvent&)>& write,
                               const std::function<bool()>& gone) {
  IGNITE_ASSIGN_OR_RETURN(Borrowed<store::BuildQueue> queue, borrow_queue(store_));
  std::int64_t after = static_cast<std::int64_t>(req.after_sequence());
  for (;;) {
    if (gone()) return Status(Code::kCancelled, "watch cancelled");
    // The state first, then the events: every event up to a finished state is then sent.
    IGNITE_ASSIGN_OR_RETURN(store::BuildRecord build, visible_build(*queue, req.id(), caller));
    IGNITE_ASSIGN_OR_RETURN(std::vector<store::BuildEvent> events, queue->events(req.id(), after));
    for (const auto& e : events) {
      v1::BuildEvent out;
      to_proto(build.app, e, &out);
      if (!write(out)) return Status(Code::kCancelled, "watcher gone");
      after = e.sequence;
    }
    if (store::is_finished(build.state)) return ok_status();
    std::this_thread::sleep_for(kWatchPoll);
  }
}

grpc::Status BuildServiceImpl::WatchBuild(grpc::ServerContext* context,
                                          const v1::WatchBuildRequest* req,
                                          grpc::ServerWriter<v1::BuildEvent>* writer) {
  auto caller = grpc_caller(auth_, context);
  if (!caller.ok()) return to_grpc(caller.status());
  return to_grpc(watch(
      *caller, *req, [writer](const v1::BuildEvent& e) { return writer->Write(e); },
      [context] { return context->IsCancelled(); }));
}

grpc::Status BuildServiceImpl::get_build_log(const auth::Caller& caller,
                                             const v1::GetBuildLogRequest& req, v1::BuildLog* out) {
  auto queue = borrow_queue(store_);
  if (!queue.ok()) return to_grpc(queue.status());
  if (auto seen = visible_build(**queue, req.id(), caller); !seen.ok()) {
    return to_grpc(seen.status());
  }
  auto events = (*queue)->events(req.id(), 0);
  if (!events.ok()) return to_grpc(events.status());
  out->set_build_id(req.id());
  for (const auto& e : *events) {
    std::string line = google::protobuf::util::TimeUtil::ToString(
        google::protobuf::util::TimeUtil::MillisecondsToTimestamp(e.at_ms));
    line += " " + std::string(store::build_state_name(e.state));
    if (!e.stage.empty()) line += " " + e.stage;
    if (!e.message.empty()) line += ": " + e.message;
    out->add_lines(line);
  }
  return grpc::Status::OK;
}

grpc::Status BuildServiceImpl::list_versions(const auth::Caller& caller,
                                             const v1::ListVersionsRequest& req,
                                             v1::ListVersionsResponse* out) {
  auto app = parse_app(req.app_id());
  if (!app.ok()) return to_grpc(app.status());
  auto versions = versions_of(store_, *app, caller);
  if (!versions.ok()) return to_grpc(versions.status());
  for (const auto& v : *versions) to_proto(*app, v, out->add_versions());
  return grpc::Status::OK;
}

grpc::Status BuildServiceImpl::get_version(const auth::Caller& caller,
                                           const v1::GetVersionRequest& req, v1::Version* out) {
  auto app = parse_app(req.app_id());
  if (!app.ok()) return to_grpc(app.status());
  auto versions = versions_of(store_, *app, caller);
  if (!versions.ok()) return to_grpc(versions.status());
  for (const auto& v : *versions) {
    if (v.number == static_cast<std::int64_t>(req.number())) {
      to_proto(*app, v, out);
      return grpc::Status::OK;
    }
  }
  return to_grpc(not_found(app->to_string() + " has no version " + std::to_string(req.number())));
}

}  // namespace ignite::service
