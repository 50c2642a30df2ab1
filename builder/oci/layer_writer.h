// Writing layers into an OCI layout: plan -> tar -> pinned gzip -> blob, in one streaming
// pass that hashes the tar (diff_id) and the compressed bytes (digest) on the way.
//
//   tar bytes --DigestingSink(diff_id)--> PinnedGzipWriter --> BlobWriter (digest, size)
//
// Memory stays bounded by the gzip members in flight, whatever the layer's size.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "builder/oci/descriptor.h"
#include "builder/oci/directory_layer.h"
#include "builder/oci/epoch.h"
#include "builder/oci/layer_plan.h"
#include "builder/oci/oci_layout.h"
#include "builder/source/source_tree.h"
#include "builder/util/digest.h"
#include "builder/util/status.h"

namespace ignite::oci {

// Where layers go in the image (docs/oci-images.md, "Layer format").
inline constexpr std::string_view kAppPrefix = "app";
inline constexpr std::string_view kHostPrefix = "opt/ignite/host";

struct LayerOptions {
  Epoch epoch;                       // every entry's mtime
  unsigned compression_threads = 0;  // 0: one per core; never changes the bytes
};

// A layer stored as a blob.
struct Layer {
  Descriptor blob;                   // application/vnd.oci.image.layer.v1.tar+gzip, digest, size
  Digest diff_id;                    // sha256 of the uncompressed tar
  std::uint64_t tar_size = 0;        // size of the uncompressed tar
  std::vector<std::string> skipped;  // paths left out (special files; see directory_layer.h)
};

// Writes `plan` as a layer blob into `layout`.
Result<Layer> write_layer(OciLayout& layout, const LayerPlan& plan, const LayerOptions& options);

// (a) The app layer: exactly `tree` under /app, normalized (plan_tree_layer).
Result<Layer> write_app_layer(OciLayout& layout, const SourceTree& tree,
                              const LayerOptions& options);

// (b) The runtime host layer: the directory `host_dir` (templates/python/) under
// /opt/ignite/host, normalized; device files, fifos and sockets refused.
Result<Layer> write_host_layer(OciLayout& layout, const std::string& host_dir,
                               const LayerOptions& options);

// Any directory, with the placement and policies of `dir_options`.
Result<Layer> write_directory_layer(OciLayout& layout, const std::string& dir,
                                    const DirectoryLayerOptions& dir_options,
                                    const LayerOptions& options);

}  // namespace ignite::oci
