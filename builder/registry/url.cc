#include "builder/registry/url.h"

#include <curl/curl.h>

#include <optional>

#include "builder/registry/http_client.h"

namespace ignite::registry {

std::string url_for_messages(std::string_view url) {
  return std::string(url.substr(0, url.find_first_of("?#")));
}

namespace {

struct Url {
  CURLU* u = curl_url();
  ~Url() { curl_url_cleanup(u); }
  Status set(std::string_view url) {
    const std::string s(url);
    if (curl_url_set(u, CURLUPART_URL, s.c_str(), 0) != CURLUE_OK) {
      return invalid_argument("malformed URL \"" + url_for_messages(url) + "\"");
    }
    return ok_status();
  }
  std::optional<std::string> get(CURLUPart part) const {
    char* out = nullptr;
    if (curl_url_get(u, part, &out, 0) != CURLUE_OK || out == nullptr) return std::nullopt;
    std::string s(out);
    curl_free(out);
    return s;
  }
};

}  // namespace

Result<std::string> resolve_url(std::string_view base, std::string_view reference) {
  curl_init_once();
  Url url;
  IGNITE_RETURN_IF_ERROR(url.set(base));
  IGNITE_RETURN_IF_ERROR(url.set(reference));  // relative references resolve against base
  auto out = url.get(CURLUPART_URL);
  if (!out) return invalid_argument("malformed URL \"" + url_for_messages(reference) + "\"");
  return *out;
}

Result<std::string> append_query(std::string_view url_text, std::string_view name,
                                 std::string_view value) {
  curl_init_once();
  Url url;
  IGNITE_RETURN_IF_ERROR(url.set(url_text));
  const std::string part = std::string(name) + "=" + std::string(value);
  if (curl_url_set(url.u, CURLUPART_QUERY, part.c_str(), CURLU_APPENDQUERY | CURLU_URLENCODE) !=
      CURLUE_OK) {
    return invalid_argument("adding " + std::string(name) + " to URL " +
                            url_for_messages(url_text));
  }
  auto out = url.get(CURLUPART_URL);
  if (!out) return invalid_argument("malformed URL \"" + url_for_messages(url_text) + "\"");
  return *out;
}

Result<std::string> url_origin(std::string_view url_text) {
  curl_init_once();
  Url url;
  IGNITE_RETURN_IF_ERROR(url.set(url_text));
  auto scheme = url.get(CURLUPART_SCHEME);
  auto host = url.get(CURLUPART_HOST);
  if (!scheme || !host)
    return invalid_argument("URL \"" + url_for_messages(url_text) + "\" has no host");
  std::string out = *scheme + "://" + *host;
  if (auto port = url.get(CURLUPART_PORT)) out += ":" + *port;
  return out;
}

}  // namespace ignite::registry
