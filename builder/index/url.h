// The index's URLs (index pages, the files they link to, index URLs with credentials) are
// net::Url values, parsed and resolved by builder/net: one RFC 3986 implementation for the index
// and the registry client alike. These names keep the index's code and its callers spelling
// them as the index's own.
#pragma once

#include "builder/net/url.h"
#include "builder/net/url_redaction.h"

namespace ignite::index {

using net::percent_decode;
using net::redact_url;
using net::resolve_url;
using net::strip_credentials;
using net::Url;
using net::url_filename;

}  // namespace ignite::index
