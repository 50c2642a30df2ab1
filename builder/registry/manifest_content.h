// What a manifest refers to, for copying it blob by blob: the config and layers of an image
// manifest, or the manifests of an index. Reads the OCI types and Docker schema 2 alike (a
// manifest is pushed as the bytes it is, so its digest is kept); schema 1 is refused.
//
//   OCI image manifest    application/vnd.oci.image.manifest.v1+json
//   OCI image index       application/vnd.oci.image.index.v1+json
//   Docker manifest       application/vnd.docker.distribution.manifest.v2+json
//   Docker manifest list  application/vnd.docker.distribution.manifest.list.v2+json
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "builder/oci/descriptor.h"
#include "builder/util/status.h"

namespace ignite::registry {

struct ManifestContent {
  std::string media_type;  // one of the four above
  bool is_index = false;
  std::vector<oci::Descriptor> blobs;      // image manifest: config, then layers bottom to top
  std::vector<oci::Descriptor> manifests;  // index: its entries
};

// Parses `bytes`; `media_type` (from a descriptor or a Content-Type) decides when the JSON has
// no "mediaType" field. INVALID_ARGUMENT for malformed JSON or descriptors, UNIMPLEMENTED for
// other manifest types.
Result<ManifestContent> parse_manifest_content(std::string_view bytes, std::string_view media_type);

// True for layers that registries do not store (Docker foreign layers, OCI non-distributable
// layers): they are referred to, not copied.
bool is_foreign_layer(std::string_view media_type);

// The index entry for linux/amd64 (the only platform images run on here). NOT_FOUND listing
// the platforms the index has.
Result<oci::Descriptor> select_linux_amd64(const ManifestContent& index);

}  // namespace ignite::registry
