#include "src/service/service_metrics.h"

#include <chrono>
#include <memory>

#include "builder/store/queue_stats.h"
#include "builder/util/builder_version.h"
#include "builder/util/wall_clock.h"

namespace ignite::service {
namespace {

void write_queue_stats(metrics::MetricWriter& out, const store::QueueStats& stats) {
  using metrics::MetricType;
  out.family("ignite_queue_depth",
             "Builds QUEUED in the store, per org: waiting for a worker, for their org's cap on "
             "running builds, or for a retry's backoff.",
             MetricType::kGauge);
  for (const auto& o : stats.queued_by_org) {
    out.sample("ignite_queue_depth", {{"org", o.org}}, static_cast<double>(o.queued));
  }
  out.family("ignite_builds",
             "Builds kept in the store, by state (QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED) "
             "and kind (VERSION, DRAFT), whichever process ran them.",
             MetricType::kGauge);
  for (const auto& c : stats.by_state) {
    out.sample("ignite_builds",
               {{"state", std::string(store::build_state_name(c.state))},
                {"kind", std::string(store::build_kind_name(c.kind))}},
               static_cast<double>(c.builds));
  }
  out.family("ignite_lease_reclaims_total",
             "Leases that expired and were taken back by the queue (a worker that stopped or "
             "stalled), summed over the builds kept in the store (builds.leases_lost): whichever "
             "process took them back.",
             MetricType::kCounter);
  out.sample("ignite_lease_reclaims_total", {}, static_cast<double>(stats.leases_lost));
}

void write_outbox_stats(metrics::MetricWriter& out, const store::OutboxStats& stats,
                        std::int64_t now_ms) {
  using metrics::MetricType;
  out.family("ignite_event_outbox_depth",
             "Build events recorded and not yet delivered to the control plane (docs/events.md); "
             "0 until the outbox is turned on by serve --events-url.",
             MetricType::kGauge);
  out.sample("ignite_event_outbox_depth", {}, static_cast<double>(stats.depth));
  out.family("ignite_event_outbox_oldest_age_seconds",
             "How long the oldest undelivered build event has waited; 0 when none waits.",
             MetricType::kGauge);
  const double age = stats.depth == 0 ? 0.0 : (now_ms - stats.oldest_at_ms) / 1000.0;
  out.sample("ignite_event_outbox_oldest_age_seconds", {}, age < 0 ? 0.0 : age);
}

}  // namespace

void register_build_info(metrics::Registry& registry) {
  registry
      .gauge("ignite_build_info", "The builder's version, as the value 1 with a label.",
             {"version"})
      .with({kBuilderVersion})
      .set(1);
}

metrics::Registry::CollectorHandle add_queue_collector(metrics::Registry& registry,
                                                       const store::StoreBackend& store) {
  // Shared by the scrapes, whichever thread serves them: it remembers the finished builds.
  std::shared_ptr<store::StoreFigures> figures = store.open_figures();
  return registry.add_collector([figures](metrics::MetricWriter& out) {
    Result<store::QueueStats> stats = figures->queue();
    if (!stats.ok()) {
      out.comment("the queue's figures are missing: " + stats.status().to_string());
      return;
    }
    write_queue_stats(out, *stats);
    auto outbox = figures->outbox();
    if (!outbox.ok()) {
      out.comment("the event outbox's figures are missing: " + outbox.status().to_string());
      return;
    }
    write_outbox_stats(out, *outbox, unix_now_ms());
  });
}

}  // namespace ignite::service
