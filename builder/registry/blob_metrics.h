// The registry clients' blob traffic as counters of a metrics::Registry (docs/metrics.md):
//
//   ignite_registry_blob_bytes_total{outcome="uploaded"|"skipped"|"mounted"}
//
// uploaded: sent whole to the registry; skipped: the repository had the blob already (a HEAD
// that found it, or a blob of the version tagged there before); mounted: the registry copied it
// from another of its repositories. The client does not know the registry any more than it
// knows the process's registry: whoever makes the client passes this observer in its options
// (ClientOptions::on_blob, or RegistryTarget::on_blob for a publication).
#pragma once

#include "builder/registry/registry_client.h"

namespace ignite::metrics {
class Registry;
}

namespace ignite::registry {

// An observer adding each blob's size to its outcome's counter in `metrics`, which must outlive
// every client given it. Thread-safe: serve's worker threads share one.
BlobObserver count_blob_bytes(metrics::Registry& metrics);

}  // namespace ignite::registry
