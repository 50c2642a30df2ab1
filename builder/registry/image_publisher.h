// Publishing images to a registry, in the order that keeps every tag whole:
//
//   1. tag guard   HEAD <repo>:<tag>: names another digest -> FAILED_PRECONDITION, nothing
//                  changed; names this digest -> done (a re-run after a crash succeeds)
//   2. blobs       each config and layer: HEAD, skipped when there; else mounted from
//                  `mount_from` when the registry agrees; else uploaded
//   3. manifest    PUT by digest: stored, untagged (the registry checks its blobs are there)
//   4. tag guard   again, just before the tag (someone may have tagged meanwhile)
//   5. tag         PUT <repo>:<tag> with the same bytes
//
// A crash anywhere leaves at most blobs and an untagged manifest behind (garbage the
// registry's GC may collect), never a tag on a manifest whose blobs are missing. The guard is
// check-then-set: registries offer no compare-and-swap on tags, so two writers racing for one
// tag between steps 4 and 5 are not told apart; version numbers come from the store, which
// gives each number to one build, so only a writer outside the builder can race.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "builder/oci/descriptor.h"
#include "builder/oci/oci_layout.h"
#include "builder/registry/registry_client.h"
#include "builder/util/status.h"

namespace ignite::registry {

enum class TagOutcome {
  kCreated,     // the tag is new
  kAlreadySet,  // it already named this manifest: nothing was pushed
};

struct PublishResult {
  oci::Descriptor manifest;  // what was pushed; its digest is the image's
  std::string reference;     // "HOST/REPO:TAG@sha256:..."
  TagOutcome tag = TagOutcome::kCreated;
  TransferCounters transfer;  // what this call moved (the client's counters' growth)
};

struct PushOptions {
  // A repository on the same registry that holds some of the blobs (the base image's):
  // missing blobs are mounted from it when the registry agrees, uploaded otherwise.
  std::string mount_from;
};

// Pushes the image (or index, with every manifest in it) that `manifest` describes, whose
// blobs are in `layout`, to `repository:tag` on the client's registry.
Result<PublishResult> push_image(RegistryClient& client, const oci::OciLayout& layout,
                                 const oci::Descriptor& manifest, std::string_view repository,
                                 std::string_view tag, const PushOptions& options = {});

// The version numbers N of the tags "vN" (N >= 1, no leading zero) in `repository`,
// ascending; empty when the repository does not exist. Lets the builder refuse to publish to
// a repository holding versions its store does not know.
Result<std::vector<std::int64_t>> list_version_tags(RegistryClient& client,
                                                    std::string_view repository);

// N for "vN", nullopt for any other tag.
std::optional<std::int64_t> parse_version_tag(std::string_view tag);

}  // namespace ignite::registry
