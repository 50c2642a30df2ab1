#include "builder/pipeline/layout_refill.h"

#include <string>
#include <vector>

#include "builder/oci/media_types.h"
#include "builder/oci/referrers.h"

namespace ignite::pipeline {
namespace {

// The manifest `digest` of the publication's repository, into the layout; its bytes.
Result<std::string> refill_manifest(FunctionStore& store, RegistryPublication& publication,
                                    const Digest& digest) {
  if (store.layout().has_blob(digest)) return store.layout().read_blob(digest);
  auto fetched = publication.client().get_manifest(publication.repository(), digest.to_string());
  if (!fetched.ok()) {
    return fetched.status().with_context("refilling this node's layout with " +
                                         digest.to_string() + " from registry " +
                                         publication.host());
  }
  IGNITE_RETURN_IF_ERROR(store.layout().add_blob(fetched->media_type, fetched->bytes).status());
  return std::move(fetched->bytes);
}

}  // namespace

Status refill_from_registry(FunctionStore& store, RegistryPublication& publication,
                            const store::VersionRecord& record) {
  IGNITE_ASSIGN_OR_RETURN(Digest subject, Digest::parse(record.manifest_digest));
  IGNITE_RETURN_IF_ERROR(refill_manifest(store, publication, subject).status());
  IGNITE_ASSIGN_OR_RETURN(
      std::vector<oci::Referrer> related,
      oci::referrers_in_layout(store.layout(), publication.repository(), subject));
  std::vector<oci::Referrer> add;
  for (const std::string& text : {record.sbom_digest, record.provenance_digest}) {
    if (text.empty()) continue;
    IGNITE_ASSIGN_OR_RETURN(Digest digest, Digest::parse(text));
    bool listed = false;
    for (const auto& r : related) listed = listed || r.manifest.digest == digest;
    if (listed) continue;
    IGNITE_ASSIGN_OR_RETURN(std::string bytes, refill_manifest(store, publication, digest));
    IGNITE_ASSIGN_OR_RETURN(oci::ArtifactManifest artifact, oci::parse_artifact_manifest(bytes));
    std::vector<oci::Descriptor> blobs = artifact.blobs;
    blobs.push_back(artifact.config);
    for (const oci::Descriptor& blob : blobs) {
      if (store.layout().has_blob(blob.digest)) continue;
      IGNITE_RETURN_IF_ERROR(
          publication.client().fetch_blob(publication.repository(), blob, store.layout()));
    }
    oci::Descriptor manifest{std::string(oci::kMediaTypeManifest), digest,
                             static_cast<std::int64_t>(bytes.size()), artifact.annotations, {}};
    add.push_back(oci::Referrer{std::move(manifest), artifact.artifact_type});
  }
  if (add.empty()) return ok_status();
  return oci::attach_in_layout(store.layout(), publication.repository(), subject, add);
}

}  // namespace ignite::pipeline
