#include "builder/oci/image_builder.h"

#include "builder/oci/layout_reference.h"
#include "builder/oci/manifest.h"
#include "builder/oci/media_types.h"

namespace ignite::oci {

Result<BaseImage> BaseImage::open(const OciLayout& layout, std::string_view ref) {
  auto manifest = layout.resolve(ref);
  if (!manifest.ok()) return manifest.status().with_context("opening base image");
  return open(layout, *manifest);
}

Result<BaseImage> BaseImage::open(const OciLayout& layout, const Descriptor& manifest) {
  auto image = read_image(layout, manifest);
  if (!image.ok()) return image.status().with_context("opening base image");
  BaseImage b;
  b.layout_dir_ = layout.dir();
  b.image_ = std::move(*image);
  return b;
}

Result<BaseImage> BaseImage::open_reference(std::string_view reference) {
  IGNITE_ASSIGN_OR_RETURN(LayoutReference r, LayoutReference::parse(reference));
  auto layout = OciLayout::open(r.dir, CreateLayout::kNo);
  if (!layout.ok()) return layout.status().with_context("opening base image " + r.to_string());
  return open(*layout, r.ref);
}

Result<Descriptor> compose_image(OciLayout& layout, const BaseImage& base,
                                 const std::vector<ImageLayer>& layers,
                                 const ImageSettings& settings, Epoch epoch, std::string_view ref,
                                 ExistingRef existing) {
  const std::string context = "composing image" +
                              (ref.empty() ? std::string() : " \"" + std::string(ref) + "\"") +
                              " in OCI layout " + layout.dir();
  std::vector<Descriptor> manifest_layers;
  std::map<std::string, std::string> annotations = settings.annotations;
  std::string base_config;
  if (!base.is_scratch()) {
    const StoredImage& b = base.image();
    if (base.layout_dir() != layout.dir()) {
      auto source = OciLayout::open(base.layout_dir(), CreateLayout::kNo);
      if (!source.ok()) return source.status().with_context(context + ": base image");
      for (const auto& l : b.manifest.layers) {
        IGNITE_RETURN_IF_ERROR(layout.copy_blob_from(*source, l).with_context(context));
      }
      // The base's own manifest and config too, which the image names (base.digest) and
      // derives its config from: with them the layout alone can rebuild the image (verify
      // --rebuild) and show what it was built on.
      IGNITE_RETURN_IF_ERROR(
          layout.copy_blob_from(*source, b.manifest_descriptor).with_context(context));
      IGNITE_RETURN_IF_ERROR(
          layout.copy_blob_from(*source, b.manifest.config).with_context(context));
    }
    manifest_layers = b.manifest.layers;
    // A Docker schema 2 base: the same layer bytes under their OCI media type.
    for (auto& l : manifest_layers)
      l.media_type = std::string(layer_media_type_as_oci(l.media_type));
    annotations[std::string(kAnnotationBaseDigest)] = b.manifest_descriptor.digest.to_string();
    base_config = b.config_bytes;
  }
  std::vector<ConfigLayer> added;
  for (const auto& l : layers) {
    if (!layout.has_blob(l.layer.blob.digest)) {
      return failed_precondition(context + ": layer " + l.layer.blob.digest.to_string() +
                                 " is not stored in the layout (write layers into it first)");
    }
    manifest_layers.push_back(l.layer.blob);
    added.push_back(ConfigLayer{l.layer.diff_id, l.created_by});
  }
  auto config = derive_image_config(base_config, settings, added, epoch);
  if (!config.ok()) return config.status().with_context(context);
  IGNITE_ASSIGN_OR_RETURN(Descriptor config_blob, layout.add_blob(kMediaTypeConfig, *config));
  const ImageManifest manifest{std::move(config_blob), std::move(manifest_layers),
                               std::move(annotations)};
  auto bytes = manifest_json(manifest);
  if (!bytes.ok()) return bytes.status().with_context(context + ": manifest");
  IGNITE_ASSIGN_OR_RETURN(Descriptor stored, layout.add_blob(kMediaTypeManifest, *bytes));
  if (!ref.empty()) IGNITE_RETURN_IF_ERROR(layout.set_ref(ref, stored, existing));
  return stored;
}

Result<WrittenBaseImage> write_base_image(OciLayout& layout, const std::string& rootfs,
                                          const BaseImageOptions& options,
                                          const LayerOptions& layer_options, std::string_view ref,
                                          ExistingRef existing) {
  DirectoryLayerOptions dir_options;
  dir_options.modes = ModePolicy::kPreserveModes;
  dir_options.special_files = options.special_files;
  auto layer = write_directory_layer(layout, rootfs, dir_options, layer_options);
  if (!layer.ok()) return layer.status().with_context("writing base image from " + rootfs);
  std::vector<std::string> skipped = std::move(layer->skipped);
  IGNITE_ASSIGN_OR_RETURN(Descriptor manifest,
                          compose_image(layout, BaseImage::scratch(),
                                        {ImageLayer{std::move(*layer), options.created_by}},
                                        options.settings, layer_options.epoch, ref, existing));
  return WrittenBaseImage{std::move(manifest), std::move(skipped)};
}

}  // namespace ignite::oci
