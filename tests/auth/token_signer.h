// Keys and tokens that tests make themselves with OpenSSL: RSA 2048 and EC P-256 key pairs made
// in-process, their public halves as PEM and as JWKs, and JWTs signed RS256, ES256 or HS256.
#pragma once

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

typedef struct evp_pkey_st EVP_PKEY;

namespace ignite::testing {

// How an ES256 signature is written: as JWS writes it (R || S), or as OpenSSL's DER, which a
// verifier must refuse.
enum class EcSignature { kJws, kDer };

class TestKey {
 public:
  static TestKey rsa(int bits = 2048);
  static TestKey ec_p256();

  std::string public_pem() const;
  // The public key as a JWK ("kty", "n"/"e" or "crv"/"x"/"y"), with "kid" when given.
  nlohmann::json jwk(const std::string& kid = "") const;
  // The signature of `input`: RS256 for RSA, ES256 in the `form` asked for EC.
  std::string sign(const std::string& input, EcSignature form = EcSignature::kJws) const;

 private:
  explicit TestKey(EVP_PKEY* key);
  std::shared_ptr<EVP_PKEY> key_;
};

// base64url(header) "." base64url(payload) "." base64url(signature by `key`).
std::string signed_token(const nlohmann::json& header, const nlohmann::json& payload,
                         const TestKey& key);
// The same with an HMAC-SHA256 signature under `secret` (header as given, e.g. alg HS256).
std::string hmac_token(const nlohmann::json& header, const nlohmann::json& payload,
                       const std::string& secret);
// base64url(header) "." base64url(payload) "." — no signature (alg none).
std::string unsigned_token(const nlohmann::json& header, const nlohmann::json& payload);

}  // namespace ignite::testing
