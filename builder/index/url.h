// URLs of package indexes and the files they link to: just enough of RFC 3986 to split a
// URL, resolve a page's relative links against it, and keep credentials out of sight.
//
// Index URLs may carry credentials ("https://user:token@host/simple/"). They are taken
// out when a URL is parsed and travel only inside Credentials; every URL that is shown
// (messages, logs, the lock) is the credential-free form.
#pragma once

#include <string>
#include <string_view>

#include "builder/util/status.h"

namespace ignite::index {

struct Url {
  std::string scheme;    // lowercase: "https"
  std::string user;      // percent-decoded; empty when none
  std::string password;  // percent-decoded
  bool has_userinfo = false;
  std::string host;   // lowercase; "[::1]" keeps its brackets
  std::string port;   // digits, or empty for the scheme's default
  std::string path;   // "/simple/flask/", as written (still percent-encoded)
  std::string query;  // without '?'; empty when none
  bool has_query = false;
  std::string fragment;  // without '#'
  bool has_fragment = false;

  // An absolute URL with an authority ("scheme://host..."). INVALID_ARGUMENT
  // "invalid URL '<redacted text>': <reason>" otherwise.
  static Result<Url> parse(std::string_view text);

  // "host" or "host:port": where credentials apply.
  std::string netloc() const { return port.empty() ? host : host + ":" + port; }
  // Without userinfo and fragment: what is fetched and what is shown.
  std::string to_string() const;
  // With the fragment, without userinfo.
  std::string to_string_with_fragment() const;
};

// Resolves `reference` (an href, absolute or relative) against `base` (RFC 3986 section
// 5.2). The result keeps no userinfo of the base.
Result<Url> resolve_url(const Url& base, std::string_view reference);

// The last path segment, percent-decoded: a link's file name ("flask-3.1.3-py3-none-any.whl").
std::string url_filename(const Url& url);

// "%41" -> "A"; a bad escape is kept as written.
std::string percent_decode(std::string_view text);

// The URL text with any "user:pass@" (or "token@") replaced by "****@", for messages
// about text that may not even parse.
std::string redact_url(std::string_view text);

// The URL without userinfo and fragment; text that does not parse comes back redacted.
std::string strip_credentials(std::string_view text);

}  // namespace ignite::index
