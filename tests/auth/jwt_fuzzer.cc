// fuzz_jwt: a bearer token is the first thing the service reads from whoever reaches it, so
// verifying any bytes never crashes (the key is P-256's generator point; the fuzzer is not
// expected to forge ECDSA, and a token would still need every claim right). JWKS text goes
// through the key reader too, and what base64url decodes encodes back to the same text.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "src/auth/base64url.h"
#include "src/auth/jwt_verifier.h"

namespace {

const ignite::auth::JwtVerifier& verifier() {
  static const ignite::auth::JwtVerifier v = [] {
    ignite::auth::VerifierOptions o;
    auto keys = ignite::auth::parse_jwks(
        R"({"keys": [{"kty": "EC", "crv": "P-256", "kid": "g",
                      "x": "axfR8uEsQkf4vOblY6RA8ncDfYEt6zOg9KE5RdiYwpY",
                      "y": "T-NC4v4af5uO5-tKfA-eFivOM1drMV7Oy7ZAaDe_UfU"}]})");
    if (!keys.ok()) __builtin_trap();
    o.keys = *keys;
    o.audience = "ignite-builder";
    o.now = [] { return std::int64_t{1'800'000'000}; };
    auto made = ignite::auth::JwtVerifier::create(o);
    if (!made.ok()) __builtin_trap();
    return *made;
  }();
  return v;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ignite::auth;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)verifier().verify(text);
  if (auto bytes = base64url_decode(text); bytes && base64url_encode(*bytes) != text) {
    __builtin_trap();
  }
  (void)parse_jwks(text);
  return 0;
}
