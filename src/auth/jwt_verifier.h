// Verifies a bearer token: a JWT (RFC 7519) in JWS compact form (RFC 7515), signed RS256 or
// ES256 with one of the configured public keys, and turns it into the Caller it speaks for
// (docs/auth.md). What is checked, in order:
//   - three base64url parts, at most 16 KiB in all; header and payload JSON objects;
//   - header "alg" RS256 or ES256 ("none", HS256 and every other are refused), no "crit";
//   - the key: "kid" picks it when present (unknown kid: refused), else every key of the alg's
//     type is tried; a key of the other type is never used (no RS256/ES256 key confusion);
//   - the signature; only then the claims:
//   - "exp" required, "nbf" and "iat" when present, each with the leeway;
//   - "aud" (a string or an array of them) holds the configured audience;
//   - the org claim ("org" unless configured) is a valid org name (builder/store/app_id.h).
// Every refusal is UNAUTHENTICATED with what was wrong; no message quotes the token.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "builder/util/status.h"
#include "src/auth/caller.h"
#include "src/auth/public_key.h"

namespace ignite::auth {

inline constexpr std::size_t kMaxTokenBytes = 16 * 1024;

struct VerifierOptions {
  std::vector<PublicKey> keys{};
  std::string audience{};  // required
  std::string org_claim = "org";
  // How far a clock may be off: exp and nbf are judged this much in the token's favour.
  std::chrono::seconds leeway{60};
  // Seconds since the Unix epoch; the system clock unless a test sets it.
  std::function<std::int64_t()> now{};
};

class JwtVerifier {
 public:
  // INVALID_ARGUMENT for a configuration that could verify nothing: no key, no audience, two
  // keys with one kid, an org claim name that is empty.
  static Result<JwtVerifier> create(VerifierOptions options);

  Result<Caller> verify(std::string_view token) const;

 private:
  explicit JwtVerifier(VerifierOptions options) : options_(std::move(options)) {}
  std::int64_t now() const;

  VerifierOptions options_;
};

}  // namespace ignite::auth
