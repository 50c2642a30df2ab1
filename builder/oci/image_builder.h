// builder/oci README: making a function's image, reproducibly, into an OCI layout.
//
// An image is base (OS + Python) -> runtime host -> dependencies -> app. Every byte follows
// from its inputs (docs/oci-images.md lists them); nothing reads the clock, the umask, file
// owners or mtimes, or the directory order. The pieces, as the `build` command uses them
// (builder/pipeline/build_function.cc adds the dependency layer, from deps_layer.h, between host
// and app); tests/oci/image_builder_example_test.cc compiles and runs this example:
//
//   using namespace ignite::oci;
//   IGNITE_ASSIGN_OR_RETURN(OciLayout store,
//                           OciLayout::open(store_dir + "/oci", CreateLayout::kIfMissing));
//   IGNITE_ASSIGN_OR_RETURN(Epoch epoch,
//                           Epoch::from_environment_value(std::getenv("SOURCE_DATE_EPOCH")));
//   LayerOptions layer_options{epoch};
//
//   // (c) Once per base: a root filesystem as image "ignite/base:bookworm" (the default base,
//   // ignite/base:python3.11-bookworm, is made so by builder/pipeline/python_base.cc) ...
//   BaseImageOptions base_options;
//   base_options.created_by = "debootstrap --variant=minbase --include=python3 bookworm";
//   base_options.settings.env = {{"PATH", "/usr/local/bin:/usr/bin:/bin"}};
//   IGNITE_ASSIGN_OR_RETURN(WrittenBaseImage written,  // .skipped: device files left out
//       write_base_image(store, rootfs_dir, base_options, layer_options,
//                        "ignite/base:bookworm", ExistingRef::kReplace));
//   // ... then, per build, open it (or any "DIR:REF", e.g. a layout made by skopeo):
//   IGNITE_ASSIGN_OR_RETURN(BaseImage base, BaseImage::open(store, "ignite/base:bookworm"));
//
//   // (b) and (a): the layers; each is a blob in the store from here on.
//   IGNITE_ASSIGN_OR_RETURN(Layer host,
//                           write_host_layer(store, "templates/python", layer_options));
//   IGNITE_ASSIGN_OR_RETURN(Layer app, write_app_layer(store, tree, layer_options));
//
//   // (d) Compose: config + manifest, stored; the ref is set last (or later: pass "").
//   ImageSettings settings = ImageSettings::for_function();  // /app, 65532:65532, 8080/tcp
//   settings.env = {{"IGNITE_FUNCTION_ID", "acme-corp/greet"},
//                   {"IGNITE_ORGANIZATION_ID", "acme-corp"}};
//   settings.entrypoint = {"/usr/bin/python3", "/opt/ignite/host/server.py"};
//   settings.labels["dev.ignite.code-hash"] = code_hash.to_string();
//   settings.annotations["dev.ignite.code-hash"] = code_hash.to_string();
//   IGNITE_ASSIGN_OR_RETURN(Descriptor image,
//       compose_image(store, base, {{host, "runtime host"}, {app, "app"}}, settings, epoch,
//                     "acme-corp/greet:v1", ExistingRef::kRefuse));
//   // image.digest is the manifest digest: skopeo inspect oci:STORE/oci:acme-corp/greet:v1
//
// read_image() and verify_image() (image_reader.h) read an image back and check every blob.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "builder/oci/descriptor.h"
#include "builder/oci/directory_layer.h"
#include "builder/oci/epoch.h"
#include "builder/oci/image_config.h"
#include "builder/oci/image_reader.h"
#include "builder/oci/layer_writer.h"
#include "builder/oci/oci_layout.h"
#include "builder/util/status.h"

namespace ignite::oci {

// The image a new one is built on: nothing, or an image in some OCI layout.
class BaseImage {
 public:
  static BaseImage scratch() { return BaseImage(); }
  // The image `ref` names in `layout` (an index is followed to linux/amd64).
  static Result<BaseImage> open(const OciLayout& layout, std::string_view ref);
  // The image `manifest` describes in `layout`. Its layers need not be there: compose_image
  // copies no blob from the layout it composes in (a base taken from a registry keeps its
  // layers there, and only its manifest and config are stored).
  static Result<BaseImage> open(const OciLayout& layout, const Descriptor& manifest);
  // "DIR:REF" (layout_reference.h), e.g. a layout written by `skopeo copy docker://...
  // oci:DIR:REF`.
  static Result<BaseImage> open_reference(std::string_view reference);

  bool is_scratch() const { return !image_.has_value(); }
  // The layout the base's blobs are in ("" for scratch).
  const std::string& layout_dir() const { return layout_dir_; }
  const StoredImage& image() const { return *image_; }  // not for scratch

 private:
  BaseImage() = default;
  std::string layout_dir_;
  std::optional<StoredImage> image_;
};

// A layer to put on top of the base, with its history line ("created_by").
struct ImageLayer {
  Layer layer;
  std::string created_by;
};

// (d) Stores a new image in `layout`: the base's layers (copied from its layout when that is
// another one) and `layers` on top, a config derived from the base's with `settings` applied
// (image_config.h), and a manifest carrying settings.annotations plus
// org.opencontainers.image.base.digest (the base's manifest digest; not for scratch). Then
// points `ref` at it, unless `ref` is "" (the caller sets it later, e.g. once the store has
// assigned the version number). Returns the manifest's descriptor: its digest is the image's.
// The layers' blobs must already be in `layout` (write_*_layer put them there).
Result<Descriptor> compose_image(OciLayout& layout, const BaseImage& base,
                                 const std::vector<ImageLayer>& layers,
                                 const ImageSettings& settings, Epoch epoch, std::string_view ref,
                                 ExistingRef existing);

struct BaseImageOptions {
  ImageSettings settings;  // e.g. env PATH; nothing is set by default
  std::string created_by;  // the history line of the root filesystem layer
  SpecialFiles special_files = SpecialFiles::kSkip;
};

struct WrittenBaseImage {
  Descriptor manifest;
  std::vector<std::string> skipped;  // paths left out of the layer (device files, sockets)
};

// (c) A base image from a root filesystem directory (debootstrap's): one layer with the
// files' real modes and owners (ModePolicy::kPreserveModes) and fixed mtimes, device files
// skipped by default, composed on scratch and stored under `ref`.
Result<WrittenBaseImage> write_base_image(OciLayout& layout, const std::string& rootfs,
                                          const BaseImageOptions& options,
                                          const LayerOptions& layer_options, std::string_view ref,
                                          ExistingRef existing);

}  // namespace ignite::oci
