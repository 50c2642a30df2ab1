#include "builder/pipeline/build_base.h"

#include "builder/pipeline/python_base.h"

namespace ignite::pipeline {
namespace {

Result<BuildBase> open_registry_base(FunctionStore& store, const registry::ImageSource& source,
                                     RegistryPublication* publication, Progress& progress) {
  IGNITE_ASSIGN_OR_RETURN(
      registry::OpenedImage remote,
      registry::OpenedImage::open(source, publication ? &publication->client() : nullptr,
                                  default_client_options(progress)));
  const std::string what = "storing base image " + remote.pinned() + " in " + store.layout_dir();
  const registry::SourceManifest& manifest = remote.manifest();
  IGNITE_ASSIGN_OR_RETURN(oci::Descriptor stored,
                          store.layout().add_blob(manifest.content.media_type, manifest.bytes));
  if (manifest.content.blobs.empty()) {
    return invalid_argument(what + ": the manifest has no config");
  }
  // The config always (compose_image derives the new config from it); the layers only when
  // no registry will hold them for this store.
  const std::size_t wanted = publication ? 1 : manifest.content.blobs.size();
  std::int64_t fetched_bytes = 0;
  int fetched = 0;
  for (std::size_t i = 0; i < wanted; ++i) {
    const oci::Descriptor& blob = manifest.content.blobs[i];
    if (registry::is_foreign_layer(blob.media_type) || store.layout().has_blob(blob.digest)) continue;
    IGNITE_RETURN_IF_ERROR(remote.fetch_blob(blob, store.layout()).with_context(what));
    if (i > 0) {
      ++fetched;
      fetched_bytes += blob.size;
    }
  }
  if (fetched > 0) {
    progress.note("downloaded " + std::to_string(fetched) + " base layer(s), " +
                  std::to_string(fetched_bytes) + " bytes");
  }
  auto image = oci::BaseImage::open(store.layout(), stored);
  if (!image.ok()) return image.status().with_context(what);
  std::string recorded = remote.pinned();
  progress.note(recorded);
  return BuildBase{std::move(image).value(), std::move(recorded), std::move(remote)};
}

}  // namespace

Result<BuildBase> open_build_base(FunctionStore& store, const std::optional<std::string>& base,
                                  RegistryPublication* publication, Progress& progress) {
  if (!base) {
    progress.stage("base", std::string(kPythonBaseRef));
    IGNITE_RETURN_IF_ERROR(ensure_python_base(store, RebuildBase::kIfMissing, progress).status());
    IGNITE_ASSIGN_OR_RETURN(oci::BaseImage image, oci::BaseImage::open(store.layout(), kPythonBaseRef));
    return BuildBase{std::move(image), std::string(kPythonBaseRef), std::nullopt};
  }
  progress.stage("base", *base);
  auto source = registry::ImageSource::parse(*base);
  if (!source.ok()) return source.status().with_context("--base");
  if (source->kind == registry::ImageSource::Kind::kLayout) {
    // Its errors name the reference.
    IGNITE_ASSIGN_OR_RETURN(oci::BaseImage image,
                            oci::BaseImage::open_reference(source->layout_image.to_string()));
    return BuildBase{std::move(image), *base, std::nullopt};
  }
  return open_registry_base(store, *source, publication, progress);
}

}  // namespace ignite::pipeline
