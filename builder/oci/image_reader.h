// Reading an image back from an OCI layout (manifest -> config -> layers), to verify what was
// built and to take a base image from any layout (e.g. one made by `skopeo copy`).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "builder/oci/descriptor.h"
#include "builder/oci/image_config.h"
#include "builder/oci/manifest.h"
#include "builder/oci/oci_layout.h"
#include "builder/util/status.h"

namespace ignite::oci {

struct StoredImage {
  Descriptor manifest_descriptor;  // what the manifest bytes hash to
  ImageManifest manifest;
  std::string config_bytes;
  ImageConfig config;
};

// The image `ref` names. An image index is followed to its linux/amd64 manifest. Checks that
// the config has one diff_id per layer.
Result<StoredImage> read_image(const OciLayout& layout, std::string_view ref);
// The same from a manifest (or index) descriptor.
Result<StoredImage> read_image(const OciLayout& layout, const Descriptor& manifest);

// What one blob of the layout holds, read without judging it against its descriptor: the
// evidence a check reports (verify_image below, builder/verify/ per blob).
struct BlobContent {
  Digest digest;  // sha256 of the bytes as stored
  std::int64_t size = 0;
  // BlobRole::kLayer only: the sha256 of the uncompressed tar (what a diff_id names); nullopt
  // with the reason in `uncompressed` when it has none: DATA_LOSS "... is not valid gzip: ...",
  // UNIMPLEMENTED for a media type other than tar and tar+gzip.
  std::optional<Digest> diff_id;
  Status uncompressed;
};

enum class BlobRole {
  kWhole,  // a manifest or a config: the bytes as stored
  kLayer,  // also decompressed by its media type, for the diff_id
};

// A layer blob to read as a tar: its file in `layout`, and whether it is gzip-compressed (by its
// media type). UNIMPLEMENTED "media type "T" cannot be read here (only tar and tar+gzip)" for
// another type; NOT_FOUND "blob D is not in OCI layout DIR" when the layout lacks it.
struct LayerFile {
  std::string path;
  bool gzip = false;
};
Result<LayerFile> layer_file(const OciLayout& layout, const Descriptor& layer);

// Streams `blob` from `layout` (1 MiB reads). NOT_FOUND "blob ... is not in OCI layout DIR"
// when the layout lacks it; other errors when it cannot be read.
Result<BlobContent> read_blob_content(const OciLayout& layout, const Descriptor& blob,
                                      BlobRole role);

// Checks every blob of `image` against its descriptor (digest and size) and, for tar and
// tar+gzip layers, the uncompressed bytes against the config's diff_id (layers are streamed).
// DATA_LOSS on the first mismatch, naming the blob. Other compressions: UNIMPLEMENTED.
Status verify_image(const OciLayout& layout, const StoredImage& image);

}  // namespace ignite::oci
