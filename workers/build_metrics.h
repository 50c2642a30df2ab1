// What worker threads observe of the builds they run, in a metrics::Registry (docs/metrics.md):
//
//   ignite_build_stage_duration_seconds{stage}   histogram: each pipeline stage, from its start
//                                                to the next stage or the end of the turn
//   ignite_build_duration_seconds{outcome}       histogram: a turn that claimed a build, from
//                                                the claim to its end, by how it ended
//
// The stages are the pipeline's (pipeline::Progress::stage: intake, lock, base, deps, layers,
// image, push, commit; an image draft's resolve and copy ...), so a StageTimer wraps the
// Progress a worker passes to run_one_build. Only a process with a registry that someone scrapes
// observes them: serve's worker threads do; an `ignite-builder worker` process does not.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "builder/metrics/metrics.h"
#include "builder/pipeline/progress.h"
#include "workers/worker.h"

namespace ignite::workers {

class BuildMetrics {
 public:
  // Registers the two histograms in `registry` (the same families when called again).
  explicit BuildMetrics(metrics::Registry& registry);

  metrics::HistogramFamily& stages() { return stages_; }
  // A turn that claimed a build ended with `outcome` after `took`; an idle turn is not a build.
  void observe_turn(TurnOutcome outcome, std::chrono::steady_clock::duration took);

 private:
  metrics::HistogramFamily& stages_;
  metrics::HistogramFamily& builds_;
};

// "succeeded", "retrying", "failed", "cancelled", "lease_lost"; "idle" for kIdle.
std::string_view turn_outcome_label(TurnOutcome outcome);

// A Progress that times each stage into `stages` and passes everything on to `inner`. One per
// worker thread (not thread-safe); done() ends the stage in progress, so a worker calls it after
// every turn: a build that failed mid-stage never reached the pipeline's own done().
class StageTimer final : public pipeline::Progress {
 public:
  StageTimer(metrics::HistogramFamily& stages, pipeline::Progress& inner)
      : stages_(stages), inner_(inner) {}
  void stage(std::string_view name, std::string_view detail) override;
  void note(std::string_view text) override { inner_.note(text); }
  void done() override;

 private:
  void end_stage();
  metrics::HistogramFamily& stages_;
  pipeline::Progress& inner_;
  std::optional<std::string> current_;
  std::chrono::steady_clock::time_point started_;
};

}  // namespace ignite::workers
