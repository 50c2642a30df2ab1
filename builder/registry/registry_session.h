// Internal to builder/registry: what a RegistryClient holds between calls and the steps every
// operation shares: finding the endpoint, authorizing, retrying, turning answers into errors.
#pragma once

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "builder/net/http_client.h"
#include "builder/net/url.h"
#include "builder/net/url_redaction.h"
#include "builder/registry/credentials.h"
#include "builder/registry/registry_client.h"

namespace ignite::registry {

// Scopes a request needs, "repository:acme-corp/greet:pull,push" (token auth only).
using Scopes = std::vector<std::string>;
std::string pull_scope(std::string_view repository);
std::string push_scope(std::string_view repository);

// Bearer tokens are renewed this long before they expire ...
inline constexpr std::chrono::seconds kTokenRenewMargin{10};
// ... and live this long when the token endpoint does not say (the token spec's default).
inline constexpr std::chrono::seconds kDefaultTokenLifetime{60};

enum class AuthScheme { kNone, kBasic, kBearer };

struct CachedToken {
  Scopes scopes;
  std::string token;
  Clock::TimePoint renew_at;
};

struct RegistryClient::Session {
  std::string registry;  // as given: "127.0.0.1:5000"
  std::string api_host;  // where its API is (registry-1.docker.io for docker.io)
  ClientOptions options;
  std::shared_ptr<Clock> clock;
  net::HttpClient http;
  TransferCounters counters;

  // Found by the first request (probe()): "https://127.0.0.1:5000" or "http://...".
  std::string base_url;
  // base_url is the first endpoint to try, not yet confirmed: the next GET or HEAD goes there
  // directly and stands for GET /v2/ when a registry answers it (send()).
  bool endpoint_tentative = false;
  // The endpoint probe of the current attempt failed after its own retries (confirm_endpoint):
  // with_retries does not repeat that attempt, or the retries would multiply.
  bool probe_gave_up = false;
  AuthScheme scheme = AuthScheme::kNone;
  std::string realm, service;  // of the Bearer challenge

  bool credentials_loaded = false;
  std::optional<FoundCredentials> credentials;
  std::vector<CachedToken> tokens;
  std::vector<std::string> secrets;  // every credential or token seen, scrubbed from messages

  std::optional<std::chrono::milliseconds> retry_after;  // of the last retryable answer
  std::set<std::string> push_repositories;               // see RegistryClient::will_push

  // The scope a read of `repository` asks for: pull, or pull,push when a push is coming.
  Scopes read_scopes(std::string_view repository) const;

  Session(std::string registry_in, ClientOptions options_in, net::HttpClient http_in);

  void log(const std::string& line) const;
  // "registry 127.0.0.1:5000/acme-corp/greet", for messages.
  std::string where(std::string_view repository) const;
  std::string url(std::string_view path) const { return base_url + std::string(path); }

  // Sets base_url, which every operation needs first to make its URLs; no traffic. Until a
  // registry has answered, base_url is tentative: the first scheme to try (plain HTTP first on
  // loopback), confirmed by the operation's first request in send() instead of by a GET /v2/
  // of its own, one round trip fewer per client.
  Status probe();
  // GET /v2/ on each candidate scheme, with its own retries: the scheme, the auth challenge,
  // and the errors and hints for an endpoint that does not answer as a registry.
  Status probe_endpoint();
  // The schemes to try, in order: "http" and/or "https".
  std::vector<std::string> schemes() const;
  // The tentative endpoint's test (see probe()): `request`'s answer when it shows a registry
  // there, else nullopt after probe_endpoint() found the endpoint (request.url rebased on it).
  Result<std::optional<net::HttpResponse>> confirm_endpoint(net::HttpRequest& request);
  // Sends `request` with the authorization `scopes` need, answering one 401 challenge;
  // no retries. Any HTTP answer is a response.
  Result<net::HttpResponse> send(net::HttpRequest request, const Scopes& scopes);
  // One exchange through `http`, as it is: no authorization, no retries. An untrusted
  // certificate's error gains the hint the registry's options call for.
  Result<net::HttpResponse> exchange(const net::HttpRequest& request);
  // Runs `attempt` until it succeeds, fails with a code other than UNAVAILABLE, or the retry
  // policy's attempts are spent, waiting between attempts.
  template <typename F>
  auto with_retries(std::string_view what, F&& attempt) -> decltype(attempt());
  // The error for an answer the caller did not expect: code from the status and the registry's
  // error codes ("MANIFEST_BLOB_UNKNOWN"), message "WHAT: 404 Not Found: ...".
  Status response_error(const net::HttpResponse& response, std::string_view what);
  // `status` with every known secret replaced by "****" (net::scrub_secrets).
  Status scrub(const Status& status) const;
  std::string scrub_text(std::string text) const;

  // registry_auth.cc
  Result<std::optional<std::string>> authorization(const Scopes& scopes);
  Status learn_challenge(const net::HttpResponse& response, Scopes& scopes);
  Status load_credentials();
  Result<std::string> fetch_token(const Scopes& scopes);
};

template <typename F>
auto RegistryClient::Session::with_retries(std::string_view what, F&& attempt)
    -> decltype(attempt()) {
  // The attempt's helpers record a Retry-After and a failed probe on the session.
  auto one = [&](net::AttemptState& state) {
    retry_after.reset();
    probe_gave_up = false;
    auto result = attempt();
    state.retry_after = retry_after;
    state.give_up = probe_gave_up;
    return result;
  };
  auto on_retry = [&](const Status& status, std::chrono::milliseconds delay, int next, int of) {
    ++counters.retries;
    log("retrying " + std::string(what) + " in " + std::to_string(delay.count()) + " ms (attempt " +
        std::to_string(next) + " of " + std::to_string(of) + "): " + scrub(status).message());
  };
  return net::with_retries(options.retry, *clock, one, on_retry);
}

}  // namespace ignite::registry
