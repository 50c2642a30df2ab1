// serve's figures that are read when /metrics is asked for rather than counted as they happen
// (docs/metrics.md):
//
//   ignite_build_info{version}              gauge, 1: the builder's version
//   ignite_queue_depth{org}                 gauge: QUEUED builds per org
//   ignite_builds{state,kind}               gauge: builds kept in the store, by state and kind
//   ignite_lease_reclaims_total             counter: expired leases taken back (builds.leases_lost)
//   ignite_event_outbox_depth               gauge: build events not yet delivered (events.md)
//   ignite_event_outbox_oldest_age_seconds  gauge: how long the oldest of them has waited
//
// The queue's are read from the store's database by the scraping thread, on that thread's own
// connection (connections.h), so they include the builds of every process sharing the store.
// The figures counted as they happen are registered where they happen: the worker pool's
// (workers/build_metrics.h), the registry client's (builder/registry/blob_metrics.h), the HTTP
// gateway's requests.
#pragma once

#include <string>

#include "builder/metrics/metrics.h"
#include "builder/store/store_backend.h"

namespace ignite::service {

// Sets ignite_build_info{version="<kBuilderVersion>"} to 1.
void register_build_info(metrics::Registry& registry);

// Adds the queue's figures of `store` to `registry`'s page, until the handle
// goes. When the database cannot be read, the page says why in a comment and leaves them out.
[[nodiscard]] metrics::Registry::CollectorHandle add_queue_collector(metrics::Registry& registry,
                                                                     const store::StoreBackend& store);

}  // namespace ignite::service
