#include "builder/registry/blob_metrics.h"

#include "builder/metrics/metrics.h"

namespace ignite::registry {

BlobObserver count_blob_bytes(metrics::Registry& metrics) {
  metrics::CounterFamily& bytes = metrics.counter(
      "ignite_registry_blob_bytes_total",
      "Bytes of the blobs pushed to the OCI registry, by outcome: uploaded (sent), skipped (the "
      "repository had them), mounted (copied by the registry from another repository).",
      {"outcome"});
  // Looked up once: an observation is then one atomic add.
  metrics::Counter& uploaded = bytes.with({"uploaded"});
  metrics::Counter& skipped = bytes.with({"skipped"});
  metrics::Counter& mounted = bytes.with({"mounted"});
  return [&uploaded, &skipped, &mounted](BlobPushed outcome, std::int64_t size) {
    switch (outcome) {
      case BlobPushed::kUploaded:
        uploaded.inc(static_cast<double>(size));
        break;
      case BlobPushed::kSkipped:
        skipped.inc(static_cast<double>(size));
        break;
      case BlobPushed::kMounted:
        mounted.inc(static_cast<double>(size));
        break;
      case BlobPushed::kMissing:
        break;  // nothing moved yet: the caller fetches the blob and pushes it again
    }
  };
}

}  // namespace ignite::registry
