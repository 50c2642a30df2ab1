// Authorization for registry requests, following the registry's WWW-Authenticate challenge:
//
//   none    the registry answered GET /v2/ with 200 and no request has met a 401 since
//   Basic   "Authorization: Basic base64(user:password)" on every request
//   Bearer  a token from the challenge's realm, GET REALM?service=S&scope=S1&scope=S2 (with
//           Basic credentials when there are any, anonymously otherwise), sent as
//           "Authorization: Bearer T" and reused for every request its scopes cover until
//           kTokenRenewMargin before its expires_in runs out
//
// Credentials are looked up once, when first needed. Every password and token is recorded in
// Session::secrets so messages and log lines can be scrubbed of it.
#include <nlohmann/json.hpp>

#include "builder/registry/docker_config.h"
#include "builder/registry/image_reference.h"
#include "builder/registry/registry_session.h"
#include "builder/registry/www_authenticate.h"
#include "builder/util/base64.h"

namespace ignite::registry {
namespace {

// "repository:NAME:pull,push" -> {"repository:NAME", {"pull", "push"}}.
std::pair<std::string, std::vector<std::string>> split_scope(std::string_view scope) {
  const std::size_t colon = scope.rfind(':');
  if (colon == std::string_view::npos) return {std::string(scope), {}};
  std::vector<std::string> actions;
  std::string_view rest = scope.substr(colon + 1);
  while (!rest.empty()) {
    const std::size_t comma = rest.find(',');
    actions.emplace_back(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
  }
  return {std::string(scope.substr(0, colon)), actions};
}

// True when a token for `held` grants everything `wanted` asks.
bool covers(const Scopes& held, const Scopes& wanted) {
  for (const std::string& w : wanted) {
    const auto wanted_scope = split_scope(w);
    const std::vector<std::string>& actions = wanted_scope.second;
    bool found = false;
    for (const std::string& h : held) {
      const auto held_scope = split_scope(h);
      const std::vector<std::string>& held_actions = held_scope.second;
      if (held_scope.first != wanted_scope.first) continue;
      found = std::all_of(actions.begin(), actions.end(), [&](const std::string& a) {
        return std::find(held_actions.begin(), held_actions.end(), a) != held_actions.end();
      });
      if (found) break;
    }
    if (!found) return false;
  }
  return true;
}

std::string join(const Scopes& scopes) {
  std::string out;
  for (const std::string& s : scopes) out += (out.empty() ? "" : " ") + s;
  return out;
}

}  // namespace

Status RegistryClient::Session::load_credentials() {
  if (credentials_loaded) return ok_status();
  const std::string path = options.docker_config_path.empty() ? default_docker_config_path()
                                                              : options.docker_config_path;
  const std::string what = "finding credentials for registry " + registry;
  auto config = DockerConfig::load(path);
  if (!config.ok()) return config.status().with_context(what);
  auto found = find_credentials(*config, registry);
  if (!found.ok()) return found.status().with_context(what);
  credentials_loaded = true;
  credentials = std::move(found).value();
  if (credentials) {
    secrets.push_back(credentials->credentials.password);
    log("using credentials for " + registry + " from " + credentials->source);
  }
  return ok_status();
}

Status RegistryClient::Session::learn_challenge(const net::HttpResponse& response, Scopes& scopes) {
  const std::optional<std::string> header = response.header("www-authenticate");
  if (!header) return ok_status();
  auto challenges = parse_www_authenticate(*header);
  if (!challenges.ok()) return challenges.status().with_context("registry " + registry);
  const AuthChallenge* bearer = nullptr;
  const AuthChallenge* basic = nullptr;
  for (const AuthChallenge& c : *challenges) {
    if (c.scheme == "bearer" && bearer == nullptr) bearer = &c;
    if (c.scheme == "basic" && basic == nullptr) basic = &c;
  }
  if (bearer != nullptr) {
    const std::string new_realm = bearer->param("realm");
    if (new_realm.empty()) {
      return failed_precondition("registry " + registry +
                                 " asks for a bearer token without a realm");
    }
    if (new_realm.rfind("https://", 0) != 0) {
      IGNITE_ASSIGN_OR_RETURN(std::string origin, net::url_origin(new_realm));
      const std::string host = origin.substr(origin.find("://") + 3);
      if (new_realm.rfind("http://", 0) != 0 ||
          (options.plain_http != PlainHttp::kAllowed && !is_loopback_registry(host))) {
        return failed_precondition("registry " + registry + " sends clients for tokens to " +
                                   net::url_for_messages(new_realm) +
                                   ", which is not HTTPS: credentials would cross the network in "
                                   "clear (allow plain HTTP explicitly to accept this)");
      }
    }
    scheme = AuthScheme::kBearer;
    realm = new_realm;
    service = bearer->param("service");
    // The challenge may name the scope the request needs better than we guessed; one that the
    // request's scopes already grant (the pull a HEAD is challenged for, when a push asks
    // pull,push) is not asked for twice.
    const std::string asked_scopes = bearer->param("scope");
    std::string_view asked = asked_scopes;
    while (!asked.empty()) {
      const std::size_t space = asked.find(' ');
      std::string one(asked.substr(0, space));
      if (!one.empty() && !covers(scopes, {one})) scopes.push_back(one);
      asked = space == std::string_view::npos ? std::string_view() : asked.substr(space + 1);
    }
    // Tokens for these scopes were refused (expired early, or revoked): fetch anew.
    std::erase_if(tokens, [&](const CachedToken& t) { return covers(t.scopes, scopes); });
    return ok_status();
  }
  if (basic != nullptr) {
    scheme = AuthScheme::kBasic;
    return ok_status();
  }
  return unimplemented("registry " + registry + " asks for authentication with \"" +
                       challenges->front().scheme + "\", which is not supported (Basic, Bearer)");
}

Result<std::optional<std::string>> RegistryClient::Session::authorization(const Scopes& scopes) {
  switch (scheme) {
    case AuthScheme::kNone:
      return std::optional<std::string>();
    case AuthScheme::kBasic: {
      IGNITE_RETURN_IF_ERROR(load_credentials());
      if (!credentials) return std::optional<std::string>();
      const std::string encoded = base64_encode(credentials->credentials.username + ":" +
                                                credentials->credentials.password);
      if (std::find(secrets.begin(), secrets.end(), encoded) == secrets.end()) {
        secrets.push_back(encoded);
      }
      return std::optional<std::string>("Basic " + encoded);
    }
    case AuthScheme::kBearer:
      break;
  }
  if (scopes.empty()) return std::optional<std::string>();
  const Clock::TimePoint now = clock->now();
  std::erase_if(tokens, [&](const CachedToken& t) { return t.renew_at <= now; });
  for (const CachedToken& t : tokens) {
    if (covers(t.scopes, scopes)) return std::optional<std::string>("Bearer " + t.token);
  }
  IGNITE_ASSIGN_OR_RETURN(std::string token, fetch_token(scopes));
  return std::optional<std::string>("Bearer " + token);
}

Result<std::string> RegistryClient::Session::fetch_token(const Scopes& scopes) {
  IGNITE_RETURN_IF_ERROR(load_credentials());
  const std::string what = "getting a token for " + registry + " (" + join(scopes) + ") from " +
                           net::url_for_messages(realm);
  std::string url = realm;
  if (!service.empty()) {
    IGNITE_ASSIGN_OR_RETURN(url, net::append_query(url, "service", service));
  }
  for (const std::string& s : scopes) {
    IGNITE_ASSIGN_OR_RETURN(url, net::append_query(url, "scope", s));
  }
  net::HttpRequest request;
  request.url = url;
  if (credentials) {
    const std::string encoded =
        base64_encode(credentials->credentials.username + ":" + credentials->credentials.password);
    secrets.push_back(encoded);
    request.headers.push_back("Authorization: Basic " + encoded);
  }
  auto response = with_retries(what, [&]() -> Result<net::HttpResponse> {
    auto r = exchange(request);
    if (r.ok() && net::is_retryable_http_status(r->status)) return response_error(*r, what);
    return r;
  });
  if (!response.ok()) return scrub(response.status());
  if (response->status == 401 || response->status == 403) {
    Status refused = response_error(*response, what);
    return Status(Code::kUnauthenticated, refused.message());
  }
  if (response->status != 200) return response_error(*response, what);
  const nlohmann::json doc =
      nlohmann::json::parse(response->body, nullptr, /*allow_exceptions=*/false);
  std::string token;
  std::int64_t expires_in = kDefaultTokenLifetime.count();
  if (!doc.is_discarded() && doc.is_object()) {
    for (const char* key : {"token", "access_token"}) {
      if (token.empty() && doc.contains(key) && doc[key].is_string()) token = doc[key];
    }
    if (doc.contains("expires_in") && doc["expires_in"].is_number_integer()) {
      expires_in = std::max<std::int64_t>(1, doc["expires_in"].get<std::int64_t>());
    }
  }
  if (token.empty()) return Status(Code::kUnknown, what + ": the answer holds no token");
  secrets.push_back(token);
  ++counters.token_requests;
  const std::chrono::seconds lifetime(expires_in);
  const std::chrono::seconds margin = std::min(kTokenRenewMargin, lifetime / 2);
  tokens.push_back(CachedToken{scopes, token, clock->now() + lifetime - margin});
  log("got a token for " + registry + " (" + join(scopes) + "), valid " +
      std::to_string(expires_in) + " s");
  return token;
}

}  // namespace ignite::registry
