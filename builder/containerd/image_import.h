// Importing an image from an OCI layout into containerd under a name, so a node runs it with no
// pull (docs/containerd.md):
//
//   1. record guard  Images.Get NAME: names another digest -> FAILED_PRECONDITION, nothing
//                    written (a version's record is never moved)
//   2. lease         one lease for the whole import, expiring on its own after an hour, so a
//                    crash leaves nothing the garbage collector will not reclaim
//   3. blobs         config and layers, then the manifest with the GC labels that keep them
//                    (containerd.io/gc.ref.content.config, .l.<i>; an index's .m.<i>), each
//                    written only when containerd lacks it (content_writer.h)
//   4. record        Images.Create NAME -> the manifest; when the record exists already (a
//                    re-run, or a racing import) it must name the same digest
//   5. lease gone    the record now holds everything
//
// A re-import of the same image writes nothing and leaves the record as it was.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "builder/containerd/containerd_connection.h"
#include "builder/containerd/content_writer.h"
#include "builder/oci/descriptor.h"
#include "builder/oci/oci_layout.h"
#include "builder/registry/manifest_content.h"
#include "builder/util/status.h"

namespace ignite::containerd {

inline constexpr const char* kLeaseExpiryLabel = "containerd.io/gc.expire";
inline constexpr std::chrono::hours kLeaseLifetime{1};

enum class ImageRecord {
  kCreated,    // the name is new
  kUnchanged,  // it already named this manifest
};

struct ImportResult {
  std::string name;
  oci::Descriptor manifest;
  ImageRecord record = ImageRecord::kCreated;
  int blobs = 0;                 // every blob of the image, manifests included
  int blobs_written = 0;         // the ones containerd lacked
  std::int64_t bytes_total = 0;  // the sizes of all of them
  std::int64_t bytes_sent = 0;   // what was sent
};

// Told of each blob once containerd has it.
using ImportObserver = std::function<void(const oci::Descriptor& blob, const BlobWrite& write)>;

// Imports the image (or index) `manifest`, whose blobs are in `layout`, as `name`.
Result<ImportResult> import_image(ContainerdConnection& connection, const oci::OciLayout& layout,
                                  const oci::Descriptor& manifest, const std::string& name,
                                  const ImportObserver& observer = {});

// The GC labels a manifest (or index) needs so containerd keeps what it refers to.
// (config, l.<i> for the i-th layer, m.<i> for an index's i-th manifest; foreign layers,
// which no content store holds, have none).
std::map<std::string, std::string> gc_labels(const registry::ManifestContent& content);

}  // namespace ignite::containerd
