// Placing a version of the store into a node's containerd, so the node runs it with no pull
// (`import ORG/APP:vN --containerd SOCKET`, `build --containerd SOCKET`). The image keeps its
// digest; its name in containerd is "<registry host or ignite.local>/<org>/<app>:vN"
// (docs/containerd.md).
#pragma once

#include <optional>
#include <string>

#include "builder/containerd/containerd_connection.h"
#include "builder/containerd/image_import.h"
#include "builder/pipeline/function_store.h"
#include "builder/pipeline/progress.h"
#include "builder/pipeline/registry_publish.h"
#include "builder/store/app_id.h"
#include "builder/store/version_store.h"

namespace ignite::pipeline {

// The host a version's name gets when it was published to no registry.
inline constexpr const char* kLocalImageHost = "ignite.local";

// "<the first registry the version was tagged in, or ignite.local>/<org>/<app>:v<N>".
std::string containerd_image_name(const store::AppId& app, const store::VersionRecord& version);

// Imports version `version` of `app` from the store's layout. Blobs the layout lacks (a registry
// base's layers, kept only in the registry the version was published to) are fetched from that
// registry first, with `registry`'s options when it names that host (its CA, credentials).
Result<containerd::ImportResult> import_version(FunctionStore& store, const store::AppId& app,
                                                const store::VersionRecord& version,
                                                const containerd::ContainerdTarget& target,
                                                const std::optional<RegistryTarget>& registry,
                                                Progress& progress);

}  // namespace ignite::pipeline
