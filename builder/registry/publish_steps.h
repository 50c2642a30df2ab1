// Internal to builder/registry: the steps push_image (image_publisher.cc) and copy_image
// (image_copy.cc) share.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "builder/oci/oci_layout.h"
#include "builder/registry/image_publisher.h"
#include "builder/registry/manifest_content.h"
#include "builder/registry/registry_client.h"

namespace ignite::registry {

// Where the bytes of an image's blobs are.
struct BlobOrigin {
  const oci::OciLayout* layout = nullptr;  // blobs present here are uploaded from here
  std::string mount_from;                  // a repository on the target registry to mount from
  // Puts a blob that is in neither into `layout` (a download from another registry); null
  // when there is no other place to look.
  std::function<Status(const oci::Descriptor&)> fetch;
};

// Makes every blob `content` refers to (foreign layers aside) present in `repository`.
Status push_blobs(RegistryClient& client, std::string_view repository,
                  const ManifestContent& content, const BlobOrigin& origin);

// Step 1 and 4: OK when `tag` is absent (*same = false) or names `digest` (*same = true);
// FAILED_PRECONDITION naming the tag and both digests when it names another manifest.
Status check_tag(RegistryClient& client, std::string_view repository, std::string_view tag,
                 const Digest& digest, bool* same);

// Steps 3 to 5 for manifest `bytes` of `media_type`.
Result<TagOutcome> push_manifest_and_tag(RegistryClient& client, std::string_view repository,
                                         std::string_view tag, std::string_view media_type,
                                         std::string_view bytes);

}  // namespace ignite::registry
