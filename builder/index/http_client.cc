#include "builder/index/http_client.h"

#include "builder/net/url_redaction.h"

namespace ignite::index {
namespace {

// A connection to an index that cannot be made in this time fails.
constexpr std::chrono::seconds kIndexConnectTimeout{10};
// A transfer slower than 1 KB/s for this long is abandoned.
constexpr long kIndexStallBytesPerSecond = 1024;
constexpr std::chrono::seconds kIndexStallTimeout{30};
// Pages and wheels are read into memory: none is larger than this.
constexpr std::size_t kMaxIndexBodyBytes = std::size_t{1} << 30;

net::HttpClientOptions index_client_options(const HttpOptions& options) {
  net::HttpClientOptions out;
  out.credentials = options.credentials;
  out.netrc = options.netrc;
  out.netrc_file = options.netrc_file;
  out.connect_timeout = kIndexConnectTimeout;
  out.stall_bytes_per_second = kIndexStallBytesPerSecond;
  out.stall_time = kIndexStallTimeout;
  out.max_body_bytes = kMaxIndexBodyBytes;
  out.compression = net::Compression::kAccept;  // simple pages compress well
  return out;
}

}  // namespace

CurlHttpClient::CurlHttpClient(HttpOptions options)
    : client_(net::HttpClient::create(index_client_options(options))),
      retry_(options.retry),
      clock_(options.clock ? std::move(options.clock) : std::make_shared<net::SystemClock>()) {}

// One exchange; a retryable answer (429, 503, ...) becomes UNAVAILABLE so that it is retried,
// and a connection fault is UNAVAILABLE already. Other answers go back to the caller as they are.
Result<net::HttpResponse> CurlHttpClient::attempt(const net::HttpRequest& request,
                                                  net::AttemptState& state) {
  IGNITE_ASSIGN_OR_RETURN(net::HttpResponse answer, client_->send(request));
  if (!net::is_retryable_http_status(answer.status)) return answer;
  if (auto after = answer.header("retry-after")) state.retry_after = net::parse_retry_after(*after);
  // Named as the HTTP client names requests in its errors: without the query, which may hold a
  // signed download's token.
  return unavailable("GET " + net::url_for_messages(request.url) + ": HTTP " +
                     std::to_string(answer.status));
}

Result<HttpResponse> CurlHttpClient::get(const Url& url, std::string_view accept) {
  const std::string shown = url.to_string();
  if (!client_.ok()) return client_.status().with_context("fetching " + shown);
  if (url.scheme != "http" && url.scheme != "https") {
    return invalid_argument("fetching " + shown + ": only http and https URLs are fetched");
  }
  net::HttpRequest request;
  request.url = shown;  // credentials travel in the options, never in the URL
  if (!accept.empty()) request.headers.push_back("Accept: " + std::string(accept));
  request.redirects = net::Redirects::kFollow;
  IGNITE_ASSIGN_OR_RETURN(
      net::HttpResponse answer,
      net::with_retries(
          retry_, *clock_, [&](net::AttemptState& state) { return attempt(request, state); },
          [](const Status&, std::chrono::milliseconds, int, int) {}));
  HttpResponse response;
  response.status = answer.status;
  response.content_type = answer.content_type();
  response.body = std::move(answer.body);
  response.url = answer.url.empty() ? shown : strip_credentials(answer.url);
  return response;
}

Status http_status_error(const HttpResponse& response, std::string_view what) {
  const std::string prefix = std::string(what) + ": HTTP " + std::to_string(response.status);
  switch (response.status) {
    case 401:
      return Status(Code::kUnauthenticated,
                    prefix +
                        " Unauthorized (give credentials in the index URL as "
                        "https://user:token@host/... or in ~/.netrc)");
    case 403:
      return permission_denied(prefix + " Forbidden (the credentials were refused)");
    case 404:
      return not_found(prefix + " Not Found");
    case 410:
      return not_found(prefix + " Gone");
    case 429:
      return unavailable(prefix + " Too Many Requests (retry later)");
    default:
      if (response.status >= 500) return unavailable(prefix + " (server error; retry later)");
      return failed_precondition(prefix + " (unexpected status)");
  }
}

}  // namespace ignite::index
