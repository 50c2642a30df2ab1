// Keys for the attestation tests, generated in-process (EVP_PKEY_Q_keygen) and written as PEM
// the way `openssl genpkey` and `openssl pkey -pubout` write them: nothing on disk, so the
// library tests need no tool.
#pragma once

#include <string>
#include <string_view>

namespace ignite::testing {

enum class TestKeyType { kEd25519, kP256, kP384, kRsa2048, kEd448 };

struct TestKey {
  std::string private_pem;  // PKCS #8, "-----BEGIN PRIVATE KEY-----"
  std::string public_pem;   // SubjectPublicKeyInfo, "-----BEGIN PUBLIC KEY-----"
};

// A new key of `type`; fails the test (and returns empty text) when OpenSSL cannot make one.
TestKey make_test_key(TestKeyType type);

// `private_pem` encrypted with `passphrase` (PKCS #8, AES-256-CBC), as
// `openssl pkey -aes-256-cbc` writes it.
std::string encrypted_pem(const std::string& private_pem, std::string_view passphrase);

}  // namespace ignite::testing
