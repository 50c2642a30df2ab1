// A project's page on a simple repository index: the files it links to, read from
// either form the index may serve (the server picks by our Accept header).
//
// - PEP 691 JSON (application/vnd.pypi.simple.v1+json): "files": [{"filename", "url",
//   "hashes": {"sha256": ...}, "requires-python", "yanked" (false, true or the reason),
//   "core-metadata" / "dist-info-metadata" (false, true or {"sha256": ...})}].
// - PEP 503 HTML (text/html, application/vnd.pypi.simple.v1+html): each <a href="URL#sha256=HEX">
//   with data-requires-python (HTML-escaped), data-yanked (present = yanked, value = reason),
//   data-core-metadata or the older data-dist-info-metadata ("true" or "sha256=HEX",
//   PEP 658 / 714). Relative hrefs resolve against the page's URL or its <base href>.
//
// Pages are untrusted input: parsing never fails on an odd link (it is skipped), only on
// a page that is not the format it claims (DATA_LOSS).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "builder/index/url.h"
#include "builder/util/status.h"

namespace ignite::index {

inline constexpr std::string_view kSimpleJsonType = "application/vnd.pypi.simple.v1+json";
inline constexpr std::string_view kSimpleHtmlType = "application/vnd.pypi.simple.v1+html";
// JSON preferred, HTML understood (PEP 691's content negotiation).
inline constexpr std::string_view kSimpleAccept =
    "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, "
    "text/html;q=0.01";

struct IndexFile {
  std::string filename;                        // from the URL's last path segment, decoded
  Url url;                                     // absolute, no userinfo, no fragment
  std::map<std::string, std::string> hashes;   // algorithm -> lowercase hex
  std::optional<std::string> requires_python;  // as the index gives it
  bool yanked = false;
  std::string yanked_reason;
  bool has_metadata = false;  // a PEP 658 file at url + ".metadata"
  std::map<std::string, std::string> metadata_hashes;
};

// By the response's media type: JSON for kSimpleJsonType, HTML for kSimpleHtmlType,
// text/html or an empty type. FAILED_PRECONDITION for any other type.
Result<std::vector<IndexFile>> parse_simple_page(std::string_view body,
                                                 std::string_view content_type,
                                                 const Url& page_url);

Result<std::vector<IndexFile>> parse_simple_json(std::string_view body, const Url& page_url);
Result<std::vector<IndexFile>> parse_simple_html(std::string_view body, const Url& page_url);

// "&lt;" -> "<", "&#62;" -> ">", "&#x3E;" -> ">"; unknown entities are kept as written.
std::string html_unescape(std::string_view text);

}  // namespace ignite::index
