// Reading keys (what is accepted, what is refused and why), key ids, signing and verifying,
// with keys made in-process. tests/attest/openssl_interop_test.cc checks the same against the
// openssl command.
#include "builder/attest/signing_key.h"

#include <gtest/gtest.h>

#include "builder/util/sha256.h"
#include "tests/attest/test_keys.h"
#include "tests/testing/temp_dir.h"

namespace ignite::attest {
namespace {

using testing::make_test_key;
using testing::TestKeyType;

SigningKey signing_key(const std::string& pem) {
  auto key = SigningKey::from_pem(pem, "test key");
  EXPECT_TRUE(key.ok()) << key.status().to_string();
  return std::move(key).value();
}

VerifyingKey verifying_key(const std::string& pem) {
  auto key = VerifyingKey::from_pem(pem, "test key");
  EXPECT_TRUE(key.ok()) << key.status().to_string();
  return std::move(key).value();
}

// A line from the middle of a PEM's base64 body: an error message must never hold one.
std::string body_line(const std::string& pem) {
  const std::size_t first = pem.find('\n') + 1;
  return pem.substr(first, pem.find('\n', first) - first);
}

void expect_refused(const std::string& pem, const std::string& message) {
  for (const bool signing : {true, false}) {
    const Status status = signing ? SigningKey::from_pem(pem, "key k.pem").status()
                                  : VerifyingKey::from_pem(pem, "key k.pem").status();
    EXPECT_EQ(status.code(), Code::kInvalidArgument) << status.to_string();
    EXPECT_EQ(status.message(), message) << (signing ? "signing" : "verifying");
    if (pem.size() > 100) {
      EXPECT_EQ(status.message().find(body_line(pem)), std::string::npos) << status.message();
    }
  }
}

struct AlgorithmCase {
  TestKeyType type;
  KeyAlgorithm algorithm;
  const char* name;
};

class KeyAlgorithmTest : public ::testing::TestWithParam<AlgorithmCase> {};

TEST_P(KeyAlgorithmTest, ReadsBothHalvesWithOneKeyId) {
  const auto key = make_test_key(GetParam().type);
  const SigningKey signer = signing_key(key.private_pem);
  const VerifyingKey from_public = verifying_key(key.public_pem);
  const VerifyingKey from_private = verifying_key(key.private_pem);
  EXPECT_EQ(signer.algorithm(), GetParam().algorithm);
  EXPECT_EQ(from_public.algorithm(), GetParam().algorithm);
  EXPECT_EQ(key_algorithm_name(signer.algorithm()), GetParam().name);
  EXPECT_TRUE(signer.key_id().starts_with("sha256:")) << signer.key_id();
  EXPECT_TRUE(is_sha256_hex(signer.key_id().substr(7))) << signer.key_id();
  EXPECT_EQ(signer.key_id(), from_public.key_id());
  EXPECT_EQ(signer.key_id(), from_private.key_id());
  EXPECT_EQ(signer.public_key_pem(), key.public_pem);
}

TEST_P(KeyAlgorithmTest, SignaturesVerifyOnlyUnchangedAndWithTheirKey) {
  const auto key = make_test_key(GetParam().type);
  const SigningKey signer = signing_key(key.private_pem);
  const VerifyingKey verifier = verifying_key(key.public_pem);
  const std::string message = "DSSEv1 5 hello 5 world";
  auto signature = signer.sign(message);
  ASSERT_TRUE(signature.ok()) << signature.status().to_string();
  if (GetParam().algorithm == KeyAlgorithm::kEd25519) {
    EXPECT_EQ(signature->size(), 64u);
  }
  EXPECT_TRUE(verifier.verify(message, *signature).ok());

  const Status wrong_message = verifier.verify("DSSEv1 5 hello 5 worle", *signature);
  EXPECT_EQ(wrong_message.code(), Code::kPermissionDenied);
  EXPECT_EQ(wrong_message.message(), "signature does not verify with key " + verifier.key_id());
  for (std::size_t i : {std::size_t{0}, signature->size() / 2, signature->size() - 1}) {
    std::string flipped = *signature;
    flipped[i] = static_cast<char>(flipped[i] ^ 0x01);
    EXPECT_EQ(verifier.verify(message, flipped).code(), Code::kPermissionDenied) << i;
  }
  EXPECT_EQ(verifier.verify(message, "").code(), Code::kPermissionDenied);
  EXPECT_EQ(verifier.verify(message, signature->substr(1)).code(), Code::kPermissionDenied);

  const VerifyingKey other = verifying_key(make_test_key(GetParam().type).public_pem);
  EXPECT_NE(other.key_id(), verifier.key_id());
  EXPECT_EQ(other.verify(message, *signature).message(),
            "signature does not verify with key " + other.key_id());
}

INSTANTIATE_TEST_SUITE_P(
    Algorithms, KeyAlgorithmTest,
    ::testing::Values(AlgorithmCase{TestKeyType::kEd25519, KeyAlgorithm::kEd25519, "Ed25519"},
                      AlgorithmCase{TestKeyType::kP256, KeyAlgorithm::kEcdsaP256, "ECDSA P-256"}),
    [](const auto& p) { return p.param.type == TestKeyType::kEd25519 ? "Ed25519" : "P256"; });

TEST(SigningKeyTest, AKeyOfTheOtherAlgorithmDoesNotVerify) {
  const SigningKey ed = signing_key(make_test_key(TestKeyType::kEd25519).private_pem);
  const VerifyingKey p256 = verifying_key(make_test_key(TestKeyType::kP256).public_pem);
  auto signature = ed.sign("message");
  ASSERT_TRUE(signature.ok());
  EXPECT_EQ(p256.verify("message", *signature).code(), Code::kPermissionDenied);
}

TEST(SigningKeyTest, RefusesOtherAlgorithmsNamingThem) {
  expect_refused(make_test_key(TestKeyType::kRsa2048).private_pem,
                 "key k.pem: RSA 2048 bits; use Ed25519 or ECDSA P-256");
  expect_refused(make_test_key(TestKeyType::kP384).private_pem,
                 "key k.pem: EC key on curve secp384r1; use Ed25519 or ECDSA P-256");
  expect_refused(make_test_key(TestKeyType::kEd448).private_pem,
                 "key k.pem: Ed448; use Ed25519 or ECDSA P-256");
  // The public halves too: an auditor's --key is checked the same way.
  const Status rsa_public =
      VerifyingKey::from_pem(make_test_key(TestKeyType::kRsa2048).public_pem, "key k.pem").status();
  EXPECT_EQ(rsa_public.message(), "key k.pem: RSA 2048 bits; use Ed25519 or ECDSA P-256");
}

TEST(SigningKeyTest, RefusesEncryptedKeysWithoutAskingForAPassphrase) {
  const std::string pem =
      testing::encrypted_pem(make_test_key(TestKeyType::kEd25519).private_pem, "s3cret");
  ASSERT_NE(pem.find("ENCRYPTED PRIVATE KEY"), std::string::npos);
  expect_refused(pem,
                 "key k.pem: the private key is encrypted, and no passphrase is ever asked for; "
                 "write it unencrypted (openssl pkey -in KEY -out PLAIN.pem) and let only the "
                 "builder read the file");
}

TEST(SigningKeyTest, RefusesTextThatHoldsNoKey) {
  const std::string garbage =
      "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5IGF0IGFsbCwganVzdCBzb21lIHRleHQgaW4gYmFzZTY0\n"
      "-----END PRIVATE KEY-----\n";
  for (const std::string& pem : {garbage, std::string(), std::string("hello\n")}) {
    EXPECT_EQ(SigningKey::from_pem(pem, "key k.pem").status().message(),
              "key k.pem: holds no PEM private key (-----BEGIN PRIVATE KEY-----, as openssl "
              "genpkey writes it)");
    EXPECT_EQ(VerifyingKey::from_pem(pem, "key k.pem").status().message(),
              "key k.pem: holds no PEM public key (-----BEGIN PUBLIC KEY-----, as openssl pkey "
              "-in KEY -pubout writes it) nor a private key");
  }
  EXPECT_EQ(SigningKey::from_pem(garbage, "k").status().message().find("bm90IGEga2V5"),
            std::string::npos);
}

TEST(SigningKeyTest, APublicKeyCannotSign) {
  const Status status =
      SigningKey::from_pem(make_test_key(TestKeyType::kP256).public_pem, "key k.pem").status();
  EXPECT_EQ(status.code(), Code::kInvalidArgument);
  EXPECT_EQ(status.message(), "key k.pem: holds a public key; signing takes the private key");
}

TEST(SigningKeyTest, RefusesAHugeFileUnread) {
  const std::string pem =
      make_test_key(TestKeyType::kEd25519).private_pem + std::string(70 << 10, '\n');
  EXPECT_EQ(
      SigningKey::from_pem(pem, "key k.pem").status().message(),
      "key k.pem: " + std::to_string(pem.size()) + " bytes is no PEM key file (at most 65536)");
}

TEST(SigningKeyTest, LoadsFilesAndNamesTheOnesItCannotRead) {
  testing::TempDir dir;
  const auto key = make_test_key(TestKeyType::kEd25519);
  dir.write("key.pem", key.private_pem, 0600);
  dir.write("key.pub.pem", key.public_pem);
  auto signer = SigningKey::load_pem_file(dir / "key.pem");
  auto verifier = VerifyingKey::load_pem_file(dir / "key.pub.pem");
  ASSERT_TRUE(signer.ok()) << signer.status().to_string();
  ASSERT_TRUE(verifier.ok()) << verifier.status().to_string();
  EXPECT_EQ(signer->key_id(), verifier->key_id());

  const Status missing = SigningKey::load_pem_file(dir / "none.pem").status();
  EXPECT_EQ(missing.code(), Code::kNotFound);
  EXPECT_EQ(missing.message(), "reading the signing key: opening " + (dir / "none.pem") +
                                   ": No such file or directory");
  const Status missing_public = VerifyingKey::load_pem_file(dir / "none.pem").status();
  EXPECT_EQ(missing_public.code(), Code::kNotFound);
  EXPECT_NE(missing_public.message().find(dir / "none.pem"), std::string::npos);

  dir.write("rsa.pem", make_test_key(TestKeyType::kRsa2048).private_pem);
  EXPECT_EQ(SigningKey::load_pem_file(dir / "rsa.pem").status().message(),
            "signing key " + (dir / "rsa.pem") + ": RSA 2048 bits; use Ed25519 or ECDSA P-256");
}

}  // namespace
}  // namespace ignite::attest
