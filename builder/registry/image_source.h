// An existing image to copy or build on, and where its bytes come from: an image in a registry
// or in an OCI layout. Used by copy_image (image_copy.h), by `publish-image` and by a build's
// `--base` taken from a registry.
//
// Written as skopeo writes them, or bare:
//   docker://HOST[:PORT]/REPO[:TAG][@DIGEST]   an image in a registry
//   oci:DIR:REF                                an image in an OCI layout (DIR holds no ':')
//   DIR:REF                                    the same, when DIR is an OCI layout directory
//   HOST[:PORT]/REPO[:TAG][@DIGEST]            a registry image, otherwise
// An index is resolved to its linux/amd64 manifest (the only platform images run on here).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "builder/oci/layout_reference.h"
#include "builder/oci/oci_layout.h"
#include "builder/registry/image_reference.h"
#include "builder/registry/manifest_content.h"
#include "builder/registry/registry_client.h"

namespace ignite::registry {

struct ImageSource {
  enum class Kind { kRegistry, kLayout };
  Kind kind = Kind::kRegistry;
  ImageReference registry_image;      // kRegistry
  oci::LayoutReference layout_image;  // kLayout

  // The forms above; INVALID_ARGUMENT naming them otherwise.
  static Result<ImageSource> parse(std::string_view text);
  // "docker://HOST/REPO:TAG" or "oci:DIR:REF".
  std::string to_string() const;
};

// The manifest an image source names, read: an index already resolved to linux/amd64.
struct SourceManifest {
  std::string bytes;  // exactly as stored: its digest is the image's
  ManifestContent content;
  oci::Descriptor descriptor() const;
};

// An image source opened for reading: its manifest, and its blobs on demand.
class OpenedImage {
 public:
  // A registry source on `target`'s registry is read with `target` (same credentials, and its
  // blobs can be mounted); one elsewhere with a client made from `other_registry_options`.
  // `target` may be null (no registry to publish to).
  static Result<OpenedImage> open(const ImageSource& source, RegistryClient* target,
                                  const ClientOptions& other_registry_options);
  OpenedImage(OpenedImage&&) noexcept;
  OpenedImage& operator=(OpenedImage&&) noexcept;
  ~OpenedImage();

  const ImageSource& source() const { return source_; }
  const SourceManifest& manifest() const { return manifest_; }
  // source().to_string() with the manifest's digest: what a version records as its origin.
  std::string pinned() const;

  // Puts a blob of the image into `into` (downloaded, or copied from the source layout),
  // digest checked. Nothing is done when `into` has it.
  Status fetch_blob(const oci::Descriptor& blob, oci::OciLayout& into);
  // The repository on `target`'s registry holding the image's blobs, for cross-repository
  // mounts; "" when the source is a layout or on another registry.
  std::string mount_repository() const;
  // The layout the source's blobs are in, for a layout source; null otherwise.
  const oci::OciLayout* layout() const;

 private:
  struct State;
  explicit OpenedImage(std::unique_ptr<State> state, ImageSource source, SourceManifest manifest);
  std::unique_ptr<State> state_;
  ImageSource source_;
  SourceManifest manifest_;
};

}  // namespace ignite::registry
