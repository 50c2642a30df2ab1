#include "builder/pipeline/containerd_import.h"

#include "builder/registry/image_source.h"
#include "builder/registry/manifest_content.h"

namespace ignite::pipeline {
namespace {

// The blobs of the image `manifest` (children of an index included) the layout lacks.
Status collect_missing(const oci::OciLayout& layout, const oci::Descriptor& manifest,
                       std::vector<oci::Descriptor>& missing) {
  if (!layout.has_blob(manifest.digest)) {
    missing.push_back(manifest);
    return ok_status();  // what it refers to is known once it is fetched
  }
  IGNITE_ASSIGN_OR_RETURN(std::string bytes, layout.read_blob(manifest.digest));
  IGNITE_ASSIGN_OR_RETURN(registry::ManifestContent content,
                          registry::parse_manifest_content(bytes, manifest.media_type));
  for (const oci::Descriptor& blob : content.blobs) {
    if (!registry::is_foreign_layer(blob.media_type) && !layout.has_blob(blob.digest)) {
      missing.push_back(blob);
    }
  }
  for (const oci::Descriptor& child : content.manifests) {
    IGNITE_RETURN_IF_ERROR(collect_missing(layout, child, missing));
  }
  return ok_status();
}

// Fetches the blobs of `manifest` the layout lacks from the registry the version is tagged in.
Status fetch_missing(FunctionStore& store, const store::AppId& app,
                     const store::VersionRecord& version, const oci::Descriptor& manifest,
                     const std::optional<RegistryTarget>& target, Progress& progress) {
  std::vector<oci::Descriptor> missing;
  IGNITE_RETURN_IF_ERROR(collect_missing(store.layout(), manifest, missing));
  if (missing.empty()) return ok_status();
  const std::string what = std::to_string(missing.size()) +
                           (missing.size() == 1 ? " blob" : " blobs") + " of " + app.to_string() +
                           ":v" + std::to_string(version.number) + " (first " +
                           missing.front().digest.to_string() + ")";
  if (version.registries.empty()) {
    return not_found(what + " not in the store's layout " + store.layout_dir() +
                     ", and the version is in no registry to fetch them from");
  }
  const std::string& host = version.registries.front();
  const registry::ClientOptions options = client_options_for(host, target, progress);
  progress.note("fetching " + what + " from " + host);
  IGNITE_ASSIGN_OR_RETURN(registry::ImageSource source,
                          registry::ImageSource::parse("docker://" + host + "/" + app.to_string() +
                                                       "@" + manifest.digest.to_string()));
  IGNITE_ASSIGN_OR_RETURN(registry::OpenedImage image,
                          registry::OpenedImage::open(source, nullptr, options));
  for (int round = 0; round < 2 && !missing.empty(); ++round) {
    for (const oci::Descriptor& blob : missing) {
      IGNITE_RETURN_IF_ERROR(
          image.fetch_blob(blob, store.layout())
              .with_context("fetching " + blob.digest.to_string() + " from " + host));
    }
    // A fetched child manifest names blobs of its own.
    missing.clear();
    IGNITE_RETURN_IF_ERROR(collect_missing(store.layout(), manifest, missing));
  }
  if (!missing.empty()) {
    return not_found(what + ": still missing after fetching from " + host);
  }
  return ok_status();
}

}  // namespace

std::string containerd_image_name(const store::AppId& app, const store::VersionRecord& version) {
  const std::string host =
      version.registries.empty() ? std::string(kLocalImageHost) : version.registries.front();
  return host + "/" + app.to_string() + ":v" + std::to_string(version.number);
}

Result<containerd::ImportResult> import_version(FunctionStore& store, const store::AppId& app,
                                                const store::VersionRecord& version,
                                                const containerd::ContainerdTarget& target,
                                                const std::optional<RegistryTarget>& registry,
                                                Progress& progress) {
  IGNITE_ASSIGN_OR_RETURN(Digest digest, Digest::parse(version.manifest_digest));
  // The layout's ref names the manifest with its media type and size.
  const std::string ref = app.ref_name(version.number);
  IGNITE_ASSIGN_OR_RETURN(oci::Descriptor manifest, store.layout().resolve(ref));
  if (manifest.digest != digest) {
    return failed_precondition("the store's layout names " + manifest.digest.to_string() + " as " +
                               ref + ", its version record " + version.manifest_digest +
                               " (run `ignite-builder store check`)");
  }
  const std::string name = containerd_image_name(app, version);
  progress.stage("import", name + " into containerd at " + target.socket);
  // Connected first: an unreachable containerd fails before anything is downloaded.
  IGNITE_ASSIGN_OR_RETURN(containerd::ContainerdConnection connection,
                          containerd::ContainerdConnection::connect(target));
  IGNITE_RETURN_IF_ERROR(fetch_missing(store, app, version, manifest, registry, progress));
  return containerd::import_image(connection, store.layout(), manifest, name);
}

}  // namespace ignite::pipeline
