// RegistryClient: the OCI distribution API (distribution-spec v1.0, as Debian's registry 2.8.2
// speaks it) for one registry, over HTTP(S) without a daemon.
//
//   blobs      HEAD /v2/<name>/blobs/<digest>               present? (and its size)
//              POST /v2/<name>/blobs/uploads/  (Content-Length: 0)   -> 202 Location
//              [PATCH <Location> chunk ...]                 large blobs, offsets tracked here
//              PUT  <Location>&digest=<digest>              the rest of the body, or nothing
//              POST /v2/<name>/blobs/uploads/?mount=<digest>&from=<repo>  201 mounted,
//                                                           202 not: go on with its Location
//              GET  /v2/<name>/blobs/<digest>               (redirects followed)
//   manifests  HEAD|GET /v2/<name>/manifests/<ref>   Accept: OCI + Docker schema 2 types
//              PUT  /v2/<name>/manifests/<ref>       Content-Type: the manifest's media type
//   tags       GET  /v2/<name>/tags/list?n=N         then each Link rel="next"
//
// Every operation retries connection faults, 5xx and 429 with backoff (retry_policy.h); an
// upload that fails anywhere starts over from HEAD with a new session. Auth (Basic, or Bearer
// tokens for scope repository:<name>:pull,push) follows the registry's challenge; see
// registry_auth.cc. Errors name the operation, the object, the registry and the repository,
// and never carry credentials or tokens. Not thread-safe: one client per thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "builder/net/clock.h"
#include "builder/net/retry_policy.h"
#include "builder/oci/descriptor.h"
#include "builder/oci/oci_layout.h"
#include "builder/registry/credentials.h"
#include "builder/util/digest.h"
#include "builder/util/status.h"

namespace ignite::registry {

// The retry policy and the clock are the HTTP layer's (builder/net), shared with the index.
using net::Clock;
using net::RetryPolicy;
using net::SystemClock;

// Blobs larger than this go up in PATCH chunks of this size; smaller ones in the final PUT.
inline constexpr std::int64_t kDefaultChunkBytes = 32 << 20;
// Tags asked for per page of a tag list.
inline constexpr int kDefaultTagsPageSize = 1000;

// Every manifest type this client reads, for Accept (2.8.2 answers 404 to a manifest GET or
// HEAD whose Accept does not list the stored type).
inline constexpr std::string_view kManifestAccept =
    "application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json, "
    "application/vnd.docker.distribution.manifest.v2+json, "
    "application/vnd.docker.distribution.manifest.list.v2+json";

enum class PlainHttp {
  // HTTPS, verified. A loopback registry (localhost, 127.0.0.0/8, [::1]) whose TLS handshake
  // fails is reached over plain HTTP instead, as docker does for localhost.
  kLoopbackOnly,
  // Plain HTTP whatever the host (--plain-http): credentials then cross the network in clear.
  kAllowed,
};

enum class BlobPushed {
  kSkipped,   // the repository had it
  kMounted,   // mounted from `mount_from`
  kUploaded,  // sent
  kMissing,   // neither there nor mountable, and no local file to upload (see push_blob)
};

// Told of each blob push_blob or count_known_blob settled, with the blob's size: how a process
// keeps totals over all its clients (serve's /metrics: bytes uploaded, skipped) without a global
// here. Called on the client's thread, so one shared by several clients must be thread-safe.
using BlobObserver = std::function<void(BlobPushed outcome, std::int64_t bytes)>;

struct ClientOptions {
  PlainHttp plain_http = PlainHttp::kLoopbackOnly;
  std::string ca_file;  // PEM CA certificates trusted for this registry; "" = the system's
  // Credentials given directly; otherwise the docker configuration at docker_config_path
  // (default_docker_config_path() when "") is asked, only once the registry wants them.
  std::optional<Credentials> credentials;
  // Where `credentials` came from, for messages ("--registry-user ci-bot"); never the secret.
  std::string credentials_source = "the caller";
  std::string docker_config_path;
  RetryPolicy retry;
  std::int64_t chunk_bytes = kDefaultChunkBytes;
  int tags_page_size = kDefaultTagsPageSize;
  std::shared_ptr<Clock> clock;  // null: the system clock
  // Progress lines ("uploaded blob sha256:.. (1234 bytes)", "retrying ..."); never secrets.
  std::function<void(std::string_view)> log;
  BlobObserver on_blob;  // none when unset; counters() counts either way
};

struct TransferCounters {
  std::int64_t bytes_uploaded = 0;  // blobs sent whole (each counted once, retries aside)
  std::int64_t bytes_skipped = 0;   // blobs the repository already had
  std::int64_t bytes_mounted = 0;   // blobs mounted from another repository
  int blobs_uploaded = 0;
  int blobs_skipped = 0;
  int blobs_mounted = 0;
  int manifests_pushed = 0;
  int retries = 0;         // attempts repeated after a fault
  int token_requests = 0;  // bearer tokens fetched
};

// What the counters grew by between two readings.
TransferCounters operator-(const TransferCounters& after, const TransferCounters& before);

// What the caller expects of a blob it pushes.
enum class BlobPresence {
  kUnknown,       // HEAD first: skipped when there
  kLikelyAbsent,  // new to the caller (a code change's layer): the first attempt goes straight to
                  // the mount or upload, saving the HEAD; a retry starts with HEAD as usual. If
                  // the repository had it after all, it is uploaded again, which is harmless.
};

struct FetchedManifest {
  std::string media_type;  // the Content-Type it was served with
  std::string bytes;
  Digest digest;  // of `bytes`, checked against the registry's Docker-Content-Digest
};

class RegistryClient {
 public:
  // `registry` is HOST[:PORT] ("docker.io" means Docker Hub). No traffic until the first call.
  static Result<RegistryClient> create(std::string registry, ClientOptions options);
  RegistryClient(RegistryClient&&) noexcept;
  RegistryClient& operator=(RegistryClient&&) noexcept;
  ~RegistryClient();

  const std::string& registry() const;
  const ClientOptions& options() const;
  const TransferCounters& counters() const;

  // Says that this client will push to `repository`: reads of it (the tag guard's HEAD) then
  // ask for the same token scope as writes, so a whole push needs one token, not two.
  void will_push(std::string_view repository);

  // The size of blob `digest` in `repository`, nullopt when it is not there.
  Result<std::optional<std::int64_t>> blob_size(std::string_view repository, const Digest& digest);

  // Makes `blob` present in `repository`: nothing when it is there; a mount from `mount_from`
  // (a repository on this registry, "" for none) when the registry agrees; else an upload
  // from `local_path`, which must hold exactly the blob. `local_path` may be "" when the
  // bytes are not at hand (they are on another registry): kMissing then says to fetch them
  // and call again.
  Result<BlobPushed> push_blob(std::string_view repository, const oci::Descriptor& blob,
                               const std::string& local_path, std::string_view mount_from = "",
                               BlobPresence presence = BlobPresence::kUnknown);
  // The caller knows `repository` holds `blob` (a blob of a manifest tagged there): nothing is
  // sent, and it counts as skipped. If the caller was wrong, pushing a manifest that needs it
  // fails with FAILED_PRECONDITION and the caller pushes the blob after all.
  void count_known_blob(std::string_view repository, const oci::Descriptor& blob);

  // Downloads `blob` from `repository` into `into` (digest checked).
  Status fetch_blob(std::string_view repository, const oci::Descriptor& blob, oci::OciLayout& into);

  // The manifest `reference` (tag or digest) names: media type, digest and size; nullopt
  // when there is none.
  Result<std::optional<oci::Descriptor>> head_manifest(std::string_view repository,
                                                       std::string_view reference);
  // NOT_FOUND when there is none; DATA_LOSS when the bytes do not match a digest reference.
  Result<FetchedManifest> get_manifest(std::string_view repository, std::string_view reference);
  // Stores `bytes` under `reference` (a tag, or the bytes' digest). The registry refuses a
  // manifest whose blobs are not in `repository` yet (FAILED_PRECONDITION).
  Status put_manifest(std::string_view repository, std::string_view reference,
                      std::string_view media_type, std::string_view bytes);

  // Every tag of `repository`, all pages; empty when the repository does not exist.
  Result<std::vector<std::string>> list_tags(std::string_view repository);

  struct Session;  // the connection, auth state and counters (registry_session.h)

 private:
  explicit RegistryClient(std::unique_ptr<Session> session);
  std::unique_ptr<Session> s_;
};

}  // namespace ignite::registry
