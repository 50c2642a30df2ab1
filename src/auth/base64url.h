// base64url without padding (RFC 4648 §5, RFC 7515 §2): the encoding of a JWS's three parts and
// of a JWK's numbers.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ignite::auth {

std::string base64url_encode(std::string_view bytes);

// nullopt unless `text` is canonical unpadded base64url: only [A-Za-z0-9_-], no '=', a length
// that is not 1 mod 4, and zero bits after the last byte. Strict so that one token has one
// spelling. The caller writes the error: the text may be part of a token and is not quoted.
std::optional<std::string> base64url_decode(std::string_view text);

}  // namespace ignite::auth
