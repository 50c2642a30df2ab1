#include "src/service/build_service.h"

#include <google/protobuf/util/time_util.h>

#include "builder/pipeline/function_store.h"
#include "builder/store/version_store.h"
#include "src/api/build_messages.h"
#include "src/service/connections.h"
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
  set_time(v.created_at * 1000, out->mutable_published_at());
}

Result<store::AppId> parse_app(const std::string& text) {
  if (text.empty()) return invalid_argument("app_id is required (\"org/app\")");
  return store::AppId::parse(text);
}

Result<std::vector<store::VersionRecord>> versions_of(const std::string& store_dir,
                                                      const store::AppId& app) {
  IGNITE_ASSIGN_OR_RETURN(
      store::VersionStore versions,
      store::VersionStore::open(store_dir + "/ignite.db", store::Database::Create::kNo));
  return versions.versions(app);
}

}  // namespace

grpc::Status to_grpc(const Status& status) {
  if (status.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), status.message());
}

// ---- WorkerPool ----

WorkerPool::WorkerPool(std::string store_dir, int threads, workers::WorkerOptions options,
                       std::function<void()> on_turn_end, std::chrono::milliseconds idle_poll,
                       metrics::Registry* metrics)
    : store_dir_(std::move(store_dir)),
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
  auto store = pipeline::FunctionStore::open(store_dir_, pipeline::OpenStore::kCreateIfMissing);
  auto queue = workers::open_store_queue(store_dir_);
  const workers::SourceStore sources(store_dir_);
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
    bool idle = true;
    if (store.ok() && queue.ok()) {
      const auto started = std::chrono::steady_clock::now();
      auto turn = workers::run_one_build(*store, *queue, sources, options, progress);
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

BuildServiceImpl::BuildServiceImpl(std::string store_dir, std::function<void()> on_submit)
    : store_dir_(std::move(store_dir)), on_submit_(std::move(on_submit)) {}

grpc::Status BuildServiceImpl::SubmitBuild(grpc::ServerContext*, const v1::SubmitBuildRequest* req,
                                           v1::Build* out) {
  auto app = parse_app(req->app_id());
  if (!app.ok()) return to_grpc(app.status());
  if (req->source_code().empty()) {
    return to_grpc(invalid_argument("source_code is empty: give a file's or an archive's bytes"));
  }
  auto queue = thread_queue(store_dir_);
  if (!queue.ok()) return to_grpc(queue.status());
  auto build = workers::submit_draft(
      store_dir_, **queue, *app, req->source_code(),
      req->priority() == v1::BUILD_PRIORITY_PUBLISH ? store::BuildPriority::kPublish
                                                    : store::BuildPriority::kNormal,
      store::SubmitOptions{.idempotency_key = req->idempotency_key()});
  if (!build.ok()) return to_grpc(build.status().with_context("source_code"));
  to_proto(*build, out);
  if (on_submit_) on_submit_();
  return grpc::Status::OK;
}

grpc::Status BuildServiceImpl::GetBuild(grpc::ServerContext*, const v1::GetBuildRequest* req,
                                        v1::Build* out) {
  auto queue = thread_queue(store_dir_);
  if (!queue.ok()) return to_grpc(queue.status());
  auto b = (*queue)->get(req->id());
  if (!b.ok()) return to_grpc(b.status());
  to_proto(*b, out);
  return grpc::Status::OK;
}

grpc::Status BuildServiceImpl::ListBuilds(grpc::ServerContext*, const v1::ListBuildsRequest* req,
                                          v1::ListBuildsResponse* out) {
  store::BuildFilter filter;
  if (!req->app_id().empty()) {
    auto app = store::AppId::parse(req->app_id());
    if (!app.ok()) return to_grpc(app.status());
    filter.app = *app;
  }
  // The state whose API name is the request's (to_proto, read backwards); UNSPECIFIED: any.
  for (store::BuildState s :
       {store::BuildState::kQueued, store::BuildState::kRunning, store::BuildState::kSucceeded,
        store::BuildState::kFailed, store::BuildState::kCancelled}) {
    if (to_proto(s) == req->state()) filter.state = s;
  }
  filter.page_size = static_cast<int>(std::min<std::uint32_t>(req->page_size(), 500));
  filter.page_token = req->page_token();
  auto queue = thread_queue(store_dir_);
  if (!queue.ok()) return to_grpc(queue.status());
  auto page = (*queue)->list(filter);
  if (!page.ok()) return to_grpc(page.status());
  for (const auto& b : page->builds) to_proto(b, out->add_builds());
  out->set_next_page_token(page->next_page_token);
  return grpc::Status::OK;
}

grpc::Status BuildServiceImpl::CancelBuild(grpc::ServerContext*, const v1::CancelBuildRequest* req,
                                           v1::Build* out) {
  auto queue = thread_queue(store_dir_);
  if (!queue.ok()) return to_grpc(queue.status());
  auto b = (*queue)->request_cancel(req->id());
  if (!b.ok()) return to_grpc(b.status());
  to_proto(*b, out);
  return grpc::Status::OK;
}

Status BuildServiceImpl::watch(const v1::WatchBuildRequest& req,
                               const std::function<bool(const v1::BuildEvent&)>& write,
                               const std::function<bool()>& gone) {
  IGNITE_ASSIGN_OR_RETURN(store::SqliteBuildQueue * queue, thread_queue(store_dir_));
  std::int64_t after = static_cast<std::int64_t>(req.after_sequence());
  for (;;) {
    if (gone()) return Status(Code::kCancelled, "watch cancelled");
    // The state first, then the events: every event up to a finished state is then sent.
    IGNITE_ASSIGN_OR_RETURN(store::BuildRecord build, queue->get(req.id()));
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
  return to_grpc(watch(
      *req, [writer](const v1::BuildEvent& e) { return writer->Write(e); },
      [context] { return context->IsCancelled(); }));
}

grpc::Status BuildServiceImpl::GetBuildLog(grpc::ServerContext*, const v1::GetBuildLogRequest* req,
                                           v1::BuildLog* out) {
  auto queue = thread_queue(store_dir_);
  if (!queue.ok()) return to_grpc(queue.status());
  auto events = (*queue)->events(req->id(), 0);
  if (!events.ok()) return to_grpc(events.status());
  out->set_build_id(req->id());
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

grpc::Status BuildServiceImpl::ListVersions(grpc::ServerContext*,
                                            const v1::ListVersionsRequest* req,
                                            v1::ListVersionsResponse* out) {
  auto app = parse_app(req->app_id());
  if (!app.ok()) return to_grpc(app.status());
  auto versions = versions_of(store_dir_, *app);
  if (!versions.ok()) return to_grpc(versions.status());
  for (const auto& v : *versions) to_proto(*app, v, out->add_versions());
  return grpc::Status::OK;
}

grpc::Status BuildServiceImpl::GetVersion(grpc::ServerContext*, const v1::GetVersionRequest* req,
                                          v1::Version* out) {
  auto app = parse_app(req->app_id());
  if (!app.ok()) return to_grpc(app.status());
  auto versions = versions_of(store_dir_, *app);
  if (!versions.ok()) return to_grpc(versions.status());
  for (const auto& v : *versions) {
    if (v.number == static_cast<std::int64_t>(req->number())) {
      to_proto(*app, v, out);
      return grpc::Status::OK;
    }
  }
  return to_grpc(not_found(app->to_string() + " has no version " + std::to_string(req->number())));
}

}  // namespace ignite::service
