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

struct SourceManifest {
  std::string bytes;
  ManifestContent content;
};

// The manifest to copy from a layout: `ref`'s, or its index's linux/amd64 entry.
Result<SourceManifest> layout_manifest(const oci::OciLayout& layout, std::string_view ref) {
  IGNITE_ASSIGN_OR_RETURN(oci::Descriptor d, layout.resolve(ref));
  for (int depth = 0; depth < 2; ++depth) {
    IGNITE_ASSIGN_OR_RETURN(std::string bytes, layout.read_blob(d.digest));
    IGNITE_ASSIGN_OR_RETURN(ManifestContent content, parse_manifest_content(bytes, d.media_type));
    if (!content.is_index) return SourceManifest{std::move(bytes), std::move(content)};
    IGNITE_ASSIGN_OR_RETURN(d, select_linux_amd64(content));
  }
  return invalid_argument("an index in an index is not followed");
}

// The same from a registry.
Result<SourceManifest> registry_manifest(RegistryClient& client, const ImageReference& ref) {
  std::string reference = ref.reference();
  for (int depth = 0; depth < 2; ++depth) {
    IGNITE_ASSIGN_OR_RETURN(FetchedManifest m, client.get_manifest(ref.repository, reference));
    IGNITE_ASSIGN_OR_RETURN(ManifestContent content, parse_manifest_content(m.bytes, m.media_type));
    if (!content.is_index) return SourceManifest{std::move(m.bytes), std::move(content)};
    IGNITE_ASSIGN_OR_RETURN(oci::Descriptor d, select_linux_amd64(content));
    reference = d.digest.to_string();
  }
  return invalid_argument("an index in an index is not followed");
}

}  // namespace

Result<ImageSource> ImageSource::parse(std::string_view text) {
  ImageSource source;
  if (text.substr(0, 9) == "docker://") {
    IGNITE_ASSIGN_OR_RETURN(source.registry_image, ImageReference::parse(text));
    return source;
  }
  if (text.substr(0, 4) == "oci:") {
    source.kind = Kind::kLayout;
    IGNITE_ASSIGN_OR_RETURN(source.layout_image, oci::LayoutReference::parse(text));
    return source;
  }
  return invalid_argument("image source \"" + std::string(text) +
                          "\" is neither docker://HOST/REPO:TAG nor oci:DIR:REF");
}

std::string ImageSource::to_string() const {
  return kind == Kind::kRegistry ? "docker://" + registry_image.to_string()
                                 : "oci:" + layout_image.to_string();
}

namespace {

// Where copy_image reads from: the layout, or a client for the source's registry.
struct OpenSource {
  std::optional<oci::OciLayout> layout;
  std::optional<RegistryClient> other_registry;  // a source on another registry than target's
  SourceManifest manifest;

  RegistryClient& client(RegistryClient& target) {
    return other_registry ? *other_registry : target;
  }
};

Result<OpenSource> open_source(const ImageSource& source, RegistryClient& target,
                               const CopyOptions& options) {
  OpenSource open;
  if (source.kind == ImageSource::Kind::kLayout) {
    IGNITE_ASSIGN_OR_RETURN(oci::OciLayout layout,
                            oci::OciLayout::open(source.layout_image.dir, oci::CreateLayout::kNo));
    open.layout.emplace(std::move(layout));
    IGNITE_ASSIGN_OR_RETURN(open.manifest, layout_manifest(*open.layout, source.layout_image.ref));
    return open;
  }
  if (source.registry_image.registry != target.registry()) {
    IGNITE_ASSIGN_OR_RETURN(
        RegistryClient client,
        RegistryClient::create(source.registry_image.registry, options.source_client));
    open.other_registry.emplace(std::move(client));
  }
  IGNITE_ASSIGN_OR_RETURN(open.manifest,
                          registry_manifest(open.client(target), source.registry_image));
  return open;
}

oci::Descriptor descriptor_of(const SourceManifest& m) {
  return oci::Descriptor{
      m.content.media_type, Digest::of(m.bytes), static_cast<std::int64_t>(m.bytes.size()), {}, {}};
}

}  // namespace

Result<oci::Descriptor> resolve_image_source(const ImageSource& source, RegistryClient& target,
                                             const CopyOptions& options) {
  auto open = open_source(source, target, options);
  if (!open.ok()) return open.status().with_context("resolving image " + source.to_string());
  return descriptor_of(open->manifest);
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

  auto opened = open_source(source, target, options);
  if (!opened.ok()) return opened.status().with_context(what);
  OpenSource& src = *opened;
  const oci::Descriptor manifest = descriptor_of(src.manifest);
  PublishResult result{
      manifest, target_name + "@" + manifest.digest.to_string(), TagOutcome::kAlreadySet, {}};

  bool same = false;
  IGNITE_RETURN_IF_ERROR(check_tag(target, repository, tag, manifest.digest, &same));
  if (same) {
    result.transfer = target.counters() - before;
    return result;
  }

  std::optional<Staging> staging;
  BlobOrigin origin;
  if (src.layout) {
    origin.layout = &*src.layout;
  } else {
    IGNITE_ASSIGN_OR_RETURN(Staging s, Staging::open(options.staging_dir));
    staging.emplace(std::move(s));
    origin.layout = &staging->layout();
    if (!src.other_registry) origin.mount_from = source.registry_image.repository;
    origin.fetch = [&](const oci::Descriptor& blob) {
      return src.client(target).fetch_blob(source.registry_image.repository, blob,
                                           staging->layout());
    };
  }
  IGNITE_RETURN_IF_ERROR(push_blobs(target, repository, src.manifest.content, origin));
  IGNITE_ASSIGN_OR_RETURN(
      result.tag, push_manifest_and_tag(target, repository, tag, src.manifest.content.media_type,
                                        src.manifest.bytes));
  result.transfer = target.counters() - before;
  return result;
}

}  // namespace ignite::registry
