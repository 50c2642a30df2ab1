// Base64 (RFC 4648, standard alphabet, padded): HTTP Basic credentials, the "auth" entries of
// ~/.docker/config.json, and the payload and signatures of DSSE envelopes (builder/attest/).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ignite {

std::string base64_encode(std::string_view bytes);

// nullopt when `text` is not canonical padded standard base64. The caller writes the error: the
// text may be a secret and must not be quoted in it.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace ignite
