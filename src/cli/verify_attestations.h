// verify's attestation checks (sbom, provenance, signature: builder/verify/attestation_checks.h)
// with their evidence gathered: from the store's layout for a version, from the registry's
// fallback tag sha256-<hex> (fetched into the scratch layout) for a docker:// reference.
#pragma once

#include <optional>

#include "builder/attest/signing_key.h"
#include "builder/oci/oci_layout.h"
#include "builder/registry/image_reference.h"
#include "builder/registry/registry_client.h"
#include "builder/store/app_id.h"
#include "builder/store/version_store.h"
#include "builder/verify/verify_version.h"

namespace ignite::cli {

// Version `record` of `app` in `layout` (the store's).
void add_store_attestation_checks(const oci::OciLayout& layout, const store::AppId& app,
                                  const store::VersionRecord& record,
                                  const std::optional<attest::VerifyingKey>& key,
                                  verify::VerifyReport& report);

// Image `manifest` of `ref`, whose manifest, config and layers verify has read into `scratch`;
// its referrers are read from the registry into `scratch` too.
void add_registry_attestation_checks(oci::OciLayout& scratch, const oci::Descriptor& manifest,
                                     const registry::ImageReference& ref,
                                     const registry::ClientOptions& options,
                                     const std::optional<attest::VerifyingKey>& key,
                                     verify::VerifyReport& report);

}  // namespace ignite::cli
