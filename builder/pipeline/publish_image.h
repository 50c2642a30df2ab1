// publish-image: an existing image becomes the app's next version unchanged (SaveDraft's
// `image` choice of code). Its manifest is copied as it is, so the version's digest is the
// image's; Docker schema 2 stays Docker schema 2; an index is resolved to linux/amd64 and that
// manifest alone is copied. The version records the digest and where it came from, and an
// empty codeHash.
//
// Stages, each followed by a fault point (IGNITE_FAULT=kill-after:<stage>):
//   resolve  read the image's manifest and config (registry or OCI layout; image_source.h)
//   copy     without --registry: every layer into the store's layout
//   push     with --registry: every blob the repository lacks (skipped, mounted from the
//            image's repository on the same registry, else uploaded) and the manifest by digest
//   tag, commit, ref  as for a build (version_commit.h)
// With --registry the store's layout keeps the manifest and config; the layers stay in the
// registry, and are never downloaded when the target registry holds the image's repository.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "builder/oci/descriptor.h"
#include "builder/pipeline/build_function.h"
#include "builder/pipeline/function_store.h"
#include "builder/pipeline/progress.h"
#include "builder/pipeline/registry_publish.h"
#include "builder/pipeline/version_commit.h"
#include "builder/store/app_id.h"

namespace ignite::pipeline {

struct PublishImageRequest {
  std::string image;  // an ImageSource (registry image or OCI layout image)
  store::AppId app;
  std::optional<RegistryTarget> registry{};
  // For a queued build (an image draft's, workers/worker.h), as for build_function.
  BuildHooks hooks{};
  PublishLockOptions publish_lock{};
  // false: an image draft's build: the image resolved, its manifest and config (and, without a
  // registry, its layers) in the store's layout; nothing pushed, no number taken (version 0).
  bool make_version = true;
};

struct PublishImageResult : CommittedVersion {
  oci::Descriptor manifest;  // the image's (unchanged) manifest
  std::string source;        // the image pinned: "docker://HOST/REPO:TAG@sha256:…"
  std::string inputs;        // the JSON recorded with the version
};

Result<PublishImageResult> publish_image(FunctionStore& store, const PublishImageRequest& request,
                                         Progress& progress);

}  // namespace ignite::pipeline
