#include "tests/auth/token_signer.h"

#include <gtest/gtest.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>

#include "src/auth/base64url.h"

namespace ignite::testing {
namespace {

std::string bn_bytes(const BIGNUM* bn, int width) {
  std::string out(static_cast<std::size_t>(width > 0 ? width : BN_num_bytes(bn)), '\0');
  BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(out.size()));
  return out;
}

std::string bn_param(EVP_PKEY* key, const char* name, int width) {
  BIGNUM* bn = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &bn) != 1) {
    ADD_FAILURE() << "no key parameter " << name;
    return "";
  }
  std::string out = bn_bytes(bn, width);
  BN_free(bn);
  return out;
}

std::string signing_input(const nlohmann::json& header, const nlohmann::json& payload) {
  return auth::base64url_encode(header.dump()) + "." + auth::base64url_encode(payload.dump());
}

}  // namespace

TestKey::TestKey(EVP_PKEY* key) : key_(key, EVP_PKEY_free) {
  if (key == nullptr) ADD_FAILURE() << "key generation failed";
}

TestKey TestKey::rsa(int bits) {
  return TestKey(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(bits)));
}

TestKey TestKey::ec_p256() { return TestKey(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256")); }

std::string TestKey::public_pem() const {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(bio, key_.get());
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<std::size_t>(size));
  BIO_free(bio);
  return pem;
}

nlohmann::json TestKey::jwk(const std::string& kid) const {
  nlohmann::json out;
  if (EVP_PKEY_get_base_id(key_.get()) == EVP_PKEY_RSA) {
    out = {{"kty", "RSA"},
           {"n", auth::base64url_encode(bn_param(key_.get(), OSSL_PKEY_PARAM_RSA_N, 0))},
           {"e", auth::base64url_encode(bn_param(key_.get(), OSSL_PKEY_PARAM_RSA_E, 0))}};
  } else {
    out = {{"kty", "EC"},
           {"crv", "P-256"},
           {"x", auth::base64url_encode(bn_param(key_.get(), OSSL_PKEY_PARAM_EC_PUB_X, 32))},
           {"y", auth::base64url_encode(bn_param(key_.get(), OSSL_PKEY_PARAM_EC_PUB_Y, 32))}};
  }
  if (!kid.empty()) out["kid"] = kid;
  return out;
}

std::string TestKey::sign(const std::string& input, EcSignature form) const {
  EVP_MD_CTX* md = EVP_MD_CTX_new();
  std::size_t size = 0;
  std::string sig;
  if (EVP_DigestSignInit(md, nullptr, EVP_sha256(), nullptr, key_.get()) == 1 &&
      EVP_DigestSign(md, nullptr, &size, reinterpret_cast<const unsigned char*>(input.data()),
                     input.size()) == 1) {
    sig.resize(size);
    if (EVP_DigestSign(md, reinterpret_cast<unsigned char*>(sig.data()), &size,
                       reinterpret_cast<const unsigned char*>(input.data()), input.size()) != 1) {
      ADD_FAILURE() << "signing failed";
    }
    sig.resize(size);
  } else {
    ADD_FAILURE() << "signing failed";
  }
  EVP_MD_CTX_free(md);
  if (EVP_PKEY_get_base_id(key_.get()) != EVP_PKEY_EC || form == EcSignature::kDer) return sig;
  // ECDSA's DER to JWS's R || S.
  const auto* p = reinterpret_cast<const unsigned char*>(sig.data());
  ECDSA_SIG* ecdsa = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(sig.size()));
  std::string raw = bn_bytes(ECDSA_SIG_get0_r(ecdsa), 32) + bn_bytes(ECDSA_SIG_get0_s(ecdsa), 32);
  ECDSA_SIG_free(ecdsa);
  return raw;
}

std::string signed_token(const nlohmann::json& header, const nlohmann::json& payload,
                         const TestKey& key) {
  const std::string input = signing_input(header, payload);
  return input + "." + auth::base64url_encode(key.sign(input));
}

std::string hmac_token(const nlohmann::json& header, const nlohmann::json& payload,
                       const std::string& secret) {
  const std::string input = signing_input(header, payload);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &size);
  return input + "." + auth::base64url_encode(std::string(reinterpret_cast<char*>(mac), size));
}

std::string unsigned_token(const nlohmann::json& header, const nlohmann::json& payload) {
  return signing_input(header, payload) + ".";
}

}  // namespace ignite::testing
