// HTTP GET for package indexes, behind a narrow interface so that sources can be tested
// against a loopback server and a fake alike. CurlHttpClient is the real one: a thin adapter
// over the builder's one HTTP client (builder/net/http_client.h).
//
// Credentials: index URLs may carry "user:password@"; they are kept in HttpOptions, by host
// and port, and sent (HTTP Basic) only to that host and port, as pip does, never following a
// redirect to another host or port. Without them libcurl reads ~/.netrc (or the file named in
// HttpOptions). No URL the client reports or puts in an error holds credentials.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "builder/index/url.h"
#include "builder/net/clock.h"
#include "builder/net/host_credentials.h"
#include "builder/net/http_client.h"
#include "builder/net/retry_policy.h"
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
  // One GET, following redirects. Any HTTP status is a response; a Status only for a transport
  // failure (UNAVAILABLE: connection refused, timeout; FAILED_PRECONDITION: TLS refused;
  // RESOURCE_EXHAUSTED: body too big). CurlHttpClient retries connection faults and 408, 429
  // and 5xx answers (builder/net/retry_policy.h); when the last attempt still fails, UNAVAILABLE
  // "gave up after N attempts: ...".
  virtual Result<HttpResponse> get(const Url& url, std::string_view accept) = 0;
};

using net::Netrc;

// What index callers choose; timeouts and the body limit are the index's own (http_client.cc).
struct HttpOptions {
  net::HostCredentials credentials;
  Netrc netrc = Netrc::kOptional;
  std::string netrc_file;             // empty: libcurl's default, $HOME/.netrc
  net::RetryPolicy retry;             // the registry client's defaults: 5 attempts, 250 ms doubling
  std::shared_ptr<net::Clock> clock;  // null: the system clock
};

class CurlHttpClient final : public HttpClient {
 public:
  explicit CurlHttpClient(HttpOptions options);

  Result<HttpResponse> get(const Url& url, std::string_view accept) override;

  // How many requests were made (for tests and the benchmark).
  std::size_t request_count() const { return client_.ok() ? client_->request_count() : 0; }

 private:
  Result<net::HttpResponse> attempt(const net::HttpRequest& request, net::AttemptState& state);

  Result<net::HttpClient> client_;  // an error when libcurl did not start: every get says so
  net::RetryPolicy retry_;
  std::shared_ptr<net::Clock> clock_;
};

// The error for a response that is not 200: UNAUTHENTICATED (401, with a hint about
// credentials), PERMISSION_DENIED (403), NOT_FOUND (404, 410), UNAVAILABLE (429, 5xx),
// FAILED_PRECONDITION otherwise. `what`: "fetching index page https://host/simple/flask/".
Status http_status_error(const HttpResponse& response, std::string_view what);

}  // namespace ignite::index
