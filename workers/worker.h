// One worker's turn: claim the next build from the queue, run the pipeline on its source under
// the build's lease, and record how it ended. The lease is kept alive by a heartbeat thread on a
// connection of its own; every stage boundary goes through the queue (set_stage: fenced, and
// where a requested cancel stops the build); the commit is fenced inside the transaction that
// takes the version number, so a worker whose build was taken over can never publish it.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "builder/pipeline/build_function.h"
#include "builder/pipeline/function_store.h"
#include "builder/pipeline/progress.h"
#include "builder/store/build_queue.h"
#include "builder/util/status.h"
#include "workers/source_store.h"

namespace ignite::workers {

struct WorkerOptions {
  std::string worker_id;  // unique among the store's workers: "host:pid:n"
  std::chrono::milliseconds lease{std::chrono::seconds(60)};
  // How often the lease is renewed; well within `lease`, so that a slow store or a busy machine
  // does not lose it.
  std::chrono::milliseconds heartbeat_interval{std::chrono::seconds(10)};
  // A queue on a connection of its own, for the heartbeat thread (a connection is not shared
  // between threads that both run transactions). Without it, no heartbeat is sent: a build
  // longer than the lease is then taken over, and this worker's commit refused.
  std::function<Result<std::unique_ptr<store::BuildQueue>>()> open_heartbeat_queue;
  // Sets everything but the source, the app and the hooks on each build's request: base,
  // package sources, registry, bytecode, ... Unset: the defaults of `ignite-builder build`.
  std::function<void(pipeline::BuildRequest& request)> configure;
};

enum class TurnOutcome {
  kIdle,       // nothing to claim
  kSucceeded,  // published as build.version (a draft build: its image made, no version)
  kRetrying,   // failed, back in the queue after its backoff
  kFailed,     // failed for good (build.error)
  kCancelled,  // stopped at a stage boundary after a cancel
  kLeaseLost,  // another worker took the build over: nothing of this attempt counts
};

struct Turn {
  TurnOutcome outcome = TurnOutcome::kIdle;
  // As recorded at the end (for kLeaseLost, as claimed); none when idle.
  std::optional<store::BuildRecord> build;
  std::string error;         // the attempt's error, when it had one
};

// Which build errors are worth another attempt: the network, the store being busy, a crash of
// a tool. A draft at fault (INVALID_ARGUMENT, FAILED_PRECONDITION, NOT_FOUND, a limit) fails
// the same way every time.
bool is_retryable_build_error(Code code);

// Runs one turn. Errors are the queue's own failures (the store unreachable); the build's are
// reported in the Turn.
Result<Turn> run_one_build(pipeline::FunctionStore& store, store::BuildQueue& queue,
                           const SourceStore& sources, const WorkerOptions& options,
                           pipeline::Progress& progress);

}  // namespace ignite::workers
