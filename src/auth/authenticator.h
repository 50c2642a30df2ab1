// Who calls, from the credentials a call carries, the same way for gRPC and HTTP. With a
// verifier every call needs "Authorization: Bearer <JWT>" (gRPC metadata "authorization"); in
// development mode (no verifier) nothing is checked and every call sees every org, which serve
// allows only on loopback addresses (is_loopback_listen).
#pragma once

#include <optional>
#include <string_view>

#include "builder/util/status.h"
#include "src/auth/caller.h"
#include "src/auth/jwt_verifier.h"

namespace ignite::auth {

class Authenticator {
 public:
  static Authenticator development() { return Authenticator(std::nullopt); }
  static Authenticator with_tokens(JwtVerifier verifier) {
    return Authenticator(std::move(verifier));
  }

  bool checks_tokens() const { return verifier_.has_value(); }

  // `authorization` is the header's value, nullopt when the call has none. UNAUTHENTICATED
  // when tokens are checked and it is missing, not "Bearer <token>", or its token is refused.
  Result<Caller> authenticate(std::optional<std::string_view> authorization) const;

 private:
  explicit Authenticator(std::optional<JwtVerifier> verifier) : verifier_(std::move(verifier)) {}
  std::optional<JwtVerifier> verifier_;
};

// Whether a listen address "HOST:PORT" is reachable only from this machine: HOST is localhost,
// in 127.0.0.0/8, or ::1 (bracketed or not).
bool is_loopback_listen(std::string_view address);

}  // namespace ignite::auth
