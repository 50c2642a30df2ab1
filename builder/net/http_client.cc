#include "builder/net/http_client.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <mutex>

#include "builder/net/curl_transfer.h"
#include "builder/net/url_redaction.h"
#include "builder/util/ascii.h"
#include "builder/util/builder_version.h"

namespace ignite::net {
namespace {

// "ignite-builder/0.1.0"
const char* user_agent() {
  static const std::string agent = std::string("ignite-builder/") + kBuilderVersion;
  return agent.c_str();
}

// Bodies smaller than this go out in the same write as the request's headers (libcurl's
// MAX_INITIAL_POST_SIZE: it joins POSTFIELDS data below it to the headers). A body from the read
// callback always follows the headers in a write of its own, so the registry's server reads the
// headers, starts the handler and then waits for a second segment: on loopback that is a
// measurable part of a small request. Larger bodies stream from their file.
constexpr std::int64_t kInlineBodyBytes = 64 << 10;

// libcurl's global initialization, once per process: curl_global_init is not thread-safe.
void curl_init_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// Reads a whole file range into memory, for a body sent with the headers.
Status read_range(int fd, const FileRange& range, std::string& out, const std::string& what) {
  out.resize(static_cast<std::size_t>(range.length));
  std::size_t got = 0;
  while (got < out.size()) {
    const ssize_t n = ::pread(fd, out.data() + got, out.size() - got,
                              range.offset + static_cast<std::int64_t>(got));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {  // a file shorter than the range is an error too
      return errno_status(what + ": reading the body from " + range.path, n < 0 ? errno : EIO);
    }
    got += static_cast<std::size_t>(n);
  }
  return ok_status();
}

}  // namespace

struct HttpClient::Handle {
  CURL* curl = nullptr;
  ~Handle() {
    if (curl != nullptr) curl_easy_cleanup(curl);
  }
};

Result<HttpClient> HttpClient::create(HttpClientOptions options) {
  curl_init_once();
  auto handle = std::make_unique<Handle>();
  handle->curl = curl_easy_init();
  if (handle->curl == nullptr) return internal_error("starting libcurl: curl_easy_init failed");
  return HttpClient(std::move(handle), std::move(options));
}

HttpClient::HttpClient(std::unique_ptr<Handle> handle, HttpClientOptions options)
    : handle_(std::move(handle)),
      options_(std::move(options)),
      secrets_(options_.credentials.secrets()) {}
HttpClient::HttpClient(HttpClient&&) noexcept = default;
HttpClient& HttpClient::operator=(HttpClient&&) noexcept = default;
HttpClient::~HttpClient() = default;

void HttpClient::set_credentials(CurlOptions& o, const std::string& url) {
  if (!options_.credentials.empty()) {
    auto parsed = Url::parse(url);
    const UserPassword* up = parsed.ok() ? options_.credentials.find(*parsed) : nullptr;
    if (up != nullptr) {
      // For this host and port only: libcurl drops them on a redirect elsewhere, since
      // CURLOPT_UNRESTRICTED_AUTH stays 0.
      IGNITE_CURL_SET(o, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
      IGNITE_CURL_SET(o, CURLOPT_USERNAME, up->user.c_str());
      IGNITE_CURL_SET(o, CURLOPT_PASSWORD, up->password.c_str());
      return;
    }
  }
  if (options_.netrc == Netrc::kOptional) {
    IGNITE_CURL_SET(o, CURLOPT_NETRC, static_cast<long>(CURL_NETRC_OPTIONAL));
    if (!options_.netrc_file.empty()) {
      IGNITE_CURL_SET(o, CURLOPT_NETRC_FILE, options_.netrc_file.c_str());
    }
  }
}

Result<HttpResponse> HttpClient::send(const HttpRequest& request) {
  CURL* curl = handle_->curl;
  curl_easy_reset(curl);  // keeps the connection cache
  ++requests_;
  last_fault_ = TransportFault::kOther;
  const std::string what = request.method + " " + url_for_messages(request.url);

  HttpResponse response;
  Transfer t;
  t.request = &request;
  t.response = &response;
  t.max_body_bytes = options_.max_body_bytes;
  int fd = -1;
  if (request.file) {
    fd = ::open(request.file->path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return errno_status(what + ": opening " + request.file->path, errno);
    t.fd = fd;
    t.body_size = request.file->length;
  } else {
    t.body_size = static_cast<std::int64_t>(request.body.size());
  }
  struct CloseFd {
    int fd;
    ~CloseFd() {
      if (fd >= 0) ::close(fd);
    }
  } close_fd{fd};

  char error[CURL_ERROR_SIZE] = {0};
  CurlOptions o(curl);
  IGNITE_CURL_SET(o, CURLOPT_ERRORBUFFER, error);
  IGNITE_CURL_SET(o, CURLOPT_URL, request.url.c_str());
  IGNITE_CURL_SET(o, CURLOPT_NOSIGNAL, 1L);
  IGNITE_CURL_SET(o, CURLOPT_PROTOCOLS_STR, "http,https");
  IGNITE_CURL_SET(o, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  IGNITE_CURL_SET(o, CURLOPT_USERAGENT, user_agent());
  IGNITE_CURL_SET(o, CURLOPT_CONNECTTIMEOUT_MS,
                  static_cast<long>(options_.connect_timeout.count()));
  IGNITE_CURL_SET(o, CURLOPT_LOW_SPEED_LIMIT, options_.stall_bytes_per_second);
  IGNITE_CURL_SET(o, CURLOPT_LOW_SPEED_TIME, static_cast<long>(options_.stall_time.count()));
  IGNITE_CURL_SET(o, CURLOPT_TCP_KEEPALIVE, 1L);
  // Requests are small and answered one at a time: never hold one back for Nagle (libcurl's
  // default since 7.50.2, said here so a build against another libcurl keeps it).
  IGNITE_CURL_SET(o, CURLOPT_TCP_NODELAY, 1L);
  IGNITE_CURL_SET(o, CURLOPT_SSL_VERIFYPEER, 1L);
  IGNITE_CURL_SET(o, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!options_.ca_file.empty()) IGNITE_CURL_SET(o, CURLOPT_CAINFO, options_.ca_file.c_str());
  if (options_.compression == Compression::kAccept) {
    IGNITE_CURL_SET(o, CURLOPT_ACCEPT_ENCODING, "");  // every encoding libcurl decodes
  }
  if (request.redirects == Redirects::kFollow) {
    IGNITE_CURL_SET(o, CURLOPT_FOLLOWLOCATION, 1L);
    IGNITE_CURL_SET(o, CURLOPT_MAXREDIRS, kMaxRedirects);
  }
  set_credentials(o, request.url);
  IGNITE_CURL_SET(o, CURLOPT_HEADERFUNCTION, on_header);
  IGNITE_CURL_SET(o, CURLOPT_HEADERDATA, &t);
  IGNITE_CURL_SET(o, CURLOPT_WRITEFUNCTION, on_body);
  IGNITE_CURL_SET(o, CURLOPT_WRITEDATA, &t);
  IGNITE_CURL_SET(o, CURLOPT_READFUNCTION, on_read);
  IGNITE_CURL_SET(o, CURLOPT_READDATA, &t);
  IGNITE_CURL_SET(o, CURLOPT_SEEKFUNCTION, on_seek);
  IGNITE_CURL_SET(o, CURLOPT_SEEKDATA, &t);

  const std::string& m = request.method;
  const bool has_body = m == "POST" || m == "PUT" || m == "PATCH";
  const bool inline_body = has_body && t.body_size < kInlineBodyBytes;
  std::string file_body;  // an inline body read from the request's file
  if (inline_body && fd >= 0)
    IGNITE_RETURN_IF_ERROR(read_range(fd, *request.file, file_body, what));
  if (m == "HEAD") {
    IGNITE_CURL_SET(o, CURLOPT_NOBODY, 1L);
  } else if (m == "GET") {
    IGNITE_CURL_SET(o, CURLOPT_HTTPGET, 1L);
  } else if (inline_body) {
    // POSTFIELDS with the method's own name: the body is sent with the headers, and resent by
    // curl itself when a reused connection turns out to be closed.
    IGNITE_CURL_SET(o, CURLOPT_POSTFIELDS, fd >= 0 ? file_body.data() : request.body.data());
    IGNITE_CURL_SET(o, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(t.body_size));
    if (m != "POST") IGNITE_CURL_SET(o, CURLOPT_CUSTOMREQUEST, m.c_str());
  } else if (m == "POST") {
    IGNITE_CURL_SET(o, CURLOPT_POST, 1L);
    IGNITE_CURL_SET(o, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(t.body_size));
  } else if (m == "PUT" || m == "PATCH") {
    IGNITE_CURL_SET(o, CURLOPT_UPLOAD, 1L);
    IGNITE_CURL_SET(o, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(t.body_size));
    if (m == "PATCH") IGNITE_CURL_SET(o, CURLOPT_CUSTOMREQUEST, "PATCH");
  } else {
    IGNITE_CURL_SET(o, CURLOPT_CUSTOMREQUEST, m.c_str());
  }

  curl_slist* headers = nullptr;
  bool has_content_type = false;
  for (const std::string& h : request.headers) {
    headers = curl_slist_append(headers, h.c_str());
    has_content_type = has_content_type || ascii_lower(h.substr(0, 13)) == "content-type:";
  }
  headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip
  // POST and inline bodies would otherwise claim application/x-www-form-urlencoded.
  if (!has_content_type && (m == "POST" || inline_body)) {
    headers = curl_slist_append(headers, "Content-Type:");
  }
  IGNITE_CURL_SET(o, CURLOPT_HTTPHEADER, headers);
  if (Status set = o.status(what); !set.ok()) {
    curl_slist_free_all(headers);
    return set;
  }

  const CURLcode rc = curl_easy_perform(curl);
  curl_slist_free_all(headers);
  char* effective = nullptr;
  if (curl_easy_getinfo(curl, CURLINFO_EFFECTIVE_URL, &effective) == CURLE_OK && effective) {
    response.url = effective;
  }
  if (rc == CURLE_OK) {
    last_fault_ = TransportFault::kNone;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
    return response;
  }
  if (!t.sink_status.ok()) return t.sink_status.with_context(what);
  if (t.too_large) {
    return resource_exhausted(what + ": response body larger than " +
                              std::to_string(options_.max_body_bytes) + " bytes");
  }
  if (t.read_errno != 0) {
    return errno_status(what + ": reading the body from " + request.file->path, t.read_errno);
  }
  last_fault_ = classify(rc);
  return transport_error(rc, error, what);
}

Status HttpClient::transport_error(int curl_code, const char* error_buffer,
                                   const std::string& what) const {
  const auto rc = static_cast<CURLcode>(curl_code);
  const std::string cause =
      scrub_secrets(error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(rc), secrets_) +
      " (curl error " + std::to_string(curl_code) + ")";
  switch (last_fault_) {
    case TransportFault::kRetryable:
      return unavailable(what + ": " + cause);
    case TransportFault::kTlsHandshake:
      return failed_precondition(what + ": TLS handshake failed: " + cause);
    case TransportFault::kTlsVerify:
      return failed_precondition(
          what + ": TLS certificate not trusted: " + cause +
          (options_.ca_file.empty() ? "" : " (checked against " + options_.ca_file + ")"));
    default:
      if (rc == CURLE_SSL_CACERT_BADFILE) {
        return invalid_argument(what + ": cannot use CA file " + options_.ca_file + ": " + cause);
      }
      return Status(Code::kUnknown, what + ": " + cause);
  }
}

}  // namespace ignite::net
