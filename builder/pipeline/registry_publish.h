// Publishing a version to an OCI registry as well as the store (build --registry HOST).
//
// The store still assigns the numbers. Around its transaction:
//   before   refuse a repository holding vN tags this store never recorded; take over a tag
//            left by a build of this store that died between its tag and its commit
//            (adopt_leftover_tag); push every blob and the manifest by digest (the slow part,
//            outside the store's lock; a failure here uses no number)
//   inside   set the tag vN (tag guard: never moved), then the store commits
// docs/registry.md has the client; docs/store.md the store's side.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "builder/oci/descriptor.h"
#include "builder/oci/referrers.h"
#include "builder/pipeline/function_store.h"
#include "builder/pipeline/progress.h"
#include "builder/registry/image_publisher.h"
#include "builder/registry/image_source.h"
#include "builder/registry/registry_client.h"
#include "builder/store/app_id.h"

namespace ignite::pipeline {

enum class PlainHttp { kLoopbackOnly, kAllowed };

struct RegistryTarget {
  std::string host;     // HOST[:PORT]
  std::string ca_file;  // --registry-ca; "" = the system's CAs
  PlainHttp plain_http = PlainHttp::kLoopbackOnly;
  // --registry-user and its password; otherwise the docker configuration is asked.
  std::optional<registry::Credentials> credentials;
  // Told of every blob the publication's client settles (serve's byte counters); may be unset.
  registry::BlobObserver on_blob{};
};

// What a publication did, for the report.
struct RegistryOutcome {
  std::string reference;                // "HOST/acme-corp/greet:v3"
  registry::TransferCounters transfer;  // bytes uploaded, skipped, mounted
};

// A registry client's defaults, as used for an image or base on another registry than the one
// published to: the system's CAs, the docker configuration's credentials, plain HTTP on
// loopback only, its lines noted on `progress`. The publication's own client starts from them.
registry::ClientOptions default_client_options(Progress& progress);
// The options of a client for registry `host`: the defaults, with `target`'s CA, credentials,
// plain-HTTP choice and blob observer when it names that host (the flags of `--registry HOST`).
registry::ClientOptions client_options_for(const std::string& host,
                                           const std::optional<RegistryTarget>& target,
                                           Progress& progress);

class RegistryPublication {
 public:
  static Result<RegistryPublication> connect(const RegistryTarget& target, const store::AppId& app,
                                             Progress& progress);

  // Checks the repository's vN tags against the store's versions of the app, adopting a
  // leftover of this store's own interrupted build first. FAILED_PRECONDITION naming the tags
  // the store does not know.
  Status check_tags(FunctionStore& store);
  // Every blob, then the manifest by digest: nothing is tagged yet. Blobs the repository lacks
  // are mounted (a registry base's layers from its repository on this registry; others from
  // the repository of another app of this store tagged here with the same lock, which holds
  // the same dependency layer, else on the same base), and uploaded otherwise. A blob missing
  // from the store's layout (a registry base's layer) is fetched from `remote_base` first,
  // only when it can be neither skipped nor mounted. `lock_hash` is "" without dependencies.
  // Then the image's attestations by digest (push_referrer_artifacts): only tags are left.
  Status upload(FunctionStore& store, const oci::Descriptor& manifest,
                const std::string& base_digest, const std::string& lock_hash,
                registry::OpenedImage* remote_base);
  // The same for an existing image copied unchanged (publish-image): its blobs are skipped,
  // mounted from its repository on this registry, or uploaded (fetched into the store's layout
  // first when they come from another registry).
  Status upload_copy(FunctionStore& store, registry::OpenedImage& image);
  // The tag "vN", outside any store transaction, by the holder of the app's publish lock
  // (version_commit.h).
  // First pushes the image's referrers (its SBOM and provenance, as the layout's relation lists
  // them: push_referrers), so a version's tag never names an image without them.
  Status tag(const oci::OciLayout& layout, const oci::Descriptor& manifest, std::int64_t number);
  // The referrers the layout lists for `manifest` (oci/referrers.h): each artifact's blobs and
  // manifest by digest, then the fallback tag "sha256-<hex>" naming their index, merged with
  // what the registry's index already lists.
  Status push_referrers(const oci::OciLayout& layout, const oci::Descriptor& manifest);
  // Only the first part: each referrer's blobs and manifest by digest (upload() does it, before
  // the publish lock); returns the referrers.
  Result<std::vector<oci::Referrer>> push_referrer_artifacts(const oci::OciLayout& layout,
                                                             const oci::Descriptor& manifest);

  const std::string& host() const { return host_; }
  Progress& progress() { return progress_; }
  registry::RegistryClient& client() { return client_; }
  std::string repository() const { return app_.to_string(); }
  // What this publication moved so far.
  registry::TransferCounters transfer() const { return client_.counters() - start_; }

 private:
  RegistryPublication(registry::RegistryClient client, std::string host, store::AppId app,
                      Progress& progress)
      : client_(std::move(client)),
        host_(std::move(host)),
        app_(std::move(app)),
        start_(client_.counters()),
        progress_(progress) {}
  Status adopt_leftover_tag(FunctionStore& store, std::int64_t number);
  // The blobs of the app's latest version when check_tags saw its tag in the repository: they
  // are there (a tagged manifest keeps its blobs), so upload() sends no HEAD for them.
  std::set<std::string> blobs_known_present(FunctionStore& store) const;
  // Pushes the blobs `known` does not name (their digests go to *pushed); those it does go to
  // *assumed, unsent. With kSmallNewUnasked, small blobs are sent without a HEAD first.
  enum class Asking { kAlways, kSmallNewUnasked };
  Status push_blobs(FunctionStore& store, const oci::Descriptor& manifest,
                    const std::string& base_digest, const std::string& lock_hash,
                    registry::OpenedImage* remote_base, const std::set<std::string>& known,
                    Asking asking, std::vector<oci::Descriptor>* assumed,
                    std::set<std::string>* pushed);

  registry::RegistryClient client_;
  std::string host_;
  store::AppId app_;
  registry::TransferCounters start_;
  Progress& progress_;
  // What check_tags saw: the store's latest number, and whether its tag is in the repository.
  std::int64_t latest_ = 0;
  bool latest_tagged_ = false;
  // The attestation manifests this publication has pushed (by digest), sent once.
  std::set<std::string> referrers_pushed_;
};

}  // namespace ignite::pipeline
