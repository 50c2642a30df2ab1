#include "builder/registry/registry_session.h"

#include <nlohmann/json.hpp>

#include "builder/registry/docker_config.h"
#include "builder/registry/image_reference.h"

namespace ignite::registry {
namespace {

std::string reason_phrase(long status) {
  switch (status) {
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 413:
      return "Payload Too Large";
    case 416:
      return "Range Not Satisfiable";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return "";
  }
}

// The registry's error codes and messages, "MANIFEST_BLOB_UNKNOWN: blob unknown to registry",
// from a body {"errors":[{"code":..,"message":..,"detail":..}]}; the body's start otherwise.
std::vector<std::string> registry_errors(const std::string& body, std::string* codes) {
  std::vector<std::string> out;
  const nlohmann::json doc = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_discarded() && doc.is_object() && doc.contains("errors") &&
      doc["errors"].is_array()) {
    for (const auto& e : doc["errors"]) {
      if (!e.is_object()) continue;
      std::string code = e.value("code", std::string());
      std::string message = e.value("message", std::string());
      if (e.contains("detail") && e["detail"].is_string()) {
        message += " (" + e["detail"].get<std::string>() + ")";
      }
      *codes += code + " ";
      out.push_back(code.empty() ? message : code + ": " + message);
    }
    return out;
  }
  std::string text = body.substr(0, 200);
  for (char& c : text) {
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  }
  while (!text.empty() && text.back() == ' ') text.pop_back();
  if (!text.empty()) out.push_back(text + (body.size() > 200 ? "..." : ""));
  return out;
}

}  // namespace

std::string pull_scope(std::string_view repository) {
  return "repository:" + std::string(repository) + ":pull";
}
std::string push_scope(std::string_view repository) {
  return "repository:" + std::string(repository) + ":pull,push";
}

Scopes RegistryClient::Session::read_scopes(std::string_view repository) const {
  if (push_repositories.count(std::string(repository))) return {push_scope(repository)};
  return {pull_scope(repository)};
}

RegistryClient::Session::Session(std::string registry_in, ClientOptions options_in,
                                 net::HttpClient http_in)
    : registry(std::move(registry_in)),
      api_host(registry == kDockerHub ? std::string(kDockerHubApiHost) : registry),
      options(std::move(options_in)),
      clock(options.clock ? options.clock : std::make_shared<SystemClock>()),
      http(std::move(http_in)) {
  if (options.credentials) {
    credentials_loaded = true;
    credentials = FoundCredentials{*options.credentials, options.credentials_source};
    secrets.push_back(options.credentials->password);
  }
}

void RegistryClient::Session::log(const std::string& line) const {
  if (options.log) options.log(scrub_text(line));
}

std::string RegistryClient::Session::where(std::string_view repository) const {
  return "registry " + registry + "/" + std::string(repository);
}

std::vector<std::string> RegistryClient::Session::schemes() const {
  if (options.plain_http == PlainHttp::kAllowed) return {"http"};
  // Plain HTTP first on loopback, where it is allowed anyway and traffic never leaves the
  // machine: a plain registry answers at once, without a TLS attempt and loading the CA bundle
  // (~20 ms, most of a code-only publish). A TLS registry answers the plain request with 400,
  // or drops it, and is then reached over TLS.
  if (is_loopback_registry(api_host)) return {"http", "https"};
  return {"https"};
}

Status RegistryClient::Session::probe() {
  if (!base_url.empty()) return ok_status();
  base_url = schemes().front() + "://" + api_host;
  endpoint_tentative = true;
  return ok_status();
}

Result<std::optional<net::HttpResponse>> RegistryClient::Session::confirm_endpoint(
    net::HttpRequest& request) {
  const std::string tentative = base_url;
  // Only a request without side effects whose answer can be dropped: not one whose body has
  // gone to a sink, nor one a redirect may have taken to another server.
  const bool safe = (request.method == "GET" || request.method == "HEAD") && !request.sink &&
                    request.redirects == net::Redirects::kReturn;
  if (safe) {
    auto answer = exchange(request);
    // distribution, and the registries that follow docker's API, send this header with every
    // answer (401 and 404 included); without it the answer could be another server's, so
    // GET /v2/ decides, as it would have without this shortcut.
    if (answer.ok() && answer->header("docker-distribution-api-version")) {
      endpoint_tentative = false;
      if (tentative.rfind("http://", 0) == 0) log("registry " + registry + " speaks plain HTTP");
      return std::optional<net::HttpResponse>(std::move(answer).value());
    }
  }
  base_url.clear();
  endpoint_tentative = false;
  if (Status probed = probe_endpoint(); !probed.ok()) {
    probe_gave_up = true;
    return probed;
  }
  if (request.url.rfind(tentative + "/", 0) == 0) {
    request.url = base_url + request.url.substr(tentative.size());
  }
  return std::optional<net::HttpResponse>();
}

Status RegistryClient::Session::probe_endpoint() {
  const std::vector<std::string> schemes = this->schemes();
  Status last;
  for (std::size_t i = 0; i < schemes.size(); ++i) {
    const std::string& url_scheme = schemes[i];
    const bool more = i + 1 < schemes.size();
    const std::string candidate = url_scheme + "://" + api_host;
    auto answer = with_retries("reaching " + registry, [&]() -> Result<net::HttpResponse> {
      net::HttpRequest request;
      request.url = candidate + "/v2/";
      auto r = exchange(request);
      if (r.ok() && net::is_retryable_http_status(r->status)) return response_error(*r, "GET /v2/");
      return r;
    });
    if (!answer.ok()) {
      last = answer.status();
      if (url_scheme == "https" && http.last_fault() == net::TransportFault::kTlsHandshake) {
        last = Status(last.code(), last.message() +
                                       " (a plain-HTTP registry? allow it explicitly with "
                                       "--plain-http)");
      }
      // Nothing listens there at all: TLS would fare no better.
      if (!more || http.last_fault() == net::TransportFault::kRetryable) break;
      continue;
    }
    if (answer->status != 200 && answer->status != 401) {
      if (more) continue;  // a TLS server's answer to plain HTTP
      return failed_precondition("reaching registry " + registry + ": GET " + candidate +
                                 "/v2/ answered " + std::to_string(answer->status) +
                                 ": not an OCI distribution registry");
    }
    base_url = candidate;
    if (url_scheme == "http") log("registry " + registry + " speaks plain HTTP");
    if (answer->status == 401) {
      Scopes none;
      IGNITE_RETURN_IF_ERROR(learn_challenge(*answer, none));
    }
    return ok_status();
  }
  return scrub(last.with_context("reaching registry " + registry));
}

Result<net::HttpResponse> RegistryClient::Session::send(net::HttpRequest request,
                                                        const Scopes& scopes_in) {
  IGNITE_RETURN_IF_ERROR(probe());
  // The first answer of a tentative endpoint; sent without authorization, as GET /v2/ would
  // have been, since no challenge is known yet.
  std::optional<net::HttpResponse> first;
  if (endpoint_tentative) {
    IGNITE_ASSIGN_OR_RETURN(first, confirm_endpoint(request));
  }
  Scopes scopes = scopes_in;
  const bool same_origin = request.url.rfind(base_url + "/", 0) == 0;
  const std::size_t plain_headers = request.headers.size();
  for (int round = 0;; ++round) {
    net::HttpResponse response;
    if (first) {
      response = std::move(*first);
      first.reset();
    } else {
      request.headers.resize(plain_headers);
      if (same_origin) {
        IGNITE_ASSIGN_OR_RETURN(std::optional<std::string> auth, authorization(scopes));
        if (auth) request.headers.push_back("Authorization: " + *auth);
      }
      IGNITE_ASSIGN_OR_RETURN(response, exchange(request));
    }
    if (response.status != 401 || round > 0 || !same_origin) return response;
    // A challenge: the registry wants (other) credentials or a token for other scopes.
    const AuthScheme before = scheme;
    const bool had_credentials = credentials.has_value();
    IGNITE_RETURN_IF_ERROR(learn_challenge(response, scopes));
    if (scheme == AuthScheme::kNone) return response;
    if (scheme == AuthScheme::kBasic && before == AuthScheme::kBasic && had_credentials) {
      return response;  // the credentials were sent and refused
    }
    IGNITE_RETURN_IF_ERROR(load_credentials());
    if (scheme == AuthScheme::kBasic && !credentials) return response;
  }
}

Result<net::HttpResponse> RegistryClient::Session::exchange(const net::HttpRequest& request) {
  auto answer = http.send(request);
  if (!answer.ok() && http.last_fault() == net::TransportFault::kTlsVerify &&
      options.ca_file.empty()) {
    return Status(answer.status().code(),
                  answer.status().message() + " (hint: give the registry's CA certificate file)");
  }
  return answer;
}

Status RegistryClient::Session::response_error(const net::HttpResponse& response,
                                               std::string_view what) {
  std::string codes;
  const std::vector<std::string> errors = registry_errors(response.body, &codes);
  std::string message = std::string(what) + ": " + std::to_string(response.status);
  if (const std::string reason = reason_phrase(response.status); !reason.empty()) {
    message += " " + reason;
  }
  for (std::size_t i = 0; i < errors.size(); ++i) message += (i == 0 ? ": " : "; ") + errors[i];

  const long s = response.status;
  Code code = Code::kUnknown;
  if (net::is_retryable_http_status(s)) {
    code = Code::kUnavailable;
    if (auto after = response.header("retry-after")) retry_after = net::parse_retry_after(*after);
  } else if (s == 401) {
    code = Code::kUnauthenticated;
    if (credentials) {
      message += " (credentials refused; they came from " + credentials->source + ")";
    } else {
      const std::string path = options.docker_config_path.empty() ? default_docker_config_path()
                                                                  : options.docker_config_path;
      message += " (no credentials for " + registry + " in " + path + ")";
    }
  } else if (s == 403) {
    code = Code::kPermissionDenied;
  } else if (s == 404) {
    // An upload session the registry forgot (purged, restarted): start over.
    code = codes.find("BLOB_UPLOAD_UNKNOWN") != std::string::npos ? Code::kUnavailable
                                                                  : Code::kNotFound;
  } else if (s == 416) {
    code = Code::kUnavailable;  // the upload's offsets disagree: start over
  } else if (s == 400 && (codes.find("DIGEST_INVALID") != std::string::npos ||
                          codes.find("SIZE_INVALID") != std::string::npos)) {
    code = Code::kDataLoss;
  } else if (s == 400 && codes.find("BLOB_UNKNOWN") != std::string::npos) {
    code = Code::kFailedPrecondition;
  } else if (s == 400) {
    code = Code::kInvalidArgument;
  } else if (s == 405) {
    code = Code::kUnimplemented;
  } else if (s == 409) {
    code = Code::kAborted;
  } else if (s == 413) {
    code = Code::kResourceExhausted;
  }
  return scrub(Status(code, message));
}

Status RegistryClient::Session::scrub(const Status& status) const {
  return Status(status.code(), scrub_text(status.message()));
}

std::string RegistryClient::Session::scrub_text(std::string message) const {
  return net::scrub_secrets(message, secrets);
}

}  // namespace ignite::registry
