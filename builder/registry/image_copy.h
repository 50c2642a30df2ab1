// Copying an existing image into a repository unchanged: `publish-image REF --org O --app A`
// (and a base image taken from a registry). The manifest's bytes are pushed as they are, so
// the image keeps its digest; Docker schema 2 manifests are copied as Docker schema 2. An index
// is resolved to its linux/amd64 manifest, which alone is copied.
//
// Sources, written as skopeo writes them:
//   docker://HOST[:PORT]/REPO[:TAG][@DIGEST]   an image in a registry
//   oci:DIR:REF                                an image in an OCI layout (DIR holds no ':')
//
// Blobs go the cheapest way: skipped when the target repository has them; mounted when the
// source is another repository of the same registry; otherwise fetched into a staging layout
// (only those the target lacks) and uploaded. Then manifest and tag as push_image does, with
// its tag guard.
#pragma once

#include <string>
#include <string_view>

#include "builder/oci/layout_reference.h"
#include "builder/registry/image_publisher.h"
#include "builder/registry/image_reference.h"
#include "builder/registry/registry_client.h"

namespace ignite::registry {

struct ImageSource {
  enum class Kind { kRegistry, kLayout };
  Kind kind = Kind::kRegistry;
  ImageReference registry_image;      // kRegistry
  oci::LayoutReference layout_image;  // kLayout

  // "docker://..." or "oci:DIR:REF"; INVALID_ARGUMENT with the accepted forms otherwise.
  static Result<ImageSource> parse(std::string_view text);
  std::string to_string() const;
};

struct CopyOptions {
  // For a source on another registry than the target's (same-registry sources use the target
  // client). Credentials come from the docker configuration unless given here.
  ClientOptions source_client;
  // Where blobs fetched from another registry are kept before upload, as an OCI layout ("" =
  // a temporary directory, removed afterwards). A directory kept between runs is a cache.
  std::string staging_dir;
};

// The manifest copy_image would copy (an index resolved to linux/amd64), without copying:
// its digest is the version's, known before the store assigns the number. A registry source
// on `target`'s registry is read with `target`; one elsewhere with options.source_client.
Result<oci::Descriptor> resolve_image_source(const ImageSource& source, RegistryClient& target,
                                             const CopyOptions& options = {});

Result<PublishResult> copy_image(const ImageSource& source, RegistryClient& target,
                                 std::string_view repository, std::string_view tag,
                                 const CopyOptions& options = {});

}  // namespace ignite::registry
