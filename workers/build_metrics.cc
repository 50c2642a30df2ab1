#include "workers/build_metrics.h"

namespace ignite::workers {
namespace {

double seconds(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

}  // namespace

BuildMetrics::BuildMetrics(metrics::Registry& registry)
    : stages_(registry.histogram(
          "ignite_build_stage_duration_seconds",
          "Time of each pipeline stage of the builds this process's worker threads ran, from the "
          "stage's start to the next stage or the end of the build (a failed stage included).",
          metrics::duration_buckets(), {"stage"})),
      builds_(registry.histogram(
          "ignite_build_duration_seconds",
          "Time of each build attempt this process's worker threads ran, from its claim to its "
          "end, by outcome (succeeded, retrying, failed, cancelled, lease_lost).",
          metrics::duration_buckets(), {"outcome"})) {}

void BuildMetrics::observe_turn(TurnOutcome outcome, std::chrono::steady_clock::duration took) {
  if (outcome == TurnOutcome::kIdle) return;
  builds_.with({turn_outcome_label(outcome)}).observe(seconds(took));
}

std::string_view turn_outcome_label(TurnOutcome outcome) {
  switch (outcome) {
    case TurnOutcome::kIdle:
      return "idle";
    case TurnOutcome::kSucceeded:
      return "succeeded";
    case TurnOutcome::kRetrying:
      return "retrying";
    case TurnOutcome::kFailed:
      return "failed";
    case TurnOutcome::kCancelled:
      return "cancelled";
    case TurnOutcome::kLeaseLost:
      return "lease_lost";
  }
  return "unknown";
}

void StageTimer::stage(std::string_view name, std::string_view detail) {
  end_stage();
  current_ = std::string(name);
  started_ = std::chrono::steady_clock::now();
  inner_.stage(name, detail);
}

void StageTimer::done() {
  end_stage();
  inner_.done();
}

void StageTimer::end_stage() {
  if (!current_) return;
  // A handful of stages per build: the family's lookup (a lock and a map) costs nothing here.
  stages_.with({*current_}).observe(seconds(std::chrono::steady_clock::now() - started_));
  current_.reset();
}

}  // namespace ignite::workers
