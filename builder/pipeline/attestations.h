// A version's attestations (docs/attestations.md): its SBOM (SPDX 2.3: the Python packages of
// its dependency layer and the Debian packages of its base) and, when the builder has a
// signing key, its provenance (an in-toto statement with a SLSA v1 predicate in a DSSE
// envelope). Each is an OCI artifact whose subject is the image's manifest, written into the
// store's layout and attached there as the image's referrers (oci/referrers.h). A publication
// to a registry pushes them with the version (RegistryPublication::tag), and the version
// record keeps both artifacts' digests.
//
// The SBOM's bytes depend only on the image and what is in it (the same build gives the same
// SBOM); the provenance holds the build's times and so differs from build to build.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "builder/attest/provenance.h"
#include "builder/attest/signing_key.h"
#include "builder/attest/spdx_sbom.h"
#include "builder/index/pylock.h"
#include "builder/oci/image_builder.h"
#include "builder/oci/referrers.h"
#include "builder/pipeline/deps_layer.h"
#include "builder/pipeline/function_store.h"
#include "builder/pipeline/progress.h"

namespace ignite::pipeline {

struct AttestOptions {
  // Signs the provenance; unset: no provenance is made (the SBOM still is).
  std::optional<attest::SigningKey> signing_key;
  std::string builder_id = std::string(attest::kDefaultBuilderId);
};

struct AttestInputs {
  const oci::Descriptor* manifest = nullptr;  // the image, in the store's layout
  const oci::BaseImage* base = nullptr;
  const index::Lock* lock = nullptr;  // null without dependencies
  const DepsRequest* deps = nullptr;  // the target the lock was installed for
  std::string created;                // the image's epoch, RFC 3339
  attest::ProvenanceClaims claims;    // all but the subject and finishedOn
};

struct VersionAttestations {
  std::optional<oci::Referrer> sbom;
  std::optional<oci::Referrer> provenance;
  std::string signed_by;  // the signing key's id, with a provenance
  std::size_t python_packages = 0;
  std::size_t debian_packages = 0;
  std::vector<std::string> warnings;  // what the SBOM could not say (a base kept in a registry)
};

// Writes and attaches the attestations of image *inputs.manifest of `app`. The Debian packages
// of a base are read from its layers once per base and kept in <store>/cache/base-packages/.
Result<VersionAttestations> attest_image(FunctionStore& store, const store::AppId& app,
                                         const AttestInputs& inputs, const AttestOptions& options,
                                         Progress& progress);

// The Python packages a lock installs on the deps target, as the SBOM lists them (licenses
// from each wheel's METADATA in the store's wheel cache; NOASSERTION when it is not there).
Result<std::vector<attest::SbomPythonPackage>> sbom_python_packages(FunctionStore& store,
                                                                    const index::Lock& lock,
                                                                    const DepsRequest& deps);

}  // namespace ignite::pipeline
