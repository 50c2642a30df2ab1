#include "builder/registry/image_copy.h"

#include <optional>

#include "builder/oci/scratch_layout.h"
#include "builder/registry/publish_steps.h"

namespace ignite::registry {
namespace {

// A staging layout: a scratch one removed with the object, or the given directory's, kept.
class Staging {
 public:
  static Result<Staging> open(const std::string& dir) {
    Staging s;
    if (dir.empty()) {
      IGNITE_ASSIGN_OR_RETURN(oci::ScratchLayout scratch,
                              oci::ScratchLayout::make_in_tmp("ignite-copy-"));
      s.scratch_.emplace(std::move(scratch));
      return s;
    }
    auto layout = oci::OciLayout::open(dir, oci::CreateLayout::kIfMissing);
    if (!layout.ok()) return layout.status().with_context("opening the staging layout");
    s.kept_.emplace(std::move(layout).value());
    return s;
  }
  oci::OciLayout& layout() { return scratch_ ? scratch_->layout() : *kept_; }

 private:
  Staging() = default;
  std::optional<oci::ScratchLayout> scratch_;
  std::optional<oci::OciLayout> kept_;
};

}  // namespace

Result<oci::Descriptor> resolve_image_source(const ImageSource& source, RegistryClient& target,
                                             const CopyOptions& options) {
  IGNITE_ASSIGN_OR_RETURN(OpenedImage image, OpenedImage::open(source, &target, options.source_client));
  return image.manifest().descriptor();
}

Status copy_image_blobs(OpenedImage& image, RegistryClient& target, std::string_view repository,
                        oci::OciLayout& fetch_into) {
  BlobOrigin origin;
  if (const oci::OciLayout* source_layout = image.layout()) {
    origin.layout = source_layout;
  } else {
    origin.layout = &fetch_into;
    origin.mount_from = image.mount_repository();
    origin.fetch = [&](const oci::Descriptor& blob) { return image.fetch_blob(blob, fetch_into); };
  }
  return push_blobs(target, repository, image.manifest().content, origin);
}

Result<PublishResult> copy_image(const ImageSource& source, RegistryClient& target,
                                 std::string_view repository, std::string_view tag,
                                 const CopyOptions& options) {
  const std::string target_name =
      target.registry() + "/" + std::string(repository) + ":" + std::string(tag);
  const std::string what = "copying image " + source.to_string() + " to " + target_name;
  IGNITE_RETURN_IF_ERROR(validate_repository(repository));
  IGNITE_RETURN_IF_ERROR(validate_tag(tag));
  target.will_push(repository);
  const TransferCounters before = target.counters();

  auto opened = OpenedImage::open(source, &target, options.source_client);
  if (!opened.ok()) return opened.status().with_context(what);
  OpenedImage& image = *opened;
  const oci::Descriptor manifest = image.manifest().descriptor();
  PublishResult result{
      manifest, target_name + "@" + manifest.digest.to_string(), TagOutcome::kAlreadySet, {}};

  bool same = false;
  IGNITE_RETURN_IF_ERROR(check_tag(target, repository, tag, manifest.digest, &same));
  if (same) {
    result.transfer = target.counters() - before;
    return result;
  }

  IGNITE_ASSIGN_OR_RETURN(Staging staging, Staging::open(options.staging_dir));
  IGNITE_RETURN_IF_ERROR(copy_image_blobs(image, target, repository, staging.layout()));
  IGNITE_ASSIGN_OR_RETURN(
      result.tag, push_manifest_and_tag(target, repository, tag, image.manifest().content.media_type,
                                        image.manifest().bytes));
  result.transfer = target.counters() - before;
  return result;
}

}  // namespace ignite::registry
