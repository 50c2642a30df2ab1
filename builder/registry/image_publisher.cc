#include "builder/registry/image_publisher.h"

#include <algorithm>

#include "builder/registry/image_reference.h"
#include "builder/registry/publish_steps.h"
#include "builder/util/fault.h"

namespace ignite::registry {

Status push_blobs(RegistryClient& client, std::string_view repository,
                  const ManifestContent& content, const BlobOrigin& origin) {
  for (const oci::Descriptor& blob : content.blobs) {
    if (is_foreign_layer(blob.media_type)) continue;
    const bool local = origin.layout != nullptr && origin.layout->has_blob(blob.digest);
    IGNITE_ASSIGN_OR_RETURN(
        BlobPushed pushed,
        client.push_blob(repository, blob, local ? origin.layout->blob_path(blob.digest) : "",
                         origin.mount_from));
    if (pushed != BlobPushed::kMissing) continue;
    const std::string what = "pushing blob " + blob.digest.to_string() + " to registry " +
                             client.registry() + "/" + std::string(repository);
    if (!origin.fetch || origin.layout == nullptr) {
      return failed_precondition(what + ": the blob is neither in " +
                                 (origin.layout ? origin.layout->dir() : std::string("a layout")) +
                                 " nor in the repository" +
                                 (origin.mount_from.empty() ? "" : " or " + origin.mount_from));
    }
    IGNITE_RETURN_IF_ERROR(origin.fetch(blob));
    IGNITE_ASSIGN_OR_RETURN(
        pushed, client.push_blob(repository, blob, origin.layout->blob_path(blob.digest)));
  }
  return ok_status();
}

Status check_tag(RegistryClient& client, std::string_view repository, std::string_view tag,
                 const Digest& digest, bool* same) {
  IGNITE_ASSIGN_OR_RETURN(std::optional<oci::Descriptor> current,
                          client.head_manifest(repository, tag));
  *same = current.has_value() && current->digest == digest;
  if (!current || *same) return ok_status();
  return failed_precondition("tag " + std::string(tag) + " in registry " + client.registry() + "/" +
                             std::string(repository) + " already names " +
                             current->digest.to_string() + ", not " + digest.to_string() +
                             ": tags are never moved, so nothing was changed (something other "
                             "than this builder wrote that tag)");
}

Result<TagOutcome> push_manifest_and_tag(RegistryClient& client, std::string_view repository,
                                         std::string_view tag, std::string_view media_type,
                                         std::string_view bytes) {
  const Digest digest = Digest::of(bytes);
  IGNITE_RETURN_IF_ERROR(client.put_manifest(repository, digest.to_string(), media_type, bytes));
  fault_point("registry-manifest-pushed");
  bool same = false;
  IGNITE_RETURN_IF_ERROR(check_tag(client, repository, tag, digest, &same));
  if (same) return TagOutcome::kAlreadySet;
  IGNITE_RETURN_IF_ERROR(client.put_manifest(repository, tag, media_type, bytes));
  return TagOutcome::kCreated;
}

Result<PublishResult> push_image(RegistryClient& client, const oci::OciLayout& layout,
                                 const oci::Descriptor& manifest, std::string_view repository,
                                 std::string_view tag, const PushOptions& options) {
  const std::string target =
      client.registry() + "/" + std::string(repository) + ":" + std::string(tag);
  const std::string what =
      "publishing image " + manifest.digest.to_string() + " from " + layout.dir() + " to " + target;
  IGNITE_RETURN_IF_ERROR(validate_repository(repository));
  IGNITE_RETURN_IF_ERROR(validate_tag(tag));
  client.will_push(repository);
  const TransferCounters before = client.counters();
  PublishResult result{
      manifest, target + "@" + manifest.digest.to_string(), TagOutcome::kAlreadySet, {}};

  bool same = false;
  IGNITE_RETURN_IF_ERROR(check_tag(client, repository, tag, manifest.digest, &same));
  if (same) {
    result.transfer = client.counters() - before;
    return result;
  }
  auto bytes = layout.read_blob(manifest.digest);
  if (!bytes.ok()) return bytes.status().with_context(what);
  auto content = parse_manifest_content(*bytes, manifest.media_type);
  if (!content.ok()) return content.status().with_context(what);
  const BlobOrigin origin{&layout, options.mount_from, nullptr};
  // An index: each of its manifests, with its blobs, goes first, by digest.
  for (const oci::Descriptor& child : content->manifests) {
    auto child_bytes = layout.read_blob(child.digest);
    if (!child_bytes.ok()) return child_bytes.status().with_context(what);
    auto child_content = parse_manifest_content(*child_bytes, child.media_type);
    if (!child_content.ok()) return child_content.status().with_context(what);
    IGNITE_RETURN_IF_ERROR(push_blobs(client, repository, *child_content, origin));
    IGNITE_RETURN_IF_ERROR(client.put_manifest(repository, child.digest.to_string(),
                                               child_content->media_type, *child_bytes));
  }
  IGNITE_RETURN_IF_ERROR(push_blobs(client, repository, *content, origin));
  IGNITE_ASSIGN_OR_RETURN(
      result.tag, push_manifest_and_tag(client, repository, tag, content->media_type, *bytes));
  result.manifest.media_type = content->media_type;
  result.transfer = client.counters() - before;
  return result;
}

std::optional<std::int64_t> parse_version_tag(std::string_view tag) {
  if (tag.size() < 2 || tag.size() > 19 || tag[0] != 'v' || tag[1] == '0') return std::nullopt;
  std::int64_t n = 0;
  for (char c : tag.substr(1)) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + (c - '0');
  }
  return n;
}

Result<std::vector<std::int64_t>> list_version_tags(RegistryClient& client,
                                                    std::string_view repository) {
  IGNITE_ASSIGN_OR_RETURN(std::vector<std::string> tags, client.list_tags(repository));
  std::vector<std::int64_t> versions;
  for (const std::string& t : tags) {
    if (auto n = parse_version_tag(t)) versions.push_back(*n);
  }
  std::sort(versions.begin(), versions.end());
  versions.erase(std::unique(versions.begin(), versions.end()), versions.end());
  return versions;
}

}  // namespace ignite::registry
