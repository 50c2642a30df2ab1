#include "builder/pipeline/publish_image.h"

#include <nlohmann/json.hpp>

#include "builder/oci/image_config.h"
#include "builder/oci/manifest.h"
#include "builder/oci/media_types.h"
#include "builder/pipeline/version_commit.h"
#include "builder/registry/image_source.h"
#include "builder/util/builder_version.h"
#include "builder/util/fault.h"

namespace ignite::pipeline {
namespace {

// The manifest and config, stored in the store's layout (the layout keeps every version's
// manifest and config, wherever its layers are). Refuses images that cannot run here.
Status store_manifest_and_config(FunctionStore& store, registry::OpenedImage& image) {
  const registry::SourceManifest& m = image.manifest();
  const std::string what = "image " + image.pinned();
  if (m.content.blobs.empty()) return invalid_argument(what + ": the manifest has no config");
  const oci::Descriptor& config = m.content.blobs.front();
  IGNITE_RETURN_IF_ERROR(image.fetch_blob(config, store.layout()).with_context(what));
  IGNITE_ASSIGN_OR_RETURN(std::string config_bytes, store.layout().read_blob(config.digest));
  auto parsed = oci::parse_image_config(config_bytes);
  if (!parsed.ok()) return parsed.status().with_context(what + ": config");
  if (parsed->os != oci::kOs || parsed->architecture != oci::kArchitecture) {
    return failed_precondition(what + " is for " + parsed->os + "/" + parsed->architecture +
                               "; Ignite runs " + std::string(oci::kOs) + "/" +
                               std::string(oci::kArchitecture) + " images");
  }
  if (parsed->diff_ids.size() + 1 != m.content.blobs.size()) {
    return invalid_argument(what + ": the manifest lists " + std::to_string(m.content.blobs.size() - 1) +
                            " layers but the config " + std::to_string(parsed->diff_ids.size()) +
                            " diff_ids");
  }
  return store.layout().add_blob(m.content.media_type, m.bytes).status().with_context(what);
}

// Every layer into the store's layout: without a registry, the layout is where the version
// lives.
Status copy_layers(FunctionStore& store, registry::OpenedImage& image, Progress& progress) {
  const auto& blobs = image.manifest().content.blobs;
  std::int64_t bytes = 0;
  int copied = 0;
  for (std::size_t i = 1; i < blobs.size(); ++i) {
    if (registry::is_foreign_layer(blobs[i].media_type) || store.layout().has_blob(blobs[i].digest)) continue;
    IGNITE_RETURN_IF_ERROR(image.fetch_blob(blobs[i], store.layout()));
    ++copied;
    bytes += blobs[i].size;
  }
  progress.note(std::to_string(copied) + " of " + std::to_string(blobs.size() - 1) + " layer(s) copied, " +
                std::to_string(bytes) + " bytes");
  return ok_status();
}

std::string base_digest_of(const registry::SourceManifest& m) {
  auto j = nlohmann::json::parse(m.bytes, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return "";
  auto annotations = j.find("annotations");
  if (annotations == j.end() || !annotations->is_object()) return "";
  auto base = annotations->find(oci::kAnnotationBaseDigest);
  return base != annotations->end() && base->is_string() ? base->get<std::string>() : "";
}

}  // namespace

Result<PublishImageResult> publish_image(FunctionStore& store, const PublishImageRequest& request,
                                         Progress& progress) {
  const store::AppId& app = request.app;
  PublishImageResult result{{}, oci::Descriptor{"", Digest::of(""), 0, {}, {}}, "", ""};

  // Each stage is announced, then passed through the queue's gate when a worker runs it.
  auto enter = [&](std::string_view stage, std::string_view detail) -> Status {
    progress.stage(stage, detail);
    return request.hooks.enter_stage ? request.hooks.enter_stage(stage) : ok_status();
  };
  IGNITE_RETURN_IF_ERROR(enter("resolve", request.image));
  IGNITE_ASSIGN_OR_RETURN(registry::ImageSource source, registry::ImageSource::parse(request.image));
  std::optional<RegistryPublication> publication;
  if (request.registry) {
    IGNITE_ASSIGN_OR_RETURN(RegistryPublication p,
                            RegistryPublication::connect(*request.registry, app, progress));
    publication.emplace(std::move(p));
  }
  IGNITE_ASSIGN_OR_RETURN(
      registry::OpenedImage image,
      registry::OpenedImage::open(source, publication ? &publication->client() : nullptr,
                                  default_client_options(progress)));
  result.manifest = image.manifest().descriptor();
  result.source = image.pinned();
  progress.note(result.source);
  IGNITE_RETURN_IF_ERROR(store_manifest_and_config(store, image));
  fault_point("resolve");

  if (!request.make_version && publication) {
    // A draft with a registry to publish to: the publish build pushes (or mounts) the layers.
    progress.done();
    return result;
  }
  if (publication) {
    IGNITE_RETURN_IF_ERROR(enter("push", publication->host() + "/" + app.to_string()));
    IGNITE_RETURN_IF_ERROR(publication->check_tags(store));
    IGNITE_RETURN_IF_ERROR(publication->upload_copy(store, image));
    fault_point("push");
  } else {
    IGNITE_RETURN_IF_ERROR(enter("copy", store.layout_dir()));
    IGNITE_RETURN_IF_ERROR(copy_layers(store, image, progress).with_context("copying image " + result.source));
    fault_point("copy");
  }

  if (!request.make_version) {
    progress.done();
    return result;
  }

  IGNITE_RETURN_IF_ERROR(enter("commit", app.to_string()));
  nlohmann::json inputs = {
      {"builderVersion", kBuilderVersion},
      {"image", result.source},
      {"codeHash", ""},
      {"org", app.org()},
      {"app", app.app()},
  };
  result.inputs = inputs.dump();
  store::VersionRecord record;
  record.manifest_digest = result.manifest.digest.to_string();
  record.code_hash = "";  // an image draft has no source to hash
  record.base_digest = base_digest_of(image.manifest());
  record.inputs = result.inputs;
  IGNITE_ASSIGN_OR_RETURN(static_cast<CommittedVersion&>(result),
                          commit_version_with_ref(
                              store, app, std::move(record), result.manifest,
                              publication ? &*publication : nullptr,
                              CommitFences{request.hooks.before_commit, request.hooks.before_intent,
                                           request.hooks.on_published, request.hooks.build_id,
                                           request.publish_lock}));
  progress.done();
  return result;
}

}  // namespace ignite::pipeline
