// Media types and annotation keys of the OCI image format (image-spec v1.1) that this module
// reads and writes.
#pragma once

#include <string_view>

namespace ignite::oci {

inline constexpr std::string_view kMediaTypeManifest = "application/vnd.oci.image.manifest.v1+json";
inline constexpr std::string_view kMediaTypeIndex = "application/vnd.oci.image.index.v1+json";
inline constexpr std::string_view kMediaTypeConfig = "application/vnd.oci.image.config.v1+json";
// Every layer this module writes is a gzip-compressed tar (pinned_gzip.h).
inline constexpr std::string_view kMediaTypeLayerGzip =
    "application/vnd.oci.image.layer.v1.tar+gzip";
// Read in base images, never written.
inline constexpr std::string_view kMediaTypeLayerTar = "application/vnd.oci.image.layer.v1.tar";
inline constexpr std::string_view kMediaTypeLayerZstd =
    "application/vnd.oci.image.layer.v1.tar+zstd";
inline constexpr std::string_view kMediaTypeDockerManifest =
    "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr std::string_view kMediaTypeDockerManifestList =
    "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr std::string_view kMediaTypeDockerLayerGzip =
    "application/vnd.docker.image.rootfs.diff.tar.gzip";

// index.json annotation naming a manifest, e.g. "acme-corp/greet:v1".
inline constexpr std::string_view kAnnotationRefName = "org.opencontainers.image.ref.name";
// Manifest annotation set by compose_image: the digest of the base image's manifest.
inline constexpr std::string_view kAnnotationBaseDigest = "org.opencontainers.image.base.digest";

// The only platform images are built for (linux/amd64: docs/base-image.md, "Scope").
inline constexpr std::string_view kArchitecture = "amd64";
inline constexpr std::string_view kOs = "linux";

}  // namespace ignite::oci
