// Keys for signing and checking attestations (docs/attestations.md): Ed25519 or ECDSA P-256,
// read from PEM files as `openssl genpkey` writes them, held as OpenSSL EVP_PKEYs.
//
//   openssl genpkey -algorithm ed25519 -out key.pem            (Ed25519)
//   openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out key.pem
//   openssl pkey -in key.pem -pubout -out key.pub.pem          (what an auditor is given)
//
// A key's id is "sha256:" + hex(sha256(DER SubjectPublicKeyInfo)): the same for the private key
// and its public half, so a signature names the key that checks it without trusting the name.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "builder/util/status.h"

typedef struct evp_pkey_st EVP_PKEY;

namespace ignite::attest {

enum class KeyAlgorithm { kEd25519, kEcdsaP256 };

std::string_view key_algorithm_name(KeyAlgorithm algorithm);  // "Ed25519", "ECDSA P-256"

// A private key. Copies share the one EVP_PKEY (it is immutable once read).
class SigningKey {
 public:
  // `origin` names the key in errors ("signing key /etc/ignite/key.pem"). INVALID_ARGUMENT
  // "<origin>: …" when the text is no PEM private key, is encrypted, or is another algorithm
  // (naming it: "RSA 2048 bits; use Ed25519 or ECDSA P-256"). The PEM text is never quoted.
  static Result<SigningKey> from_pem(std::string_view pem, std::string_view origin);
  // NOT_FOUND / PERMISSION_DENIED naming the path when it cannot be read; then from_pem.
  static Result<SigningKey> load_pem_file(const std::string& path);

  KeyAlgorithm algorithm() const { return algorithm_; }
  const std::string& key_id() const { return key_id_; }
  std::string public_key_pem() const;  // "-----BEGIN PUBLIC KEY-----…", SubjectPublicKeyInfo

  // The raw signature of `message`: Ed25519 (64 bytes, PureEdDSA over the message), or ECDSA
  // P-256 over SHA-256(message), DER-encoded (as `openssl dgst -sha256 -sign` writes it).
  Result<std::string> sign(std::string_view message) const;

 private:
  SigningKey(std::shared_ptr<EVP_PKEY> key, KeyAlgorithm algorithm, std::string key_id)
      : key_(std::move(key)), algorithm_(algorithm), key_id_(std::move(key_id)) {}
  std::shared_ptr<EVP_PKEY> key_;
  KeyAlgorithm algorithm_;
  std::string key_id_;
};

// A public key (an auditor's --key). A private key's PEM is accepted too (its public half).
class VerifyingKey {
 public:
  static Result<VerifyingKey> from_pem(std::string_view pem, std::string_view origin);
  static Result<VerifyingKey> load_pem_file(const std::string& path);

  KeyAlgorithm algorithm() const { return algorithm_; }
  const std::string& key_id() const { return key_id_; }

  // OK when `signature` is this key's over `message`; PERMISSION_DENIED "signature does not
  // verify with key <key id>" when not (a malformed signature is the same answer).
  Status verify(std::string_view message, std::string_view signature) const;

 private:
  VerifyingKey(std::shared_ptr<EVP_PKEY> key, KeyAlgorithm algorithm, std::string key_id)
      : key_(std::move(key)), algorithm_(algorithm), key_id_(std::move(key_id)) {}
  std::shared_ptr<EVP_PKEY> key_;
  KeyAlgorithm algorithm_;
  std::string key_id_;
};

}  // namespace ignite::attest
