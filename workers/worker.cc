#include "workers/worker.h"

#include <condition_variable>
#include <mutex>
#include <thread>

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
    request.hooks.enter_stage = [&](std::string_view stage) {
      return queue.set_stage(id, epoch, stage);
    };
    request.hooks.before_commit = [&](store::Database& db, const store::VersionRecord& record,
                                      std::int64_t number) {
      return queue.succeed_in_transaction(
          db, id, epoch, store::BuildOutcome{number, record.manifest_digest, record.lock_hash});
    };
    request.make_version = claim->build.kind == store::BuildKind::kVersion;
    // With --registry: the fence before the tag, and the success with the version (of this
    // build, or of an earlier one whose worker stopped after its tag: its intent names it).
    request.hooks.build_id = id;
    request.hooks.before_intent = [&](store::Database& db, const store::PublishIntent& intent) {
      return queue.publishing_in_transaction(
          db, id, epoch,
          store::BuildOutcome{intent.record.number, intent.record.manifest_digest,
                              intent.record.lock_hash});
    };
    request.hooks.on_published = [&](store::Database& db, const store::PublishIntent& intent) {
      if (intent.build_id.empty()) return ok_status();  // an `ignite-builder build`'s
      return queue.succeed_published_in_transaction(
          db, intent.build_id,
          store::BuildOutcome{intent.record.number, intent.record.manifest_digest,
                              intent.record.lock_hash});
    };
    Heartbeat heartbeat(options, id, epoch);
    IGNITE_ASSIGN_OR_RETURN(pipeline::BuildResult result,
                            pipeline::build_function(store, request, progress));
    if (!request.make_version) {
      // A draft's image is made: its end is recorded here (a version build's, in its commit).
      return queue
          .succeed_draft(id, epoch,
                         store::BuildOutcome{0, result.manifest_digest.to_string(),
                                             result.dependencies.lock_hash})
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
      auto failed = queue.fail(id, epoch, built.message(), is_retryable_build_error(built.code()));
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
