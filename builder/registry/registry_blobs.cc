// Blob operations of RegistryClient: HEAD, mount, upload (monolithic or chunked), GET.
//
// distribution 2.8.2 ignores a body or ?digest= on the POST that opens an upload, and ignores
// Content-Range on PATCH (it appends whatever arrives), so: POST with Content-Length: 0, PATCH
// chunks in order while this side counts the offset and checks the Range the registry echoes,
// then PUT <Location>&digest=. A fault at any step abandons the session and the next attempt
// starts again from HEAD (the blob may have been committed just before the fault).
#include <sys/stat.h>

#include "builder/registry/image_reference.h"
#include "builder/registry/registry_session.h"

namespace ignite::registry {
namespace {

using Session = RegistryClient::Session;

std::string blob_path(std::string_view repository, const Digest& digest) {
  return "/v2/" + std::string(repository) + "/blobs/" + digest.to_string();
}

std::optional<std::int64_t> parse_int(const std::optional<std::string>& text) {
  if (!text || text->empty() || text->size() > 18) return std::nullopt;
  std::int64_t v = 0;
  for (char c : *text) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

// One HEAD: the blob's size, or nullopt when the repository lacks it.
Result<std::optional<std::int64_t>> head_blob(Session& s, std::string_view repository,
                                              const Digest& digest, const Scopes& scopes) {
  net::HttpRequest request;
  request.method = "HEAD";
  request.url = s.url(blob_path(repository, digest));
  IGNITE_ASSIGN_OR_RETURN(net::HttpResponse response, s.send(request, scopes));
  if (response.status == 404) return std::optional<std::int64_t>();
  if (response.status != 200) return s.response_error(response, "HEAD blob");
  return std::optional<std::int64_t>(parse_int(response.header("content-length")).value_or(-1));
}

// The Location of an upload session, absolute: resolved against the URL that answered, which
// is not the request's as built when the session's first request found another scheme.
Result<std::string> upload_location(const net::HttpResponse& response,
                                    const std::string& request_url, std::string_view step) {
  const std::optional<std::string> location = response.header("location");
  if (!location || location->empty()) {
    return Status(Code::kUnknown, std::string(step) + ": " + std::to_string(response.status) +
                                      " without a Location header");
  }
  return net::resolve_url(response.url.empty() ? request_url : response.url, *location);
}

// One attempt at making `blob` present; see RegistryClient::push_blob.
Result<BlobPushed> push_blob_once(Session& s, std::string_view repository,
                                  const oci::Descriptor& blob, const std::string& local_path,
                                  std::string_view mount_from, bool head) {
  Scopes scopes = {push_scope(repository)};
  if (!mount_from.empty()) scopes.push_back(pull_scope(mount_from));
  if (head || local_path.empty()) {
    IGNITE_ASSIGN_OR_RETURN(std::optional<std::int64_t> present,
                            head_blob(s, repository, blob.digest, scopes));
    if (present) return BlobPushed::kSkipped;
  }
  if (local_path.empty() && mount_from.empty()) return BlobPushed::kMissing;

  net::HttpRequest post;
  post.method = "POST";  // Content-Length: 0: 2.8.2 ignores a body here
  post.url = s.url("/v2/" + std::string(repository) + "/blobs/uploads/");
  if (!mount_from.empty()) {
    post.url += "?mount=" + blob.digest.to_string() + "&from=" + std::string(mount_from);
  }
  IGNITE_ASSIGN_OR_RETURN(net::HttpResponse opened, s.send(post, scopes));
  if (!mount_from.empty() && opened.status == 201) return BlobPushed::kMounted;
  if (opened.status != 202) return s.response_error(opened, "POST upload");
  IGNITE_ASSIGN_OR_RETURN(std::string location, upload_location(opened, post.url, "POST upload"));
  if (local_path.empty()) {
    // A mount refused and nothing to upload from: close the session, best effort.
    net::HttpRequest cancel;
    cancel.method = "DELETE";
    cancel.url = location;
    (void)s.send(cancel, scopes);
    return BlobPushed::kMissing;
  }

  std::int64_t offset = 0;
  if (blob.size > s.options.chunk_bytes) {
    while (offset < blob.size) {
      const std::int64_t n = std::min(s.options.chunk_bytes, blob.size - offset);
      net::HttpRequest patch;
      patch.method = "PATCH";
      patch.url = location;
      patch.file = net::FileRange{local_path, offset, n};
      patch.headers = {
          "Content-Type: application/octet-stream",
          "Content-Range: " + std::to_string(offset) + "-" + std::to_string(offset + n - 1)};
      IGNITE_ASSIGN_OR_RETURN(net::HttpResponse chunk, s.send(patch, scopes));
      if (chunk.status != 202) return s.response_error(chunk, "PATCH upload");
      // The registry appends what it gets; its Range says how much it holds in all.
      const std::string expected = "0-" + std::to_string(offset + n - 1);
      const std::string range = chunk.header("range").value_or("");
      if (range != expected) {
        return unavailable("PATCH upload: the registry holds bytes " + range + ", expected " +
                           expected);
      }
      if (chunk.header("location")) {
        IGNITE_ASSIGN_OR_RETURN(location, upload_location(chunk, location, "PATCH upload"));
      }
      offset += n;
    }
  }
  net::HttpRequest put;
  put.method = "PUT";
  IGNITE_ASSIGN_OR_RETURN(put.url, net::append_query(location, "digest", blob.digest.to_string()));
  put.file = net::FileRange{local_path, offset, blob.size - offset};
  put.headers = {"Content-Type: application/octet-stream"};
  IGNITE_ASSIGN_OR_RETURN(net::HttpResponse done, s.send(put, scopes));
  if (done.status != 201) return s.response_error(done, "PUT upload");
  if (auto stored = done.header("docker-content-digest");
      stored && *stored != blob.digest.to_string()) {
    return data_loss("PUT upload: the registry stored " + *stored);
  }
  return BlobPushed::kUploaded;
}

}  // namespace

Result<RegistryClient> RegistryClient::create(std::string registry, ClientOptions options) {
  IGNITE_RETURN_IF_ERROR(validate_registry_host(registry));
  if (options.chunk_bytes < 1 || options.tags_page_size < 1) {
    return invalid_argument("registry client for " + registry +
                            ": chunk size and tag page size must be positive");
  }
  net::HttpClientOptions http_options;  // the registry's limits are the client's defaults
  http_options.ca_file = options.ca_file;
  IGNITE_ASSIGN_OR_RETURN(net::HttpClient http, net::HttpClient::create(std::move(http_options)));
  return RegistryClient(
      std::make_unique<Session>(std::move(registry), std::move(options), std::move(http)));
}

TransferCounters operator-(const TransferCounters& after, const TransferCounters& before) {
  TransferCounters d;
  d.bytes_uploaded = after.bytes_uploaded - before.bytes_uploaded;
  d.bytes_skipped = after.bytes_skipped - before.bytes_skipped;
  d.bytes_mounted = after.bytes_mounted - before.bytes_mounted;
  d.blobs_uploaded = after.blobs_uploaded - before.blobs_uploaded;
  d.blobs_skipped = after.blobs_skipped - before.blobs_skipped;
  d.blobs_mounted = after.blobs_mounted - before.blobs_mounted;
  d.manifests_pushed = after.manifests_pushed - before.manifests_pushed;
  d.retries = after.retries - before.retries;
  d.token_requests = after.token_requests - before.token_requests;
  return d;
}

RegistryClient::RegistryClient(std::unique_ptr<Session> session) : s_(std::move(session)) {}
RegistryClient::RegistryClient(RegistryClient&&) noexcept = default;
RegistryClient& RegistryClient::operator=(RegistryClient&&) noexcept = default;
RegistryClient::~RegistryClient() = default;

const std::string& RegistryClient::registry() const { return s_->registry; }
const ClientOptions& RegistryClient::options() const { return s_->options; }
const TransferCounters& RegistryClient::counters() const { return s_->counters; }

void RegistryClient::will_push(std::string_view repository) {
  s_->push_repositories.insert(std::string(repository));
}

Result<std::optional<std::int64_t>> RegistryClient::blob_size(std::string_view repository,
                                                              const Digest& digest) {
  const std::string what =
      "looking for blob " + digest.to_string() + " in " + s_->where(repository);
  IGNITE_RETURN_IF_ERROR(validate_repository(repository));
  IGNITE_RETURN_IF_ERROR(s_->probe());
  auto result = s_->with_retries(
      what, [&] { return head_blob(*s_, repository, digest, s_->read_scopes(repository)); });
  if (!result.ok()) return s_->scrub(result.status().with_context(what));
  return result;
}

Result<BlobPushed> RegistryClient::push_blob(std::string_view repository,
                                             const oci::Descriptor& blob,
                                             const std::string& local_path,
                                             std::string_view mount_from, BlobPresence presence) {
  const std::string what =
      "pushing blob " + blob.digest.to_string() + " to " + s_->where(repository);
  IGNITE_RETURN_IF_ERROR(validate_repository(repository));
  if (!mount_from.empty()) IGNITE_RETURN_IF_ERROR(validate_repository(mount_from));
  if (mount_from == repository) mount_from = "";
  if (!local_path.empty()) {
    struct stat st {};
    if (::stat(local_path.c_str(), &st) != 0) {
      return errno_status(what + ": reading " + local_path, errno);
    }
    if (st.st_size != blob.size) {
      return failed_precondition(what + ": " + local_path + " holds " + std::to_string(st.st_size) +
                                 " bytes, the descriptor says " + std::to_string(blob.size));
    }
  }
  IGNITE_RETURN_IF_ERROR(s_->probe());
  int attempt = 0;
  auto pushed = s_->with_retries(what, [&] {
    // Only the first attempt may skip the HEAD: after a fault the blob may be there.
    const bool head = presence == BlobPresence::kUnknown || attempt++ > 0;
    return push_blob_once(*s_, repository, blob, local_path, mount_from, head);
  });
  if (!pushed.ok()) return s_->scrub(pushed.status().with_context(what));
  TransferCounters& c = s_->counters;
  switch (*pushed) {
    case BlobPushed::kSkipped:
      c.bytes_skipped += blob.size;
      ++c.blobs_skipped;
      s_->log("blob " + blob.digest.to_string() + " already in " + s_->where(repository));
      break;
    case BlobPushed::kMounted:
      c.bytes_mounted += blob.size;
      ++c.blobs_mounted;
      s_->log("mounted blob " + blob.digest.to_string() + " from " + std::string(mount_from));
      break;
    case BlobPushed::kUploaded:
      c.bytes_uploaded += blob.size;
      ++c.blobs_uploaded;
      s_->log("uploaded blob " + blob.digest.to_string() + " (" + std::to_string(blob.size) +
              " bytes) to " + s_->where(repository));
      break;
    case BlobPushed::kMissing:
      s_->log(
          "blob " + blob.digest.to_string() + " is not in " + s_->where(repository) +
          (mount_from.empty() ? "" : " and could not be mounted from " + std::string(mount_from)));
      break;
  }
  if (s_->options.on_blob) s_->options.on_blob(*pushed, blob.size);
  return pushed;
}

void RegistryClient::count_known_blob(std::string_view repository, const oci::Descriptor& blob) {
  s_->counters.bytes_skipped += blob.size;
  ++s_->counters.blobs_skipped;
  s_->log("blob " + blob.digest.to_string() + " already in " + s_->where(repository) +
          " (the previous version's)");
  if (s_->options.on_blob) s_->options.on_blob(BlobPushed::kSkipped, blob.size);
}

Status RegistryClient::fetch_blob(std::string_view repository, const oci::Descriptor& blob,
                                  oci::OciLayout& into) {
  const std::string what =
      "fetching blob " + blob.digest.to_string() + " from " + s_->where(repository);
  IGNITE_RETURN_IF_ERROR(validate_repository(repository));
  if (into.has_blob(blob.digest)) return ok_status();
  IGNITE_RETURN_IF_ERROR(s_->probe());
  auto fetched = s_->with_retries(what, [&]() -> Result<oci::BlobInfo> {
    IGNITE_ASSIGN_OR_RETURN(oci::BlobWriter writer, into.begin_blob());
    net::HttpRequest request;
    request.url = s_->url(blob_path(repository, blob.digest));
    request.redirects = net::Redirects::kFollow;  // storage backends redirect downloads
    request.sink = [&writer](std::string_view bytes) { return writer.write(bytes); };
    IGNITE_ASSIGN_OR_RETURN(net::HttpResponse response,
                            s_->send(request, s_->read_scopes(repository)));
    if (response.status != 200) return s_->response_error(response, "GET blob");
    return writer.commit(blob.digest);
  });
  if (!fetched.ok()) return s_->scrub(fetched.status().with_context(what));
  if (fetched->size != blob.size) {
    return data_loss(what + ": " + std::to_string(fetched->size) + " bytes, the descriptor says " +
                     std::to_string(blob.size));
  }
  s_->log("fetched blob " + blob.digest.to_string() + " (" + std::to_string(blob.size) +
          " bytes) from " + s_->where(repository));
  return ok_status();
}

}  // namespace ignite::registry
