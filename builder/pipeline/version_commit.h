// The last step of every way a version is made (build, publish-image): inside the store's
// write transaction, the ref "<org>/<app>:v<N>" is set in the image layout and, when
// publishing to a registry, the tag vN there; then the version is recorded.
//
// Fault points: "ref" after the ref and tag, "commit" after the transaction commits.
#pragma once

#include "builder/oci/descriptor.h"
#include "builder/pipeline/function_store.h"
#include "builder/pipeline/registry_publish.h"
#include "builder/store/app_id.h"
#include "builder/store/version_store.h"

namespace ignite::pipeline {

// `manifest` (and, for a version that keeps no layers in a registry, every blob it refers to)
// must be in the store's layout already. `publication` may be null.
Result<store::VersionRecord> commit_version_with_ref(FunctionStore& store, const store::AppId& app,
                                                     store::VersionRecord record,
                                                     const oci::Descriptor& manifest,
                                                     RegistryPublication* publication);

}  // namespace ignite::pipeline
