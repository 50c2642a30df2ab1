// The pieces around the verifier: base64url, reading keys (PEM, JWKS), the Authorization
// header, and which listen addresses development mode accepts.
#include <gtest/gtest.h>

#include "builder/util/file_io.h"
#include "src/auth/authenticator.h"
#include "src/auth/base64url.h"
#include "src/auth/public_key.h"
#include "tests/auth/token_signer.h"
#include "tests/testing/temp_dir.h"

namespace ignite::auth {
namespace {

using nlohmann::json;
using testing::TestKey;

TEST(Base64UrlTest, RoundTripsEveryLength) {
  std::string bytes;
  for (int i = 0; i < 70; ++i) {
    const std::string text = base64url_encode(bytes);
    EXPECT_EQ(text.find_first_of("+/="), std::string::npos) << text;
    EXPECT_EQ(base64url_decode(text), bytes) << text;
    bytes.push_back(static_cast<char>(i * 37 + 251));
  }
  EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
}

TEST(Base64UrlTest, RefusesAnythingNotCanonical) {
  EXPECT_EQ(base64url_decode("YQ=="), std::nullopt);  // padding
  EXPECT_EQ(base64url_decode("Y+E"), std::nullopt);   // standard alphabet
  EXPECT_EQ(base64url_decode("Y/E"), std::nullopt);
  EXPECT_EQ(base64url_decode("Y E"), std::nullopt);
  EXPECT_EQ(base64url_decode("YWJjZ"), std::nullopt);  // 1 mod 4: half a byte
  EXPECT_EQ(base64url_decode("YR"), std::nullopt);     // "a" with bits left over
  EXPECT_EQ(base64url_decode(std::string("YQ\0", 3)), std::nullopt);
  EXPECT_EQ(base64url_decode("YQ"), "a");
  EXPECT_EQ(base64url_decode(""), "");
}

TEST(PublicKeyTest, ReadsPemFilesWithTheirNameAsKid) {
  ignite::testing::TempDir dir;
  const std::string path = dir.path() + "/2026-12.pem";
  ASSERT_TRUE(write_file_atomic(path, TestKey::ec_p256().public_pem()).ok());
  auto key = read_pem_key_file(path);
  ASSERT_TRUE(key.ok()) << key.status().to_string();
  EXPECT_EQ(key->kid(), "2026-12");
  EXPECT_EQ(key->type(), KeyType::kEc);
}

TEST(PublicKeyTest, RefusesWhatIsNotAnAcceptedPublicKey) {
  EXPECT_EQ(PublicKey::from_pem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
                                "", "key file k.pem")
                .status()
                .message(),
            "key file k.pem holds no PEM public key (-----BEGIN PUBLIC KEY-----; from a private "
            "key: openssl pkey -in KEY -pubout)");
  EXPECT_EQ(PublicKey::from_pem(TestKey::rsa(1024).public_pem(), "", "key file small.pem")
                .status()
                .message(),
            "key file small.pem is an RSA key of 1024 bits; RS256 keys here have at least 2048");
}

TEST(PublicKeyTest, ReadsJwksAndRefusesKeysItCannotUse) {
  const TestKey ec = TestKey::ec_p256();
  json enc = ec.jwk("enc");
  enc["use"] = "enc";
  auto keys = parse_jwks(json{{"keys", {ec.jwk("sig"), enc}}}.dump());
  ASSERT_TRUE(keys.ok()) << keys.status().to_string();
  ASSERT_EQ(keys->size(), 1u);  // the encryption key is not for signatures
  EXPECT_EQ((*keys)[0].kid(), "sig");

  EXPECT_EQ(parse_jwks("{").status().message(), "not a JSON object");
  EXPECT_EQ(parse_jwks("{}").status().message(),
            "no \"keys\" array ({\"keys\": [{\"kty\": ...}]})");
  EXPECT_EQ(parse_jwks(R"({"keys": [{"kty": "oct", "k": "c2VjcmV0"}]})").status().message(),
            "key 0: kty \"oct\" is not accepted (RSA for RS256, EC for ES256)");
  json p384 = ec.jwk("x");
  p384["crv"] = "P-384";
  EXPECT_EQ(parse_jwks(json{{"keys", {p384}}}.dump()).status().message(),
            "key 0 (kid \"x\"): curve \"P-384\" is not accepted (P-256)");
  json off_curve = ec.jwk();
  off_curve["y"] = off_curve["x"];
  EXPECT_EQ(parse_jwks(json{{"keys", {off_curve}}}.dump()).status().message(),
            "key 0: x and y are not a point on P-256");
  json padded = TestKey::rsa().jwk();
  padded["e"] = "AQAB==";
  EXPECT_EQ(parse_jwks(json{{"keys", {padded}}}.dump()).status().message(),
            "key 0: \"e\" is not unpadded base64url");
  json hs = ec.jwk();
  hs["alg"] = "HS256";
  EXPECT_EQ(parse_jwks(json{{"keys", {hs}}}.dump()).status().message(),
            "key 0: alg \"HS256\" is not accepted (ES256)");
}

TEST(AuthenticatorTest, DevelopmentModeSeesEveryOrg) {
  auto caller = Authenticator::development().authenticate(std::nullopt);
  ASSERT_TRUE(caller.ok());
  EXPECT_FALSE(caller->org.has_value());
  EXPECT_TRUE(caller->sees("any-org"));
}

TEST(AuthenticatorTest, NeedsABearerToken) {
  const TestKey key = TestKey::ec_p256();
  VerifierOptions o;
  o.keys = {*PublicKey::from_pem(key.public_pem(), "k", "test key")};
  o.audience = "ignite-builder";
  const Authenticator auth = Authenticator::with_tokens(*JwtVerifier::create(o));
  const std::int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
  const std::string token = testing::signed_token(
      {{"alg", "ES256"}}, {{"org", "acme-corp"}, {"aud", "ignite-builder"}, {"exp", now + 600}},
      key);

  auto missing = auth.authenticate(std::nullopt);
  EXPECT_EQ(missing.status().code(), Code::kUnauthenticated);
  EXPECT_EQ(missing.status().message(),
            "no token: send the header \"Authorization: Bearer <JWT>\" (docs/auth.md)");
  EXPECT_EQ(auth.authenticate("Basic YTpi").status().message(),
            "the Authorization header is not \"Bearer <JWT>\" (docs/auth.md)");
  EXPECT_EQ(auth.authenticate(token).status().code(), Code::kUnauthenticated);
  auto caller = auth.authenticate("bearer  " + token);  // the scheme is case-insensitive
  ASSERT_TRUE(caller.ok()) << caller.status().to_string();
  EXPECT_EQ(caller->org, "acme-corp");
  EXPECT_TRUE(auth.authenticate("Bearer " + token).ok());
}

TEST(LoopbackTest, AcceptsOnlyAddressesOfThisMachine) {
  for (const char* address :
       {"127.0.0.1:0", "127.1.2.3:8080", "localhost:50051", "[::1]:8080", "::1:8080"}) {
    EXPECT_TRUE(is_loopback_listen(address)) << address;
  }
  for (const char* address : {"0.0.0.0:8080", "[::]:8080", "10.0.0.5:80", "example.com:80",
                              "128.0.0.1:80", "[::ffff:127.0.0.1]:80", "127.0.0.1", ""}) {
    EXPECT_FALSE(is_loopback_listen(address)) << address;
  }
}

}  // namespace
}  // namespace ignite::auth
