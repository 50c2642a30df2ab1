// URLs split as RFC 3986 splits them, and reference resolution (section 5.2): the one
// implementation in the tree. Package indexes keep their pages and links as Url values; the
// registry client resolves upload Locations and Link headers with the string forms below.
//
// A URL may carry credentials ("https://user:token@host/simple/"). Url::parse takes them out of
// the text into `user` and `password`, and no to_string form writes them back: a URL that is
// shown (messages, logs, the lock) is always the credential-free one. url_redaction.h covers
// text that may not even parse.
#pragma once

#include <string>
#include <string_view>

#include "builder/util/status.h"

namespace ignite::net {

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
  // "scheme://host[:port]": the server a request goes to.
  std::string origin() const { return scheme + "://" + netloc(); }
  // Without userinfo and fragment: what is fetched and what is shown.
  std::string to_string() const;
  // With the fragment, without userinfo.
  std::string to_string_with_fragment() const;
};

// Resolves `reference` (an href or a Location, absolute or relative) against `base` (RFC 3986
// section 5.2). The result keeps no userinfo, neither the base's nor the reference's.
Result<Url> resolve_url(const Url& base, std::string_view reference);

// The same on text: "http://h:5000/v2/x/blobs/uploads/" and "/v2/x/blobs/uploads/ID?_state=.."
// give "http://h:5000/v2/x/blobs/uploads/ID?_state=..". INVALID_ARGUMENT when either is
// malformed.
Result<std::string> resolve_url(std::string_view base, std::string_view reference);

// `url` with "name=value" appended to its query, both percent-encoded as a form encodes them
// (unreserved characters kept, space as '+'): an upload Location already carries a query, so
// "&digest=" and not "?digest=".
Result<std::string> append_query(std::string_view url, std::string_view name,
                                 std::string_view value);

// The scheme and authority of `url`: "https://127.0.0.1:5000".
Result<std::string> url_origin(std::string_view url);

// The last path segment, percent-decoded: a link's file name ("flask-3.1.3-py3-none-any.whl").
std::string url_filename(const Url& url);

// "%41" -> "A"; a bad escape is kept as written.
std::string percent_decode(std::string_view text);

}  // namespace ignite::net
