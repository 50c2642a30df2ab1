// verify's checks of a version's attestations (docs/verify.md, docs/attestations.md): the SBOM
// and the provenance attached to its image as referrers, each read back and compared with the
// image, the version record and (for the provenance) the auditor's public key.
//
//   sbom        the SPDX artifact: subject and described image are this manifest; its Python
//               packages are the lock's install set (name, version, wheel sha256); its Debian
//               packages are the image's /var/lib/dpkg/status
//   provenance  the in-toto/SLSA artifact: subject is this manifest; every claim (codeHash,
//               lockHash, base digest, epoch, git URL and commit, org, app, builder version)
//               equals the record's (or, with no record, the image's labels)
//   signature   with a key: one of the DSSE envelope's signatures verifies with it
#pragma once

#include <optional>
#include <vector>

#include "builder/attest/signing_key.h"
#include "builder/oci/manifest.h"
#include "builder/oci/oci_layout.h"
#include "builder/oci/referrers.h"
#include "builder/store/version_store.h"
#include "builder/verify/verify_version.h"

namespace ignite::verify {

struct AttestationEvidence {
  // Where the artifacts' manifests and blobs are (the store's layout, or a scratch layout the
  // registry's were fetched into).
  const oci::OciLayout* layout = nullptr;
  // The image's referrers (the layout's relation, or the registry's fallback tag index);
  // nullopt when they could not be read, with the reason.
  std::optional<std::vector<oci::Referrer>> referrers;
  std::string unread_reason;
  std::string source;  // "the store's layout", "registry HOST" (for details)
};

// The sbom, provenance and signature checks of image `manifest` (whose layers are in
// `image_layout`, for the dpkg status). `record` is null for an image with no version record;
// `labels` are the image config's (the claims of an unrecorded image are checked against
// them). `key` unset: the signature check is SKIP.
std::vector<Check> check_attestations(const oci::OciLayout& image_layout,
                                      const oci::Descriptor& manifest,
                                      const oci::ImageManifest& image,
                                      const std::map<std::string, std::string>& labels,
                                      const store::VersionRecord* record,
                                      const AttestationEvidence& evidence,
                                      const std::optional<attest::VerifyingKey>& key);

}  // namespace ignite::verify
