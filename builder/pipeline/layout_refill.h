// Refilling this node's layout from the registry (docs/deploy.md). On a shared (PostgreSQL)
// store the layout is a node's cache, so the image of a publication that another node left half
// done (its intent) may not be here. Everything but the tags went to the registry before that
// intent was recorded (RegistryPublication::upload: blobs, manifest and attestations by digest),
// so this node can complete it from there.
#pragma once

#include "builder/pipeline/function_store.h"
#include "builder/pipeline/registry_publish.h"
#include "builder/store/version_store.h"
#include "builder/util/status.h"

namespace ignite::pipeline {

// Copies into the store's layout, from `publication`'s repository, what tagging `record`'s image
// reads there: its manifest, and its SBOM and provenance artifacts (manifests and blobs) with the
// layout's relation to them (oci::attach_in_layout). A no-op for what the layout has. NOT_FOUND
// naming the digest when the registry lacks one: the publication never finished its upload.
Status refill_from_registry(FunctionStore& store, RegistryPublication& publication,
                            const store::VersionRecord& record);

}  // namespace ignite::pipeline
