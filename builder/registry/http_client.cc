#include "builder/registry/http_client.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <mutex>

#include "builder/registry/url.h"

namespace ignite::registry {
namespace {

constexpr const char* kUserAgent = "ignite-builder/0.1";

// Bodies smaller than this go out in the same write as the request's headers (libcurl's
// MAX_INITIAL_POST_SIZE: it joins POSTFIELDS data below it to the headers). A body from the read
// callback always follows the headers in a write of its own, so the registry's server reads the
// headers, starts the handler and then waits for a second segment: on loopback that is a
// measurable part of a small request. Larger bodies stream from their file.
constexpr std::int64_t kInlineBodyBytes = 64 << 10;

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

// The state of one exchange, shared with curl's callbacks.
struct Transfer {
  const HttpRequest* request = nullptr;
  HttpResponse* response = nullptr;
  int fd = -1;  // the body's file, when it comes from one
  std::int64_t body_size = 0;
  std::int64_t position = 0;  // of the next body byte curl asks for
  Status sink_status;
  bool too_large = false;
  int read_errno = 0;
};

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const std::string_view line = trim(std::string_view(data, size * count));
  if (line.substr(0, 5) == "HTTP/") {
    // A new response (after a redirect or an interim answer): forget the previous one.
    t->response->headers.clear();
    t->response->body.clear();
    const std::size_t space = line.find(' ');
    t->response->status = space == std::string_view::npos ? 0 : std::atol(line.data() + space + 1);
  } else if (const std::size_t colon = line.find(':'); colon != std::string_view::npos) {
    t->response->headers.emplace_back(lower(trim(line.substr(0, colon))),
                                      std::string(trim(line.substr(colon + 1))));
  }
  return size * count;
}

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const std::string_view bytes(data, size * count);
  const long status = t->response->status;
  if (t->request->sink != nullptr && status >= 200 && status < 300) {
    t->sink_status = t->request->sink->write(bytes);
    return t->sink_status.ok() ? bytes.size() : 0;
  }
  if (t->response->body.size() + bytes.size() > kMaxResponseBytes) {
    t->too_large = true;
    return 0;
  }
  t->response->body.append(bytes);
  return bytes.size();
}

size_t on_read(char* buffer, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const std::int64_t want =
      std::min<std::int64_t>(static_cast<std::int64_t>(size * count), t->body_size - t->position);
  if (want <= 0) return 0;
  if (t->fd >= 0) {
    const ssize_t n =
        ::pread(t->fd, buffer, static_cast<size_t>(want), t->request->file->offset + t->position);
    if (n <= 0) {
      t->read_errno = n < 0 ? errno : EIO;  // a file shorter than the range is an error too
      return CURL_READFUNC_ABORT;
    }
    t->position += n;
    return static_cast<size_t>(n);
  }
  std::memcpy(buffer, t->request->body.data() + t->position, static_cast<size_t>(want));
  t->position += want;
  return static_cast<size_t>(want);
}

// curl rewinds the body when it resends a request on a fresh connection.
int on_seek(void* user, curl_off_t offset, int origin) {
  auto* t = static_cast<Transfer*>(user);
  if (origin != SEEK_SET || offset < 0 || offset > t->body_size) return CURL_SEEKFUNC_CANTSEEK;
  t->position = offset;
  return CURL_SEEKFUNC_OK;
}

TransportFault classify(CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_SEND_FAIL_REWIND:
      return TransportFault::kRetryable;
    case CURLE_SSL_CONNECT_ERROR:
      return TransportFault::kTlsHandshake;
    case CURLE_PEER_FAILED_VERIFICATION:
      return TransportFault::kTlsVerify;
    default:
      return TransportFault::kOther;
  }
}

}  // namespace

void curl_init_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct HttpClient::Handle {
  CURL* curl = nullptr;
  ~Handle() {
    if (curl != nullptr) curl_easy_cleanup(curl);
  }
};

std::optional<std::string> HttpResponse::header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (n == name) return v;
  }
  return std::nullopt;
}

Result<HttpClient> HttpClient::create(TlsOptions tls) {
  curl_init_once();
  auto handle = std::make_unique<Handle>();
  handle->curl = curl_easy_init();
  if (handle->curl == nullptr) return internal_error("starting libcurl: curl_easy_init failed");
  return HttpClient(std::move(handle), std::move(tls));
}

HttpClient::HttpClient(std::unique_ptr<Handle> handle, TlsOptions tls)
    : handle_(std::move(handle)), tls_(std::move(tls)) {}
HttpClient::HttpClient(HttpClient&&) noexcept = default;
HttpClient& HttpClient::operator=(HttpClient&&) noexcept = default;
HttpClient::~HttpClient() = default;

Result<HttpResponse> HttpClient::send(const HttpRequest& request) {
  CURL* curl = handle_->curl;
  curl_easy_reset(curl);  // keeps the connection cache
  last_fault_ = TransportFault::kOther;
  const std::string what = request.method + " " + url_for_messages(request.url);

  HttpResponse response;
  Transfer t;
  t.request = &request;
  t.response = &response;
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
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_USERAGENT, kUserAgent);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(std::chrono::milliseconds(kConnectTimeout).count()));
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, static_cast<long>(kStallTimeout.count()));
  curl_easy_setopt(curl, CURLOPT_TCP_KEEPALIVE, 1L);
  // Registry requests are small and answered one at a time: never hold one back for Nagle
  // (libcurl's default since 7.50.2, said here so a build against another libcurl keeps it).
  curl_easy_setopt(curl, CURLOPT_TCP_NODELAY, 1L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!tls_.ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, tls_.ca_file.c_str());
  if (request.follow_redirects) {
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(curl, CURLOPT_MAXREDIRS, 5L);
  }
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &t);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(curl, CURLOPT_READFUNCTION, on_read);
  curl_easy_setopt(curl, CURLOPT_READDATA, &t);
  curl_easy_setopt(curl, CURLOPT_SEEKFUNCTION, on_seek);
  curl_easy_setopt(curl, CURLOPT_SEEKDATA, &t);

  const std::string& m = request.method;
  const bool has_body = m == "POST" || m == "PUT" || m == "PATCH";
  const bool inline_body = has_body && t.body_size < kInlineBodyBytes;
  std::string file_body;  // an inline body read from the request's file
  if (inline_body && fd >= 0) {
    file_body.resize(static_cast<std::size_t>(t.body_size));
    std::size_t got = 0;
    while (got < file_body.size()) {
      const ssize_t n = ::pread(fd, file_body.data() + got, file_body.size() - got,
                                request.file->offset + static_cast<std::int64_t>(got));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {  // a file shorter than the range is an error too
        return errno_status(what + ": reading the body from " + request.file->path,
                            n < 0 ? errno : EIO);
      }
      got += static_cast<std::size_t>(n);
    }
  }
  if (m == "HEAD") {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else if (m == "GET") {
    curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  } else if (inline_body) {
    // POSTFIELDS with the method's own name: the body is sent with the headers, and resent by
    // curl itself when a reused connection turns out to be closed.
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, fd >= 0 ? file_body.data() : request.body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(t.body_size));
    if (m != "POST") curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, m.c_str());
  } else if (m == "POST") {
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(t.body_size));
  } else if (m == "PUT" || m == "PATCH") {
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(t.body_size));
    if (m == "PATCH") curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, "PATCH");
  } else {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, m.c_str());
  }

  curl_slist* headers = nullptr;
  bool has_content_type = false;
  for (const std::string& h : request.headers) {
    headers = curl_slist_append(headers, h.c_str());
    has_content_type = has_content_type || lower(h.substr(0, 13)) == "content-type:";
  }
  headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip
  // POST and inline bodies would otherwise claim application/x-www-form-urlencoded.
  if (!has_content_type && (m == "POST" || inline_body)) {
    headers = curl_slist_append(headers, "Content-Type:");
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);

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
                              std::to_string(kMaxResponseBytes) + " bytes");
  }
  if (t.read_errno != 0) {
    return errno_status(what + ": reading the body from " + request.file->path, t.read_errno);
  }
  last_fault_ = classify(rc);
  const std::string cause = std::string(error[0] != '\0' ? error : curl_easy_strerror(rc)) +
                            " (curl error " + std::to_string(static_cast<int>(rc)) + ")";
  switch (last_fault_) {
    case TransportFault::kRetryable:
      return unavailable(what + ": " + cause);
    case TransportFault::kTlsHandshake:
      return failed_precondition(what + ": TLS handshake failed: " + cause);
    case TransportFault::kTlsVerify:
      return failed_precondition(what + ": TLS certificate not trusted: " + cause +
                                 (tls_.ca_file.empty()
                                      ? " (hint: give the registry's CA certificate file)"
                                      : " (checked against " + tls_.ca_file + ")"));
    default:
      if (rc == CURLE_SSL_CACERT_BADFILE) {
        return invalid_argument(what + ": cannot use CA file " + tls_.ca_file + ": " + cause);
      }
      return Status(Code::kUnknown, what + ": " + cause);
  }
}

}  // namespace ignite::registry
