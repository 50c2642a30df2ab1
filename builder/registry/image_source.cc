#include "builder/registry/image_source.h"

#include <sys/stat.h>

namespace ignite::registry {
namespace {

bool is_layout_dir(const std::string& dir) {
  struct stat st {};
  return !dir.empty() && ::stat((dir + "/oci-layout").c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

// A bare registry reference must name its registry: "HOST.DOMAIN/…", "HOST:PORT/…" or
// "localhost/…". Otherwise a mistyped layout path would quietly become a Docker Hub name (and
// parse() never takes a path that exists on disk for a host).
bool names_registry(std::string_view text) {
  const std::size_t slash = text.find('/');
  if (slash == std::string_view::npos) return false;
  const std::string_view first = text.substr(0, slash);
  return first.find_first_of(".:[") != std::string_view::npos || first == "localhost";
}

constexpr int kMaxIndexDepth = 2;  // an index of indexes is not followed further

Result<SourceManifest> layout_manifest(const oci::OciLayout& layout, std::string_view ref) {
  IGNITE_ASSIGN_OR_RETURN(oci::Descriptor d, layout.resolve(ref));
  for (int depth = 0; depth < kMaxIndexDepth; ++depth) {
    IGNITE_ASSIGN_OR_RETURN(std::string bytes, layout.read_blob(d.digest));
    IGNITE_ASSIGN_OR_RETURN(ManifestContent content, parse_manifest_content(bytes, d.media_type));
    if (!content.is_index) return SourceManifest{std::move(bytes), std::move(content)};
    IGNITE_ASSIGN_OR_RETURN(d, select_linux_amd64(content));
  }
  return invalid_argument("an index in an index is not followed");
}

Result<SourceManifest> registry_manifest(RegistryClient& client, const ImageReference& ref) {
  std::string reference = ref.reference();
  for (int depth = 0; depth < kMaxIndexDepth; ++depth) {
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
  if (text.starts_with("docker://")) {
    IGNITE_ASSIGN_OR_RETURN(source.registry_image, ImageReference::parse(text));
    return source;
  }
  const std::size_t colon = text.find(':');
  if (text.starts_with("oci:") ||
      (colon != std::string_view::npos && is_layout_dir(std::string(text.substr(0, colon))))) {
    source.kind = Kind::kLayout;
    IGNITE_ASSIGN_OR_RETURN(source.layout_image, oci::LayoutReference::parse(text));
    return source;
  }
  std::string detail;
  struct stat st {};
  if (colon != std::string_view::npos && colon > 0 &&
      ::stat(std::string(text.substr(0, colon)).c_str(), &st) == 0) {
    // A path that exists is never taken as a registry host ("build.out/layout:ref").
    return invalid_argument("image \"" + std::string(text) + "\": \"" + std::string(text.substr(0, colon)) +
                            "\" is not an OCI layout (it has no oci-layout file)");
  }
  if (names_registry(text)) {
    auto ref = ImageReference::parse(text);
    if (ref.ok()) {
      source.registry_image = std::move(ref).value();
      return source;
    }
    detail = " (as a registry image: " + ref.status().message() + ")";
  } else if (colon != std::string_view::npos) {
    detail = " (no OCI layout at \"" + std::string(text.substr(0, colon)) + "\")";
  }
  return invalid_argument("image \"" + std::string(text) +
                          "\" is neither a registry image (HOST[:PORT]/REPO:TAG or @sha256:…, or "
                          "docker://…) nor an image in an OCI layout (DIR:REF, where DIR holds an "
                          "oci-layout file, or oci:DIR:REF)" + detail);
}

std::string ImageSource::to_string() const {
  return kind == Kind::kRegistry ? "docker://" + registry_image.to_string()
                                 : "oci:" + layout_image.to_string();
}

oci::Descriptor SourceManifest::descriptor() const {
  return oci::Descriptor{
      content.media_type, Digest::of(bytes), static_cast<std::int64_t>(bytes.size()), {}, {}};
}

struct OpenedImage::State {
  std::optional<oci::OciLayout> layout;        // a layout source
  std::optional<RegistryClient> own_client;     // a registry source on another registry
  RegistryClient* target = nullptr;             // a registry source on the target's registry
  RegistryClient& client() { return own_client ? *own_client : *target; }
};

OpenedImage::OpenedImage(std::unique_ptr<State> state, ImageSource source, SourceManifest manifest)
    : state_(std::move(state)), source_(std::move(source)), manifest_(std::move(manifest)) {}
OpenedImage::OpenedImage(OpenedImage&&) noexcept = default;
OpenedImage& OpenedImage::operator=(OpenedImage&&) noexcept = default;
OpenedImage::~OpenedImage() = default;

Result<OpenedImage> OpenedImage::open(const ImageSource& source, RegistryClient* target,
                                      const ClientOptions& other_registry_options) {
  const std::string what = "reading image " + source.to_string();
  auto state = std::make_unique<State>();
  Result<SourceManifest> manifest = internal_error("not read");
  if (source.kind == ImageSource::Kind::kLayout) {
    auto layout = oci::OciLayout::open(source.layout_image.dir, oci::CreateLayout::kNo);
    if (!layout.ok()) return layout.status().with_context(what);
    state->layout.emplace(std::move(layout).value());
    manifest = layout_manifest(*state->layout, source.layout_image.ref);
  } else {
    if (target != nullptr && source.registry_image.registry == target->registry()) {
      state->target = target;
    } else {
      auto client = RegistryClient::create(source.registry_image.registry, other_registry_options);
      if (!client.ok()) return client.status().with_context(what);
      state->own_client.emplace(std::move(client).value());
    }
    manifest = registry_manifest(state->client(), source.registry_image);
  }
  if (!manifest.ok()) return manifest.status().with_context(what);
  return OpenedImage(std::move(state), source, std::move(manifest).value());
}

std::string OpenedImage::pinned() const {
  const std::string digest = manifest_.descriptor().digest.to_string();
  if (source_.kind == ImageSource::Kind::kLayout) return source_.to_string() + "@" + digest;
  ImageReference ref = source_.registry_image;
  ref.digest = manifest_.descriptor().digest;  // an index's tag pins to the manifest copied
  return "docker://" + ref.to_string();
}

Status OpenedImage::fetch_blob(const oci::Descriptor& blob, oci::OciLayout& into) {
  if (into.has_blob(blob.digest)) return ok_status();
  if (state_->layout) {
    return into.copy_blob_from(*state_->layout, blob)
        .with_context("copying blob " + blob.digest.to_string() + " of image " + source_.to_string());
  }
  return state_->client().fetch_blob(source_.registry_image.repository, blob, into);
}

std::string OpenedImage::mount_repository() const {
  return state_->target != nullptr ? source_.registry_image.repository : std::string();
}

const oci::OciLayout* OpenedImage::layout() const {
  return state_->layout ? &*state_->layout : nullptr;
}

}  // namespace ignite::registry
