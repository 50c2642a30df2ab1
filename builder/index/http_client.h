// HTTP GET for package indexes, behind a narrow interface so that sources can be tested
// against a loopback server and a fake alike. CurlHttpClient is the real one (libcurl).
//
// Credentials: index URLs may carry "user:password@"; they are kept here, by host and
// port, and sent (HTTP Basic) only to that host and port, as pip does, never following
// a redirect to another host. Without them libcurl reads ~/.netrc (or the file named in
// HttpOptions). No URL the client reports or puts in an error holds credentials.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "builder/index/url.h"
#include "builder/util/status.h"

namespace ignite::index {

struct HttpResponse {
  long status = 0;           // 200, 404, ...
  std::string content_type;  // the Content-Type header, lowercased, parameters dropped
  std::string body;
  std::string url;  // where the body came from after redirects, credential-free
};

class HttpClient {
 public:
  virtual ~HttpClient() = default;
  // One GET. Any HTTP status is a response; a Status only for a transport failure
  // (UNAVAILABLE: connection refused, timeout, TLS; RESOURCE_EXHAUSTED: body too big).
  virtual Result<HttpResponse> get(const Url& url, std::string_view accept) = 0;
};

struct UserPassword {
  std::string user;
  std::string password;
};

// Credentials by "host[:port]" (Url::netloc()).
class Credentials {
 public:
  // Remembers the URL's userinfo, if any, for its host and port. The first one given
  // for a host wins (index-url before extra-index-url).
  void add_from(const Url& url);
  const UserPassword* find(const Url& url) const;
  bool empty() const { return by_netloc_.empty(); }
  // Every secret held, so that messages can be scrubbed of them as a last resort.
  std::vector<std::string> secrets() const;

 private:
  std::map<std::string, UserPassword> by_netloc_;
};

enum class Netrc { kIgnore, kOptional };

struct HttpOptions {
  Credentials credentials;
  Netrc netrc = Netrc::kOptional;
  std::string netrc_file;  // empty: libcurl's default, $HOME/.netrc
  long connect_timeout_ms = 10'000;
  long low_speed_seconds = 30;  // abort a transfer slower than 1 KB/s for this long
  std::size_t max_body_bytes = std::size_t{1} << 30;
};

class CurlHttpClient final : public HttpClient {
 public:
  explicit CurlHttpClient(HttpOptions options);
  ~CurlHttpClient() override;
  CurlHttpClient(const CurlHttpClient&) = delete;
  CurlHttpClient& operator=(const CurlHttpClient&) = delete;

  Result<HttpResponse> get(const Url& url, std::string_view accept) override;

  // How many requests were made (for tests and the benchmark).
  std::size_t request_count() const { return requests_; }

 private:
  HttpOptions options_;
  void* curl_ = nullptr;  // CURL*, reused so connections stay open between requests
  std::size_t requests_ = 0;
};

// The error for a response that is not 200: UNAUTHENTICATED (401, with a hint about
// credentials), PERMISSION_DENIED (403), NOT_FOUND (404, 410), UNAVAILABLE (429, 5xx),
// FAILED_PRECONDITION otherwise. `what`: "fetching index page https://host/simple/flask/".
Status http_status_error(const HttpResponse& response, std::string_view what);

// `text` with every secret replaced by "****" and URL userinfo redacted.
std::string scrub_secrets(std::string_view text, const std::vector<std::string>& secrets);

}  // namespace ignite::index
