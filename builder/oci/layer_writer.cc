#include "builder/oci/layer_writer.h"

#include "builder/oci/layer_tar.h"
#include "builder/oci/media_types.h"
#include "builder/oci/pinned_gzip.h"
#include "builder/oci/tree_layer.h"

namespace ignite::oci {

Result<Layer> write_layer(OciLayout& layout, const LayerPlan& plan, const LayerOptions& options) {
  IGNITE_ASSIGN_OR_RETURN(BlobWriter blob, layout.begin_blob());
  PinnedGzipWriter gzip(blob, options.compression_threads);
  DigestingSink tar(gzip);
  IGNITE_RETURN_IF_ERROR(write_layer_tar(plan, options.epoch, tar));
  IGNITE_RETURN_IF_ERROR(gzip.finish());
  IGNITE_ASSIGN_OR_RETURN(BlobInfo info, blob.commit());
  return Layer{Descriptor{std::string(kMediaTypeLayerGzip), info.digest, info.size, {}, {}},
               tar.finish(),
               tar.size(),
               {}};
}

Result<Layer> write_app_layer(OciLayout& layout, const SourceTree& tree,
                              const LayerOptions& options) {
  auto plan = plan_tree_layer(tree, kAppPrefix);
  if (!plan.ok()) return plan.status().with_context("writing the app layer");
  auto layer = write_layer(layout, *plan, options);
  if (!layer.ok()) return layer.status().with_context("writing the app layer");
  return layer;
}

Result<Layer> write_host_layer(OciLayout& layout, const std::string& host_dir,
                               const LayerOptions& options) {
  DirectoryLayerOptions dir_options;
  dir_options.prefix = std::string(kHostPrefix);
  dir_options.modes = ModePolicy::kNormalize;
  dir_options.special_files = SpecialFiles::kRefuse;
  auto layer = write_directory_layer(layout, host_dir, dir_options, options);
  if (!layer.ok()) return layer.status().with_context("writing the runtime host layer");
  return layer;
}

Result<Layer> write_directory_layer(OciLayout& layout, const std::string& dir,
                                    const DirectoryLayerOptions& dir_options,
                                    const LayerOptions& options) {
  IGNITE_ASSIGN_OR_RETURN(DirectoryPlan planned, plan_directory_layer(dir, dir_options));
  auto layer = write_layer(layout, planned.plan, options);
  if (!layer.ok()) return layer.status().with_context("writing a layer from " + dir);
  layer->skipped = std::move(planned.skipped);
  return layer;
}

}  // namespace ignite::oci
