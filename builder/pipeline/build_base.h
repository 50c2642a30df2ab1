// The image a build starts from (build --base), and where its layers are:
//
//   (no --base)                     the store's own Python base (python_base.h), made once
//   DIR:REF, oci:DIR:REF            an image in an OCI layout; compose_image copies its layers
//                                   into the store
//   HOST[:PORT]/REPO:TAG|@sha256:…,  an image in a registry, resolved to a digest on every
//   docker://…                      build (tags move), an index to its linux/amd64 manifest.
//                                   Its manifest and config are stored in the store's layout.
//                                   Its layers are downloaded into the store only when the
//                                   build publishes to no registry; with --registry they stay
//                                   where they are: skipped when the target has them, mounted
//                                   from the base's repository on the same registry, and
//                                   fetched only when the target lacks them and cannot mount.
//
// registry::ImageSource::parse tells the forms apart (image_source.h).
#pragma once

#include <optional>
#include <string>

#include "builder/oci/image_builder.h"
#include "builder/pipeline/function_store.h"
#include "builder/pipeline/progress.h"
#include "builder/pipeline/registry_publish.h"
#include "builder/registry/image_source.h"

namespace ignite::pipeline {

struct BuildBase {
  oci::BaseImage image;
  // What the version's inputs record as "base": kPythonBaseRef, the DIR:REF given, or the
  // registry image pinned to its digest ("docker://HOST/REPO:TAG@sha256:…").
  std::string recorded;
  // A base in a registry, still open: where its layers come from when the target lacks them.
  std::optional<registry::OpenedImage> remote;
};

// `publication` is the registry being published to, or null. A registry base on the same
// registry is read with its client.
Result<BuildBase> open_build_base(FunctionStore& store, const std::optional<std::string>& base,
                                  RegistryPublication* publication, Progress& progress);

}  // namespace ignite::pipeline
