// Canonical JSON bytes and checked field access, over nlohmann::json: the OCI documents
// (builder/oci/) and the attestations (builder/attest/). For a library's insides: its public
// headers speak in structs and strings, not JSON values.
//
// Canonical form: object keys sorted bytewise (nlohmann::json keeps objects in a std::map),
// no insignificant whitespace, strings as UTF-8 with only '"', '\\' and control characters
// escaped, integers in decimal. These bytes are what manifest and config digests cover.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "builder/util/status.h"

namespace ignite {

using Json = nlohmann::json;

// The canonical bytes of `value`. INVALID_ARGUMENT when a string is not valid UTF-8.
Result<std::string> canonical_json(const Json& value);
// The same bytes, except that bytes which are not UTF-8 become U+FFFD instead of an error: for
// writers that cannot fail, whose strings were checked where they came from (a bad byte in a
// dpkg Maintainer field must not stop an SBOM).
std::string canonical_json_lossy(const Json& value);

// Parses `bytes` as one JSON object; `what` names it in errors ("manifest sha256:ab..").
Result<Json> parse_json_object(std::string_view bytes, std::string_view what);

// Field accessors: each fails with INVALID_ARGUMENT naming `what` and the key when the field is
// missing (required ones) or of the wrong type. Optional ones return the empty value if absent.
Result<std::string> json_string(const Json& obj, std::string_view key, std::string_view what);
Result<std::string> json_optional_string(const Json& obj, std::string_view key,
                                         std::string_view what);
Result<std::int64_t> json_int(const Json& obj, std::string_view key, std::string_view what);
// A string member that must be `wanted` (a format's type or version): otherwise
// INVALID_ARGUMENT naming the value found.
Status json_expect_string(const Json& obj, std::string_view key, std::string_view wanted,
                          std::string_view what);
// A member that must be an object, or an array: the value inside `obj`.
Result<const Json*> json_object(const Json& obj, std::string_view key, std::string_view what);
Result<const Json*> json_array(const Json& obj, std::string_view key, std::string_view what);
Result<std::vector<std::string>> json_optional_strings(const Json& obj, std::string_view key,
                                                       std::string_view what);
Result<std::map<std::string, std::string>> json_optional_string_map(const Json& obj,
                                                                    std::string_view key,
                                                                    std::string_view what);

}  // namespace ignite
