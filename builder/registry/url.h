// URL handling for registry requests, through libcurl's URL API: upload Locations may be
// relative, already carry a query, and must never be quoted whole in messages (their query
// holds upload state).
#pragma once

#include <string>
#include <string_view>

#include "builder/util/status.h"

namespace ignite::registry {

// `url` without its query and fragment, for messages.
std::string url_for_messages(std::string_view url);

// `reference` (absolute, or relative such as "/v2/x/blobs/uploads/ID?_state=..") resolved
// against `base`. INVALID_ARGUMENT when either is malformed.
Result<std::string> resolve_url(std::string_view base, std::string_view reference);

// `url` with "name=value" appended to its query (value URL-encoded): the upload Location
// already carries a query, so "&digest=" and not "?digest=".
Result<std::string> append_query(std::string_view url, std::string_view name,
                                 std::string_view value);

// The scheme and authority of `url`: "https://127.0.0.1:5000".
Result<std::string> url_origin(std::string_view url);

}  // namespace ignite::registry
