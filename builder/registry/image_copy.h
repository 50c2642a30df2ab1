// Copying an existing image into a repository unchanged: `publish-image REF --org O --app A`
// (and a base image taken from a registry). The manifest's bytes are pushed as they are, so
// the image keeps its digest; Docker schema 2 manifests are copied as Docker schema 2. An index
// is resolved to its linux/amd64 manifest, which alone is copied.
//
// Sources: image_source.h.
//
// Blobs go the cheapest way: skipped when the target repository has them; mounted when the
// source is another repository of the same registry; otherwise fetched into a staging layout
// (only those the target lacks) and uploaded. Then manifest and tag as push_image does, with
// its tag guard.
#pragma once

#include <string>
#include <string_view>

#include "builder/registry/image_publisher.h"
#include "builder/registry/image_reference.h"
#include "builder/registry/image_source.h"
#include "builder/registry/registry_client.h"

namespace ignite::registry {

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

// Makes every blob of `image` present in `repository` on `target`, tagging nothing and
// pushing no manifest: skipped when there, mounted from the source's repository on the same
// registry, else uploaded, from the source layout or after a fetch into `fetch_into`.
Status copy_image_blobs(OpenedImage& image, RegistryClient& target, std::string_view repository,
                        oci::OciLayout& fetch_into);

Result<PublishResult> copy_image(const ImageSource& source, RegistryClient& target,
                                 std::string_view repository, std::string_view tag,
                                 const CopyOptions& options = {});

}  // namespace ignite::registry
