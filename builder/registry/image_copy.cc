#include "builder/registry/image_copy.h"

#include <stdlib.h>

#include <filesystem>
#include <optional>

#include "builder/registry/publish_steps.h"

namespace ignite::registry {
namespace {

// A staging layout in a temporary directory, removed with the object, or in a given one, kept.
class Staging {
 public:
  static Result<Staging> open(const std::string& dir) {
    Staging s;
    if (dir.empty()) {
      const char* tmp = std::getenv("TMPDIR");
      std::string tmpl = std::string(tmp && *tmp ? tmp : "/tmp") + "/ignite-copy-XXXXXX";
      if (::mkdtemp(tmpl.data()) == nullptr) {
        return errno_status("making a staging directory in " + tmpl, errno);
      }
      s.temp_dir_ = tmpl;
    }
    auto layout = oci::OciLayout::open(dir.empty() ? s.temp_dir_ + "/oci" : dir,
                                       oci::CreateLayout::kIfMissing);
    if (!layout.ok()) return layout.status().with_context("opening the staging layout");
    s.layout_.emplace(std::move(layout).value());
    return s;
  }
  Staging(Staging&& other) noexcept
      : temp_dir_(std::exchange(other.temp_dir_, "")), layout_(std::move(other.layout_)) {}
  Staging& operator=(Staging&&) = delete;
  ~Staging() {
    if (temp_dir_.empty()) return;
    std::error_code ec;
    std::filesystem::remove_all(temp_dir_, ec);
  }
  oci::OciLayout& layout() { return *layout_; }

 private:
  Staging() = default;
  std::string temp_dir_;
  std::optional<oci::OciLayout> layout_;
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
