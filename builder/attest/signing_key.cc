#include "builder/attest/signing_key.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "builder/attest/openssl_ptr.h"
#include "builder/util/file_io.h"
#include "builder/util/sha256.h"

namespace ignite::attest {
namespace {

// A key file is a few hundred bytes; anything far larger is not one (and is not read whole
// into OpenSSL's decoders).
constexpr std::size_t kMaxPemBytes = 64 << 10;

constexpr const char* kUseInstead = "; use Ed25519 or ECDSA P-256";

// The password callback: never prompts (OpenSSL's default would read the terminal), only
// notes that a passphrase was wanted, so the error can say the key is encrypted.
int refuse_passphrase(char*, int, int, void* asked) {
  *static_cast<bool*>(asked) = true;
  return -1;
}

bool looks_encrypted(std::string_view pem) {
  return pem.find("-----BEGIN ENCRYPTED PRIVATE KEY-----") != std::string_view::npos ||
         pem.find("Proc-Type: 4,ENCRYPTED") != std::string_view::npos;
}

BioPtr memory_bio(std::string_view pem) {
  return BioPtr(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
}

Status too_large(std::string_view pem, std::string_view origin) {
  return invalid_argument(std::string(origin) + ": " + std::to_string(pem.size()) +
                          " bytes is no PEM key file (at most " + std::to_string(kMaxPemBytes) +
                          ")");
}

Status encrypted(std::string_view origin) {
  return invalid_argument(std::string(origin) +
                          ": the private key is encrypted, and no passphrase is ever asked for; "
                          "write it unencrypted (openssl pkey -in KEY -out PLAIN.pem) and let "
                          "only the builder read the file");
}

// The private key in `pem`; nullptr with `asked` set when it wanted a passphrase.
PkeyPtr read_private_key(std::string_view pem, bool& asked) {
  BioPtr bio = memory_bio(pem);
  PkeyPtr key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, refuse_passphrase, &asked)
                  : nullptr);
  ERR_clear_error();
  return key;
}

// Which of the two algorithms `key` is; INVALID_ARGUMENT naming any other.
Result<KeyAlgorithm> algorithm_of(EVP_PKEY* key, std::string_view origin) {
  const std::string where(origin);
  switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_ED25519:
      return KeyAlgorithm::kEd25519;
    case EVP_PKEY_EC: {
      char group[64] = {};
      std::size_t length = 0;
      if (EVP_PKEY_get_group_name(key, group, sizeof group, &length) == 1 &&
          std::string_view(group, length) == SN_X9_62_prime256v1) {
        return KeyAlgorithm::kEcdsaP256;
      }
      ERR_clear_error();
      const std::string curve = length > 0 ? std::string(group, length) : "(unnamed)";
      return invalid_argument(where + ": EC key on curve " + curve + kUseInstead);
    }
    case EVP_PKEY_RSA:
    case EVP_PKEY_RSA_PSS:
      return invalid_argument(where + ": RSA " + std::to_string(EVP_PKEY_get_bits(key)) + " bits" +
                              kUseInstead);
    case EVP_PKEY_ED448:
      return invalid_argument(where + ": Ed448" + kUseInstead);
    default: {
      const char* name = EVP_PKEY_get0_type_name(key);
      return invalid_argument(where + ": a " + (name != nullptr ? name : "key of another type") +
                              " key" + kUseInstead);
    }
  }
}

// The DER SubjectPublicKeyInfo of `key` (its public half).
Result<std::string> public_key_der(EVP_PKEY* key) {
  unsigned char* der = nullptr;
  const int size = i2d_PUBKEY(key, &der);
  if (size <= 0) {
    return internal_error("encoding the public key: " + take_openssl_errors());
  }
  std::string out(reinterpret_cast<const char*>(der), static_cast<std::size_t>(size));
  OPENSSL_free(der);
  return out;
}

// A key of one of the two algorithms, shared from here on, and its id.
struct CheckedKey {
  std::shared_ptr<EVP_PKEY> key;
  KeyAlgorithm algorithm;
  std::string key_id;
};

Result<CheckedKey> check_key(PkeyPtr key, std::string_view origin) {
  IGNITE_ASSIGN_OR_RETURN(KeyAlgorithm algorithm, algorithm_of(key.get(), origin));
  IGNITE_ASSIGN_OR_RETURN(std::string der, public_key_der(key.get()));
  return CheckedKey{std::shared_ptr<EVP_PKEY>(key.release(), EVP_PKEY_free), algorithm,
                    "sha256:" + sha256_hex(der)};
}

// Ed25519 signs the message itself (PureEdDSA: no digest); ECDSA signs its SHA-256.
const EVP_MD* digest_for(KeyAlgorithm algorithm) {
  return algorithm == KeyAlgorithm::kEd25519 ? nullptr : EVP_sha256();
}

// The public half of `key` alone, so a verifier never holds a private key it was handed.
Result<PkeyPtr> public_half(EVP_PKEY* key) {
  IGNITE_ASSIGN_OR_RETURN(std::string der, public_key_der(key));
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  PkeyPtr pub(d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size())));
  if (!pub) return internal_error("decoding the public key: " + take_openssl_errors());
  return pub;
}

Result<std::string> load_text(const std::string& path, std::string_view what) {
  auto text = read_file(path);
  if (!text.ok()) return text.status().with_context(what);
  return text;
}

}  // namespace

std::string_view key_algorithm_name(KeyAlgorithm algorithm) {
  return algorithm == KeyAlgorithm::kEd25519 ? "Ed25519" : "ECDSA P-256";
}

Result<SigningKey> SigningKey::from_pem(std::string_view pem, std::string_view origin) {
  if (pem.size() > kMaxPemBytes) return too_large(pem, origin);
  bool asked = false;
  PkeyPtr key = read_private_key(pem, asked);
  if (!key) {
    if (asked || looks_encrypted(pem)) return encrypted(origin);
    if (pem.find("-----BEGIN PUBLIC KEY-----") != std::string_view::npos) {
      return invalid_argument(std::string(origin) +
                              ": holds a public key; signing takes the private key");
    }
    return invalid_argument(std::string(origin) +
                            ": holds no PEM private key (-----BEGIN PRIVATE KEY-----, as "
                            "openssl genpkey writes it)");
  }
  IGNITE_ASSIGN_OR_RETURN(CheckedKey checked, check_key(std::move(key), origin));
  return SigningKey(std::move(checked.key), checked.algorithm, std::move(checked.key_id));
}

Result<SigningKey> SigningKey::load_pem_file(const std::string& path) {
  IGNITE_ASSIGN_OR_RETURN(std::string pem, load_text(path, "reading the signing key"));
  return from_pem(pem, "signing key " + path);
}

std::string SigningKey::public_key_pem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), key_.get()) != 1) {
    // Only on memory exhaustion; the caller gets no key rather than a wrong one.
    ERR_clear_error();
    return "";
  }
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(size));
}

Result<std::string> SigningKey::sign(std::string_view message) const {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  const EVP_MD* md = digest_for(algorithm_);
  const auto* data = reinterpret_cast<const unsigned char*>(message.data());
  std::size_t size = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, md, nullptr, key_.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &size, data, message.size()) != 1) {
    return internal_error("signing with key " + key_id_ + ": " + take_openssl_errors());
  }
  std::string signature(size, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &size, data,
                     message.size()) != 1) {
    return internal_error("signing with key " + key_id_ + ": " + take_openssl_errors());
  }
  signature.resize(size);  // an ECDSA signature's DER is shorter than its bound
  return signature;
}

Result<VerifyingKey> VerifyingKey::from_pem(std::string_view pem, std::string_view origin) {
  if (pem.size() > kMaxPemBytes) return too_large(pem, origin);
  BioPtr bio = memory_bio(pem);
  PkeyPtr key(bio ? PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  ERR_clear_error();
  if (!key) {
    bool asked = false;
    PkeyPtr private_key = read_private_key(pem, asked);
    if (!private_key) {
      if (asked || looks_encrypted(pem)) return encrypted(origin);
      return invalid_argument(std::string(origin) +
                              ": holds no PEM public key (-----BEGIN PUBLIC KEY-----, as "
                              "openssl pkey -in KEY -pubout writes it) nor a private key");
    }
    IGNITE_ASSIGN_OR_RETURN(key, public_half(private_key.get()));
  }
  IGNITE_ASSIGN_OR_RETURN(CheckedKey checked, check_key(std::move(key), origin));
  return VerifyingKey(std::move(checked.key), checked.algorithm, std::move(checked.key_id));
}

Result<VerifyingKey> VerifyingKey::load_pem_file(const std::string& path) {
  IGNITE_ASSIGN_OR_RETURN(std::string pem, load_text(path, "reading the verifying key"));
  return from_pem(pem, "verifying key " + path);
}

Status VerifyingKey::verify(std::string_view message, std::string_view signature) const {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  const EVP_MD* md = digest_for(algorithm_);
  const bool ok =
      ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, md, nullptr, key_.get()) == 1 &&
      EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                       signature.size(), reinterpret_cast<const unsigned char*>(message.data()),
                       message.size()) == 1;
  ERR_clear_error();  // a malformed signature leaves decoding errors behind
  if (!ok) return permission_denied("signature does not verify with key " + key_id_);
  return ok_status();
}

}  // namespace ignite::attest
