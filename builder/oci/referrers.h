// Artifacts that refer to an image (its SBOM, its provenance) and the relation that finds them,
// as OCI image-spec v1.1 and distribution-spec v1.1 define it (docs/attestations.md):
//
//   artifact manifest   an image manifest with "artifactType", the empty config
//                       (application/vnd.oci.empty.v1+json, "{}"), one layer holding the
//                       document, and "subject" = the image manifest's descriptor
//   referrers index     an image index listing the artifact manifests of one subject, each
//                       descriptor with its "artifactType" and annotations; in a registry
//                       without the referrers API (distribution 2.8) it is tagged
//                       "sha256-<hex of the subject>" in the subject's repository (the
//                       fallback tag schema), and the store's layout keeps the same relation
//                       under the ref "<org>/<app>:sha256-<hex>"
//
// Bytes are canonical (json_codec.h) and an index lists its referrers sorted by digest, so the
// same referrers always give the same index.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "builder/oci/descriptor.h"
#include "builder/oci/oci_layout.h"
#include "builder/util/status.h"

namespace ignite::oci {

inline constexpr std::string_view kMediaTypeEmpty = "application/vnd.oci.empty.v1+json";

// One entry of a referrers index: an artifact manifest and its artifactType.
struct Referrer {
  Descriptor manifest;  // annotations: the artifact manifest's own
  std::string artifact_type;
  friend bool operator==(const Referrer&, const Referrer&) = default;
};

// What an artifact manifest says.
struct ArtifactManifest {
  std::string artifact_type;
  Descriptor config;  // the empty one, for what this builder writes
  Descriptor subject;
  std::vector<Descriptor> blobs;  // its layers
  std::map<std::string, std::string> annotations;
};

// "sha256-<hex>": the fallback tag of a subject's referrers index.
std::string referrers_tag(const Digest& subject);

// Writes the empty config, `document` as a blob of `media_type` and the artifact manifest
// referring to `subject` into `layout`; returns its referrer. INVALID_ARGUMENT when a string
// is not UTF-8.
Result<Referrer> write_artifact(OciLayout& layout, std::string_view artifact_type,
                                std::string_view media_type, std::string_view document,
                                const Descriptor& subject,
                                const std::map<std::string, std::string>& annotations);

// INVALID_ARGUMENT naming the field when `bytes` is not an OCI image manifest with an
// artifactType (or a config media type other than the empty one, as the spec allows) and a
// subject.
Result<ArtifactManifest> parse_artifact_manifest(std::string_view bytes);

// The referrers an index lists. INVALID_ARGUMENT when it is not an image index.
Result<std::vector<Referrer>> parse_referrers_index(std::string_view bytes);
// The index listing `existing` and `add` (one entry per manifest digest; an added one replaces
// an existing one with the same digest), sorted by digest.
Result<std::string> referrers_index_json(std::vector<Referrer> existing,
                                         const std::vector<Referrer>& add);

// The layout's relation: the referrers of `subject` (in repository `repository`, "org/app"),
// none when the ref "<repository>:sha256-<hex>" is absent.
Result<std::vector<Referrer>> referrers_in_layout(const OciLayout& layout,
                                                  std::string_view repository,
                                                  const Digest& subject);
// Adds `add` to that relation: the index is read, merged, written and its ref moved under a
// lock (referrers.lock in the layout), so builds attaching at once lose none.
Status attach_in_layout(OciLayout& layout, std::string_view repository, const Digest& subject,
                        const std::vector<Referrer>& add);

}  // namespace ignite::oci
