#include "builder/index/http_client.h"

#include <curl/curl.h>

#include <cctype>
#include <mutex>

namespace ignite::index {
namespace {

struct Transfer {
  std::string* body;
  std::size_t limit;
  bool too_big = false;
};

std::size_t write_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const std::size_t n = size * count;
  if (t->body->size() + n > t->limit) {
    t->too_big = true;
    return 0;  // makes libcurl stop with CURLE_WRITE_ERROR
  }
  t->body->append(data, n);
  return n;
}

std::string media_type(const char* header) {
  if (header == nullptr) return "";
  std::string out;
  for (const char* p = header; *p != '\0' && *p != ';'; ++p) {
    if (*p != ' ' && *p != '\t')
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(*p)));
  }
  return out;
}

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

}  // namespace

void Credentials::add_from(const Url& url) {
  if (!url.has_userinfo) return;
  by_netloc_.try_emplace(url.netloc(), UserPassword{url.user, url.password});
}

const UserPassword* Credentials::find(const Url& url) const {
  auto it = by_netloc_.find(url.netloc());
  return it == by_netloc_.end() ? nullptr : &it->second;
}

std::vector<std::string> Credentials::secrets() const {
  std::vector<std::string> out;
  for (const auto& [netloc, up] : by_netloc_) {
    if (!up.password.empty()) out.push_back(up.password);
    // A token given as the user part alone is a secret too.
    if (up.password.empty() && !up.user.empty()) out.push_back(up.user);
  }
  return out;
}

std::string scrub_secrets(std::string_view text, const std::vector<std::string>& secrets) {
  std::string out = redact_url(text);
  for (const std::string& s : secrets) {
    if (s.size() < 3) continue;  // too short to scrub without mangling ordinary text
    for (std::size_t pos = out.find(s); pos != std::string::npos; pos = out.find(s, pos + 4)) {
      out.replace(pos, s.size(), "****");
    }
  }
  return out;
}

CurlHttpClient::CurlHttpClient(HttpOptions options) : options_(std::move(options)) {
  global_init();
  curl_ = curl_easy_init();
}

CurlHttpClient::~CurlHttpClient() {
  if (curl_ != nullptr) curl_easy_cleanup(static_cast<CURL*>(curl_));
}

Result<HttpResponse> CurlHttpClient::get(const Url& url, std::string_view accept) {
  const std::string shown = url.to_string();
  if (curl_ == nullptr) return internal_error("fetching " + shown + ": libcurl did not initialize");
  if (url.scheme != "http" && url.scheme != "https") {
    return invalid_argument("fetching " + shown + ": only http and https URLs are fetched");
  }
  CURL* curl = static_cast<CURL*>(curl_);
  curl_easy_reset(curl);
  ++requests_;

  HttpResponse response;
  Transfer transfer{&response.body, options_.max_body_bytes};
  char error[CURL_ERROR_SIZE] = {0};
  curl_slist* headers = nullptr;
  const std::string accept_header = "Accept: " + std::string(accept);
  if (!accept.empty()) headers = curl_slist_append(headers, accept_header.c_str());

  curl_easy_setopt(curl, CURLOPT_URL, shown.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, write_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(curl, CURLOPT_MAXREDIRS, 10L);
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, options_.connect_timeout_ms);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1024L);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, options_.low_speed_seconds);
  curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");  // gzip pages when the server offers
  curl_easy_setopt(curl, CURLOPT_USERAGENT, "ignite-builder");
  // Credentials go to the index's own host only (CURLOPT_UNRESTRICTED_AUTH stays 0).
  if (const UserPassword* up = options_.credentials.find(url)) {
    curl_easy_setopt(curl, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
    curl_easy_setopt(curl, CURLOPT_USERNAME, up->user.c_str());
    curl_easy_setopt(curl, CURLOPT_PASSWORD, up->password.c_str());
  } else if (options_.netrc == Netrc::kOptional) {
    curl_easy_setopt(curl, CURLOPT_NETRC, static_cast<long>(CURL_NETRC_OPTIONAL));
    if (!options_.netrc_file.empty()) {
      curl_easy_setopt(curl, CURLOPT_NETRC_FILE, options_.netrc_file.c_str());
    }
  }

  const CURLcode rc = curl_easy_perform(curl);
  curl_slist_free_all(headers);
  if (transfer.too_big) {
    return resource_exhausted("fetching " + shown + ": the response is larger than " +
                              std::to_string(options_.max_body_bytes) + " bytes");
  }
  if (rc != CURLE_OK) {
    const std::string cause = error[0] != '\0' ? error : curl_easy_strerror(rc);
    return unavailable("fetching " + shown + ": " +
                       scrub_secrets(cause, options_.credentials.secrets()));
  }
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
  char* content_type = nullptr;
  curl_easy_getinfo(curl, CURLINFO_CONTENT_TYPE, &content_type);
  response.content_type = media_type(content_type);
  char* effective = nullptr;
  curl_easy_getinfo(curl, CURLINFO_EFFECTIVE_URL, &effective);
  response.url = effective != nullptr ? strip_credentials(effective) : shown;
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
