#include "workers/worker.h"

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

#include "builder/git/fetched_source.h"
#include "builder/pipeline/publish_image.h"
#include "builder/util/file_io.h"
#include "builder/util/wall_clock.h"
#include "workers/git_build_source.h"
#include "workers/queue_hooks.h"

namespace ignite::workers {
namespace {

// Renews the lease every interval until stopped, on its own queue connection. A renewal that
// fails leaves the fence to do its work: the build's next set_stage or its commit is refused.
class Heartbeat {
 public:
  Heartbeat(const WorkerOptions& options, std::string id, std::int64_t epoch) {
    if (!options.open_heartbeat_queue) return;
    thread_ = std::thread([this, &options, id = std::move(id), epoch] {
      auto queue = options.open_heartbeat_queue();
      std::unique_lock lock(mutex_);
      while (!stop_) {
        if (cv_.wait_for(lock, options.heartbeat_interval, [this] { return stop_; })) break;
        if (!queue.ok()) continue;
        lock.unlock();
        auto renewed = (*queue)->heartbeat(id, epoch, options.lease);
        lock.lock();
        if (!renewed.ok() && renewed.status().code() == Code::kAborted) break;  // taken over
      }
    });
  }
  ~Heartbeat() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace

bool is_retryable_build_error(Code code) {
  switch (code) {
    case Code::kUnavailable:
    case Code::kDeadlineExceeded:
    case Code::kInternal:
    case Code::kUnknown:
    case Code::kDataLoss:
    case Code::kAborted:
      return true;
    default:
      return false;
  }
}

Result<Turn> run_one_build(pipeline::FunctionStore& store, store::BuildQueue& queue,
                           const SourceStore& sources, const WorkerOptions& options,
                           pipeline::Progress& progress) {
  IGNITE_ASSIGN_OR_RETURN(std::optional<store::Claim> claim,
                          queue.claim(options.worker_id, options.lease));
  Turn turn;
  if (!claim) return turn;
  const std::string id = claim->build.id;
  const std::int64_t epoch = claim->epoch;
  turn.build = claim->build;

  Status built = [&]() -> Status {
    IGNITE_ASSIGN_OR_RETURN(std::string source, sources.path(claim->build.source_digest));
    pipeline::BuildRequest request{source, claim->build.app};
    if (options.configure) options.configure(request);
    // A git source is fetched first, in a stage of its own, into a scratch directory that goes
    // when the build does; its commit goes into the build's record with the success.
    std::optional<git::FetchedGitSource> fetched;
    if (claim->build.source_kind == store::SourceKind::kGit) {
      IGNITE_ASSIGN_OR_RETURN(std::string document, read_file(source));
      IGNITE_ASSIGN_OR_RETURN(git::GitSource git_source, parse_git_source_document(document));
      IGNITE_RETURN_IF_ERROR(queue.set_stage(id, epoch, "fetch"));
      git::GitFetchOptions fetch_options;
      fetch_options.deadline = std::chrono::steady_clock::now() +
                               std::chrono::milliseconds(claim->build.deadline_ms - unix_now_ms());
      // Per attempt: a worker that took the build over never shares a directory with one that
      // stalled.
      auto got = git::FetchedGitSource::fetch(
          git_source, store.tmp_dir() + "/git-" + id + "-" + std::to_string(epoch), fetch_options);
      if (!got.ok()) return got.status().with_context("fetching " + git_source.url);
      fetched.emplace(std::move(*got));
      const git::GitCheckout& c = fetched->checkout();
      request.source = c.tree.string();
      request.origin =
          pipeline::SourceOrigin{pipeline::GitOrigin{c.url, c.ref, c.commit, c.subdir}};
    }
    const std::string commit = fetched ? fetched->checkout().commit : std::string();
    request.hooks = queue_hooks(queue, id, epoch, commit);
    request.make_version = claim->build.kind == store::BuildKind::kVersion;
    Heartbeat heartbeat(options, id, epoch);
    std::string manifest_digest, lock_hash, draft_code_hash;
    if (claim->build.source_kind == store::SourceKind::kImage) {
      // An image draft's build: its source is the image's reference (compute.md).
      IGNITE_ASSIGN_OR_RETURN(std::string reference, read_file(source));
      pipeline::PublishImageRequest image{
          reference,     claim->build.app,     request.registry,
          request.hooks, request.publish_lock, request.make_version};
      IGNITE_ASSIGN_OR_RETURN(pipeline::PublishImageResult result,
                              pipeline::publish_image(store, image, progress));
      manifest_digest = result.manifest.digest.to_string();
    } else {
      IGNITE_ASSIGN_OR_RETURN(pipeline::BuildResult result,
                              pipeline::build_function(store, request, progress));
      manifest_digest = result.manifest_digest.to_string();
      lock_hash = result.dependencies.lock_hash;
      draft_code_hash = result.code_hash.to_string();
    }
    if (!request.make_version) {
      // A draft's image is made: its end is recorded here (a version build's, in its commit).
      return queue
          .succeed_draft(
              id, epoch,
              store::BuildOutcome{0, manifest_digest, lock_hash, draft_code_hash, commit})
          .status();
    }
    return ok_status();
  }();

  if (built.ok()) {
    turn.outcome = TurnOutcome::kSucceeded;
  } else {
    turn.error = built.message();
    if (built.code() == Code::kAborted && built.message().find("lease lost") != std::string::npos) {
      turn.outcome = TurnOutcome::kLeaseLost;
      return turn;  // the build is another worker's now: record nothing
    }
    if (built.code() == Code::kCancelled) {
      // set_stage cancelled it already; a cancel seen by the commit is recorded here.
      Status cancelled = queue.mark_cancelled(id, epoch);
      if (!cancelled.ok() && cancelled.code() != Code::kAborted) return cancelled;
    } else {
      auto failed = queue.fail(id, epoch, built, is_retryable_build_error(built.code()));
      // ABORTED: the queue ended the build itself (its deadline) or another worker has it.
      if (!failed.ok() && failed.status().code() != Code::kAborted) return failed.status();
    }
  }
  IGNITE_ASSIGN_OR_RETURN(turn.build, queue.get(id));
  switch (turn.build->state) {
    case store::BuildState::kSucceeded:
      turn.outcome = TurnOutcome::kSucceeded;
      break;
    case store::BuildState::kQueued:
      turn.outcome = TurnOutcome::kRetrying;
      break;
    case store::BuildState::kCancelled:
      turn.outcome = TurnOutcome::kCancelled;
      break;
    case store::BuildState::kFailed:
      turn.outcome = TurnOutcome::kFailed;
      break;
    case store::BuildState::kRunning:
      turn.outcome = TurnOutcome::kLeaseLost;  // running again: another worker's attempt
      break;
  }
  return turn;
}

}  // namespace ignite::workers
