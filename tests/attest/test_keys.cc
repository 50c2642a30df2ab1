#include "tests/attest/test_keys.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <memory>

namespace ignite::testing {
namespace {

struct Free {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(BIO* p) const { BIO_free_all(p); }
};
using Pkey = std::unique_ptr<EVP_PKEY, Free>;
using Bio = std::unique_ptr<BIO, Free>;

Pkey generate(TestKeyType type) {
  switch (type) {
    case TestKeyType::kEd25519:
      return Pkey(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
    case TestKeyType::kEd448:
      return Pkey(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED448"));
    case TestKeyType::kP256:
      return Pkey(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
    case TestKeyType::kP384:
      return Pkey(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384"));
    case TestKeyType::kRsa2048:
      return Pkey(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<std::size_t>(2048)));
  }
  return nullptr;
}

std::string text_of(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(size));
}

std::string pem_of(EVP_PKEY* key, bool public_half) {
  Bio bio(BIO_new(BIO_s_mem()));
  const int ok =
      public_half ? PEM_write_bio_PUBKEY(bio.get(), key)
                  : PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
  EXPECT_EQ(ok, 1);
  return text_of(bio.get());
}

}  // namespace

TestKey make_test_key(TestKeyType type) {
  Pkey key = generate(type);
  EXPECT_NE(key, nullptr) << "OpenSSL made no key of type " << static_cast<int>(type);
  if (!key) return {};
  return {pem_of(key.get(), false), pem_of(key.get(), true)};
}

std::string encrypted_pem(const std::string& private_pem, std::string_view passphrase) {
  Bio in(BIO_new_mem_buf(private_pem.data(), static_cast<int>(private_pem.size())));
  Pkey key(PEM_read_bio_PrivateKey(in.get(), nullptr, nullptr, nullptr));
  EXPECT_NE(key, nullptr);
  if (!key) return {};
  Bio out(BIO_new(BIO_s_mem()));
  std::string pass(passphrase);
  EXPECT_EQ(PEM_write_bio_PKCS8PrivateKey(out.get(), key.get(), EVP_aes_256_cbc(), pass.data(),
                                          static_cast<int>(pass.size()), nullptr, nullptr),
            1);
  return text_of(out.get());
}

}  // namespace ignite::testing
