#include "src/auth/public_key.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

#include <nlohmann/json.hpp>
#include <optional>

#include "builder/util/file_io.h"
#include "builder/util/quote.h"
#include "src/auth/base64url.h"

namespace ignite::auth {
namespace {

using json = nlohmann::json;

// OpenSSL objects freed however a function returns.
template <typename T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using BioPtr = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;
using BnPtr = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX, EVP_MD_CTX_free>>;
using ParamBldPtr = std::unique_ptr<OSSL_PARAM_BLD, Deleter<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>>;
using ParamPtr = std::unique_ptr<OSSL_PARAM, Deleter<OSSL_PARAM, OSSL_PARAM_free>>;
using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, Deleter<ECDSA_SIG, ECDSA_SIG_free>>;

constexpr int kMinRsaBits = 2048;
constexpr std::size_t kP256Bytes = 32;

BnPtr bignum(std::string_view bytes) {
  return BnPtr(BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()),
                         static_cast<int>(bytes.size()), nullptr));
}

// A public key made by EVP_PKEY_fromdata from `params` ("RSA" or "EC"); nullptr if refused.
EVP_PKEY* key_from_params(const char* name, OSSL_PARAM* params) {
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, name, nullptr));
  EVP_PKEY* key = nullptr;
  if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, params) != 1) {
    ERR_clear_error();
    return nullptr;
  }
  return key;
}

// ECDSA's DER signature from JWS's R || S.
std::optional<std::string> der_signature(std::string_view raw) {
  if (raw.size() != 2 * kP256Bytes) return std::nullopt;
  EcdsaSigPtr sig(ECDSA_SIG_new());
  BnPtr r = bignum(raw.substr(0, kP256Bytes));
  BnPtr s = bignum(raw.substr(kP256Bytes));
  if (!sig || !r || !s || ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1) return std::nullopt;
  r.release();  // owned by sig now
  s.release();
  const int size = i2d_ECDSA_SIG(sig.get(), nullptr);
  if (size <= 0) return std::nullopt;
  std::string der(static_cast<std::size_t>(size), '\0');
  auto* out = reinterpret_cast<unsigned char*>(der.data());
  if (i2d_ECDSA_SIG(sig.get(), &out) != size) return std::nullopt;
  return der;
}

std::optional<std::string> string_member(const json& object, const char* name) {
  auto it = object.find(name);
  if (it == object.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

// A member holding base64url bytes; `what` names the key in errors.
Result<std::string> bytes_member(const json& object, const char* name, const std::string& what) {
  auto text = string_member(object, name);
  if (!text) return invalid_argument(what + ": \"" + name + "\" is missing or not a string");
  auto bytes = base64url_decode(*text);
  if (!bytes || bytes->empty()) {
    return invalid_argument(what + ": \"" + name + "\" is not unpadded base64url");
  }
  return *bytes;
}

Result<PublicKey> jwk_key(const json& jwk, const std::string& what) {
  if (!jwk.is_object()) return invalid_argument(what + " is not a JSON object");
  const std::string kid = string_member(jwk, "kid").value_or("");
  const std::string kty = string_member(jwk, "kty").value_or("");
  const std::optional<std::string> alg = string_member(jwk, "alg");
  if (kty == "RSA") {
    if (alg && *alg != "RS256") {
      return invalid_argument(what + ": alg " + quote_text(*alg) + " is not accepted (RS256)");
    }
    IGNITE_ASSIGN_OR_RETURN(std::string n, bytes_member(jwk, "n", what));
    IGNITE_ASSIGN_OR_RETURN(std::string e, bytes_member(jwk, "e", what));
    auto key = PublicKey::from_rsa(n, e, kid);
    if (!key.ok()) return key.status().with_context(what);
    return key;
  }
  if (kty == "EC") {
    if (alg && *alg != "ES256") {
      return invalid_argument(what + ": alg " + quote_text(*alg) + " is not accepted (ES256)");
    }
    const std::string crv = string_member(jwk, "crv").value_or("");
    if (crv != "P-256") {
      return invalid_argument(what + ": curve " + quote_text(crv) + " is not accepted (P-256)");
    }
    IGNITE_ASSIGN_OR_RETURN(std::string x, bytes_member(jwk, "x", what));
    IGNITE_ASSIGN_OR_RETURN(std::string y, bytes_member(jwk, "y", what));
    auto key = PublicKey::from_ec_p256(x, y, kid);
    if (!key.ok()) return key.status().with_context(what);
    return key;
  }
  return invalid_argument(what + ": kty " + quote_text(kty) +
                          " is not accepted (RSA for RS256, EC for ES256)");
}

}  // namespace

std::string_view algorithm_of(KeyType type) { return type == KeyType::kRsa ? "RS256" : "ES256"; }

Result<PublicKey> PublicKey::checked(EVP_PKEY* raw, std::string kid, std::string_view what) {
  PkeyPtr key(raw);
  const std::string name(what);
  switch (EVP_PKEY_get_base_id(key.get())) {
    case EVP_PKEY_RSA: {
      const int bits = EVP_PKEY_get_bits(key.get());
      if (bits < kMinRsaBits) {
        return invalid_argument(name + " is an RSA key of " + std::to_string(bits) +
                                " bits; RS256 keys here have at least 2048");
      }
      return PublicKey(std::shared_ptr<EVP_PKEY>(key.release(), EVP_PKEY_free), KeyType::kRsa,
                       std::move(kid));
    }
    case EVP_PKEY_EC: {
      char group[64] = {};
      std::size_t length = 0;
      if (EVP_PKEY_get_group_name(key.get(), group, sizeof group, &length) != 1 ||
          std::string_view(group, length) != SN_X9_62_prime256v1) {
        ERR_clear_error();
        return invalid_argument(name + " is an EC key on curve " +
                                quote_text(std::string_view(group, length)) +
                                "; ES256 keys are on P-256 (prime256v1)");
      }
      return PublicKey(std::shared_ptr<EVP_PKEY>(key.release(), EVP_PKEY_free), KeyType::kEc,
                       std::move(kid));
    }
    default:
      return invalid_argument(name + " is neither an RSA nor an EC key (RS256, ES256)");
  }
}

Result<PublicKey> PublicKey::from_pem(std::string_view pem, std::string kid,
                                      std::string_view what) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  EVP_PKEY* key = bio ? PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr) : nullptr;
  if (key == nullptr) {
    ERR_clear_error();
    return invalid_argument(std::string(what) +
                            " holds no PEM public key (-----BEGIN PUBLIC KEY-----; from a "
                            "private key: openssl pkey -in KEY -pubout)");
  }
  return checked(key, std::move(kid), what);
}

Result<PublicKey> PublicKey::from_rsa(std::string_view n, std::string_view e, std::string kid) {
  ParamBldPtr build(OSSL_PARAM_BLD_new());
  BnPtr bn_n = bignum(n), bn_e = bignum(e);
  ParamPtr params;
  if (build && bn_n && bn_e &&
      OSSL_PARAM_BLD_push_BN(build.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get()) &&
      OSSL_PARAM_BLD_push_BN(build.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get())) {
    params.reset(OSSL_PARAM_BLD_to_param(build.get()));
  }
  EVP_PKEY* key = params ? key_from_params("RSA", params.get()) : nullptr;
  if (key == nullptr) return invalid_argument("n and e are not an RSA public key");
  return checked(key, std::move(kid), "the key");
}

Result<PublicKey> PublicKey::from_ec_p256(std::string_view x, std::string_view y, std::string kid) {
  if (x.size() != kP256Bytes || y.size() != kP256Bytes) {
    return invalid_argument("x and y of a P-256 key are 32 bytes each");
  }
  // The uncompressed point: 0x04 || x || y. OpenSSL refuses a point that is not on the curve.
  std::string point = "\x04" + std::string(x) + std::string(y);
  char group[] = SN_X9_62_prime256v1;
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group, 0),
      OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()),
      OSSL_PARAM_construct_end()};
  EVP_PKEY* key = key_from_params("EC", params);
  if (key == nullptr) return invalid_argument("x and y are not a point on P-256");
  return checked(key, std::move(kid), "the key");
}

bool PublicKey::verifies(std::string_view input, std::string_view signature) const {
  std::string der;
  if (type_ == KeyType::kEc) {
    auto converted = der_signature(signature);
    if (!converted) return false;
    der = std::move(*converted);
    signature = der;
  }
  MdCtxPtr md(EVP_MD_CTX_new());
  const bool good =
      md && EVP_DigestVerifyInit(md.get(), nullptr, EVP_sha256(), nullptr, key_.get()) == 1 &&
      EVP_DigestVerify(md.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                       signature.size(), reinterpret_cast<const unsigned char*>(input.data()),
                       input.size()) == 1;
  ERR_clear_error();  // a refused signature leaves errors on this thread's queue
  return good;
}

Result<PublicKey> read_pem_key_file(const std::string& path) {
  IGNITE_ASSIGN_OR_RETURN(std::string pem, read_file(path));
  std::string kid = path.substr(path.rfind('/') + 1);
  if (kid.size() > 4 && kid.ends_with(".pem")) kid.resize(kid.size() - 4);
  return PublicKey::from_pem(pem, std::move(kid), "key file " + path);
}

Result<std::vector<PublicKey>> parse_jwks(std::string_view text) {
  const json doc = json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return invalid_argument("not a JSON object");
  auto keys = doc.find("keys");
  if (keys == doc.end() || !keys->is_array()) {
    return invalid_argument("no \"keys\" array ({\"keys\": [{\"kty\": ...}]})");
  }
  std::vector<PublicKey> out;
  for (std::size_t i = 0; i < keys->size(); ++i) {
    const json& jwk = (*keys)[i];
    if (jwk.is_object() && string_member(jwk, "use") == "enc") continue;  // not for signatures
    std::string what = "key " + std::to_string(i);
    if (jwk.is_object()) {
      if (auto kid = string_member(jwk, "kid")) what += " (kid " + quote_text(*kid) + ")";
    }
    IGNITE_ASSIGN_OR_RETURN(PublicKey key, jwk_key(jwk, what));
    out.push_back(std::move(key));
  }
  if (out.empty()) return invalid_argument("no signing key in \"keys\"");
  return out;
}

Result<std::vector<PublicKey>> read_jwks_file(const std::string& path) {
  IGNITE_ASSIGN_OR_RETURN(std::string text, read_file(path));
  auto keys = parse_jwks(text);
  if (!keys.ok()) return keys.status().with_context("JWKS file " + path);
  return keys;
}

}  // namespace ignite::auth
