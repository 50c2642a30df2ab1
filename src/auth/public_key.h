// The public keys a token's signature is checked against: RSA (RS256, at least 2048 bits) and
// EC on P-256 (ES256), read from PEM files (SubjectPublicKeyInfo, as `openssl pkey -pubout`
// writes it) or from a JWKS file (RFC 7517: "kty" RSA with "n"/"e", EC with "crv" P-256 and
// "x"/"y", each base64url). Each key may have a kid: a PEM file's name without its directory
// and ".pem", a JWK's "kid".
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "builder/util/status.h"

typedef struct evp_pkey_st EVP_PKEY;

namespace ignite::auth {

enum class KeyType { kRsa, kEc };  // the key of RS256, of ES256

// "RS256" or "ES256": the one algorithm a key of `type` signs with here.
std::string_view algorithm_of(KeyType type);

class PublicKey {
 public:
  // `pem` holds one "-----BEGIN PUBLIC KEY-----" block; `what` names it in errors.
  static Result<PublicKey> from_pem(std::string_view pem, std::string kid, std::string_view what);
  // RSA from its modulus and exponent, EC P-256 from its point; big-endian bytes.
  static Result<PublicKey> from_rsa(std::string_view n, std::string_view e, std::string kid);
  static Result<PublicKey> from_ec_p256(std::string_view x, std::string_view y, std::string kid);

  KeyType type() const { return type_; }
  const std::string& kid() const { return kid_; }  // "" when it has none

  // Whether `signature` is this key's signature of `input` with SHA-256: PKCS #1 v1.5 for RSA,
  // ECDSA for EC with the signature as JWS writes it (R || S, 32 bytes each, RFC 7518 §3.4).
  bool verifies(std::string_view input, std::string_view signature) const;

 private:
  PublicKey(std::shared_ptr<EVP_PKEY> key, KeyType type, std::string kid)
      : key_(std::move(key)), type_(type), kid_(std::move(kid)) {}
  static Result<PublicKey> checked(EVP_PKEY* key, std::string kid, std::string_view what);

  std::shared_ptr<EVP_PKEY> key_;  // shared: keys are copied into every verifier, never changed
  KeyType type_;
  std::string kid_;
};

// A PEM file's key, its kid the file's name without directory and ".pem".
Result<PublicKey> read_pem_key_file(const std::string& path);
// Every signing key of a JWKS document (keys with "use": "enc" are skipped; any other kty or
// curve is refused, so a key meant to be used is never silently ignored).
Result<std::vector<PublicKey>> parse_jwks(std::string_view text);
Result<std::vector<PublicKey>> read_jwks_file(const std::string& path);

}  // namespace ignite::auth
