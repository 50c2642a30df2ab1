#include "src/service/service_metrics.h"

#include <memory>

#include "builder/store/queue_stats.h"
#include "builder/util/builder_version.h"
#include "src/service/connections.h"

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

}  // namespace

void register_build_info(metrics::Registry& registry) {
  registry
      .gauge("ignite_build_info", "The builder's version, as the value 1 with a label.",
             {"version"})
      .with({kBuilderVersion})
      .set(1);
}

metrics::Registry::CollectorHandle add_queue_collector(metrics::Registry& registry,
                                                       std::string store_dir) {
  // Shared by the scrapes, whichever thread serves them: it remembers the finished builds.
  auto reader = std::make_shared<store::QueueStatsReader>();
  return registry.add_collector([reader, dir = std::move(store_dir)](metrics::MetricWriter& out) {
    auto queue = thread_queue(dir);
    Result<store::QueueStats> stats =
        queue.ok() ? reader->read((*queue)->database()) : Result<store::QueueStats>(queue.status());
    if (!stats.ok()) {
      out.comment("the queue's figures are missing: " + stats.status().to_string());
      return;
    }
    write_queue_stats(out, *stats);
  });
}

}  // namespace ignite::service
