// The OCI image manifest and image index: canonical bytes and parsing.
//
// Manifest bytes (the manifest digest covers exactly these), keys sorted, no whitespace:
//   {"annotations":{...},"config":DESCRIPTOR,"layers":[DESCRIPTOR...],
//    "mediaType":"application/vnd.oci.image.manifest.v1+json","schemaVersion":2}
//   DESCRIPTOR = {"annotations":{...},"digest":"sha256:...","mediaType":"...","size":N}
// "annotations" is left out when empty, in the manifest and in each descriptor.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "builder/oci/descriptor.h"
#include "builder/util/status.h"

namespace ignite::oci {

struct ImageManifest {
  Descriptor config;
  std::vector<Descriptor> layers;  // bottom to top
  std::map<std::string, std::string> annotations;
};

// The canonical bytes of `manifest`. INVALID_ARGUMENT if a string is not UTF-8.
Result<std::string> manifest_json(const ImageManifest& manifest);

// Parses an OCI image manifest (schemaVersion 2; mediaType, when present, the OCI manifest
// type). A Docker schema 2 manifest is refused with a hint to convert it with skopeo.
Result<ImageManifest> parse_manifest(std::string_view bytes);

// The "manifests" of an image index or of an OCI layout's index.json. Other fields are not
// interpreted.
Result<std::vector<Descriptor>> parse_index_manifests(std::string_view bytes);

}  // namespace ignite::oci
