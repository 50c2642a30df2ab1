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
#include "builder/util/json_codec.h"
#include "builder/util/status.h"

namespace ignite::oci {

struct ImageManifest {
  Descriptor config;
  std::vector<Descriptor> layers;  // bottom to top
  std::map<std::string, std::string> annotations;
  // What parse_manifest read: kMediaTypeManifest, or kMediaTypeDockerManifest for a Docker
  // schema 2 manifest (an image copied unchanged, or a base from a registry). manifest_json
  // always writes the OCI type.
  std::string media_type = "application/vnd.oci.image.manifest.v1+json";
};

// The canonical bytes of `manifest`. INVALID_ARGUMENT if a string is not UTF-8.
Result<std::string> manifest_json(const ImageManifest& manifest);

// Parses an image manifest: OCI (schemaVersion 2; mediaType, when present, the OCI manifest
// type) or Docker schema 2 (mediaType the Docker type, which its JSON must carry). Both have
// the same shape; the Docker one's layer and config media types are Docker's
// (layer_media_type_as_oci maps them).
Result<ImageManifest> parse_manifest(std::string_view bytes);

// The OCI media type of a layer that a Docker schema 2 manifest lists as `media_type`, for a
// new OCI image built on it (the bytes, hence the digest, are the same): the Docker gzip
// layer is an OCI tar+gzip layer. Other types are returned unchanged.
std::string_view layer_media_type_as_oci(std::string_view media_type);

// The "manifests" of an image index or of an OCI layout's index.json. Other fields are not
// interpreted.
Result<std::vector<Descriptor>> parse_index_manifests(std::string_view bytes);
// The same, of an index already parsed (index.json, read once by the layout).
Result<std::vector<Descriptor>> index_manifests(const Json& index);

}  // namespace ignite::oci
