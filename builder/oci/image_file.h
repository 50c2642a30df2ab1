// One file of an image's filesystem, read from its layers without unpacking them: what the
// SBOM needs from a base (/var/lib/dpkg/status) and verify re-reads.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "builder/oci/manifest.h"
#include "builder/oci/oci_layout.h"
#include "builder/util/status.h"

namespace ignite::oci {

// The content of regular file `path` ("var/lib/dpkg/status", no leading "/") in the filesystem
// `manifest`'s layers make, reading from the top layer down and honouring whiteouts (a
// ".wh.<name>" of the file or of a directory above it, an opaque ".wh..wh..opq" above it).
// nullopt when the image has no such regular file. NOT_FOUND naming the blob when a layer that
// must be read is not in `layout`; DATA_LOSS when one is not a readable tar;
// RESOURCE_EXHAUSTED when the file is larger than `max_bytes`.
Result<std::optional<std::string>> read_image_file(const OciLayout& layout,
                                                   const ImageManifest& manifest,
                                                   std::string_view path,
                                                   std::size_t max_bytes = 64 << 20);

}  // namespace ignite::oci
