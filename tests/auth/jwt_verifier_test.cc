// JwtVerifier against tokens this test signs itself (token_signer.h): each way a token can be
// wrong is refused with UNAUTHENTICATED and a message that says which, never the token.
#include "src/auth/jwt_verifier.h"

#include <gtest/gtest.h>

#include "src/auth/base64url.h"
#include "tests/auth/token_signer.h"

namespace ignite::auth {
namespace {

using nlohmann::json;
using testing::TestKey;

constexpr std::int64_t kNow = 1'800'000'000;  // 2027-01-15T08:00:00Z
constexpr const char* kAudience = "ignite-builder";

// Keys made once: RSA generation takes a while.
struct Keys {
  TestKey rsa = TestKey::rsa();
  TestKey rsa_other = TestKey::rsa();
  TestKey ec = TestKey::ec_p256();
  TestKey ec_other = TestKey::ec_p256();
};
const Keys& keys() {
  static const Keys k;
  return k;
}

PublicKey pem_key(const TestKey& key, const std::string& kid) {
  auto k = PublicKey::from_pem(key.public_pem(), kid, "test key");
  EXPECT_TRUE(k.ok()) << k.status().to_string();
  return *k;
}

json claims(json extra = json::object()) {
  json c = {{"sub", "ci-bot"},
            {"org", "acme-corp"},
            {"aud", kAudience},
            {"iat", kNow - 10},
            {"exp", kNow + 300}};
  for (auto& [name, value] : extra.items()) {
    if (value.is_null()) {
      c.erase(name);
    } else {
      c[name] = value;
    }
  }
  return c;
}

json rs256(const std::string& kid = "") {
  json h = {{"alg", "RS256"}, {"typ", "JWT"}};
  if (!kid.empty()) h["kid"] = kid;
  return h;
}
json es256(const std::string& kid = "") {
  json h = {{"alg", "ES256"}, {"typ", "JWT"}};
  if (!kid.empty()) h["kid"] = kid;
  return h;
}

class JwtVerifierTest : public ::testing::Test {
 protected:
  // The verifier over `keys`, its clock at kNow.
  JwtVerifier verifier(std::vector<PublicKey> keys, const std::string& org_claim = "org") {
    VerifierOptions o;
    o.keys = std::move(keys);
    o.audience = kAudience;
    o.org_claim = org_claim;
    o.now = [] { return kNow; };
    auto v = JwtVerifier::create(std::move(o));
    EXPECT_TRUE(v.ok()) << v.status().to_string();
    return std::move(*v);
  }
  JwtVerifier both() { return verifier({pem_key(keys().rsa, "r1"), pem_key(keys().ec, "e1")}); }

  // The refusal of `token`: its message, after checking the code and that the token is not in it.
  std::string refusal(const JwtVerifier& v, const std::string& token) {
    auto caller = v.verify(token);
    EXPECT_FALSE(caller.ok()) << "accepted";
    if (caller.ok()) return "";
    EXPECT_EQ(caller.status().code(), Code::kUnauthenticated) << caller.status().to_string();
    const std::string signature = token.substr(token.rfind('.') + 1);
    if (signature.size() > 8) {
      EXPECT_EQ(caller.status().message().find(signature), std::string::npos);
    }
    return caller.status().message();
  }
};

TEST_F(JwtVerifierTest, AcceptsRs256AndNamesTheOrg) {
  auto caller = both().verify(testing::signed_token(rs256(), claims(), keys().rsa));
  ASSERT_TRUE(caller.ok()) << caller.status().to_string();
  EXPECT_EQ(caller->org, "acme-corp");
  EXPECT_EQ(caller->subject, "ci-bot");
  EXPECT_TRUE(caller->sees("acme-corp"));
  EXPECT_FALSE(caller->sees("other-org"));
}

TEST_F(JwtVerifierTest, AcceptsEs256) {
  auto caller = both().verify(testing::signed_token(es256(), claims(), keys().ec));
  ASSERT_TRUE(caller.ok()) << caller.status().to_string();
  EXPECT_EQ(caller->org, "acme-corp");
}

TEST_F(JwtVerifierTest, AcceptsKeysFromJwks) {
  const json jwks = {
      {"keys", json::array({keys().rsa.jwk("r"), keys().ec.jwk("e"), keys().rsa_other.jwk()})}};
  auto parsed = parse_jwks(jwks.dump());
  ASSERT_TRUE(parsed.ok()) << parsed.status().to_string();
  ASSERT_EQ(parsed->size(), 3u);
  const JwtVerifier v = verifier(*parsed);
  EXPECT_TRUE(v.verify(testing::signed_token(rs256("r"), claims(), keys().rsa)).ok());
  EXPECT_TRUE(v.verify(testing::signed_token(es256("e"), claims(), keys().ec)).ok());
  EXPECT_TRUE(v.verify(testing::signed_token(es256(), claims(), keys().ec)).ok());
  // Without a kid, every RSA key is tried: the second one signed this.
  EXPECT_TRUE(v.verify(testing::signed_token(rs256(), claims(), keys().rsa_other)).ok());
}

TEST_F(JwtVerifierTest, KidPicksTheKey) {
  const JwtVerifier v = verifier({pem_key(keys().rsa, "a"), pem_key(keys().rsa_other, "b")});
  EXPECT_TRUE(v.verify(testing::signed_token(rs256("b"), claims(), keys().rsa_other)).ok());
  EXPECT_TRUE(v.verify(testing::signed_token(rs256("a"), claims(), keys().rsa)).ok());
  // Signed by b but naming a: a alone is tried.
  EXPECT_EQ(refusal(v, testing::signed_token(rs256("a"), claims(), keys().rsa_other)),
            "token refused: bad signature (not made by key \"a\")");
  EXPECT_EQ(refusal(v, testing::signed_token(rs256("c"), claims(), keys().rsa)),
            "token refused: unknown kid \"c\"");
}

TEST_F(JwtVerifierTest, RefusesExpiredTokensBeyondTheLeeway) {
  const JwtVerifier v = both();
  EXPECT_EQ(refusal(v, testing::signed_token(rs256(), claims({{"exp", kNow - 61}}), keys().rsa)),
            "token refused: it expired at 2027-01-15T07:58:59Z (leeway 60 s)");
  // Within the leeway a clock a little ahead of the issuer's still takes it.
  EXPECT_TRUE(
      v.verify(testing::signed_token(rs256(), claims({{"exp", kNow - 59}}), keys().rsa)).ok());
  EXPECT_EQ(refusal(v, testing::signed_token(rs256(), claims({{"exp", nullptr}}), keys().rsa)),
            "token refused: it has no \"exp\" (every token here must expire)");
  EXPECT_EQ(refusal(v, testing::signed_token(rs256(), claims({{"exp", "soon"}}), keys().rsa)),
            "token refused: \"exp\" is not a number of seconds");
}

TEST_F(JwtVerifierTest, RefusesTokensNotYetValid) {
  const JwtVerifier v = both();
  EXPECT_EQ(refusal(v, testing::signed_token(rs256(), claims({{"nbf", kNow + 600}}), keys().rsa)),
            "token refused: it is not valid before 2027-01-15T08:10:00Z");
  EXPECT_TRUE(
      v.verify(testing::signed_token(rs256(), claims({{"nbf", kNow + 30}}), keys().rsa)).ok());
  EXPECT_EQ(refusal(v, testing::signed_token(rs256(), claims({{"iat", kNow + 3600}}), keys().rsa)),
            "token refused: it was issued in the future, at 2027-01-15T09:00:00Z");
}

TEST_F(JwtVerifierTest, ChecksTheAudience) {
  const JwtVerifier v = both();
  EXPECT_EQ(refusal(v, testing::signed_token(rs256(), claims({{"aud", "billing"}}), keys().rsa)),
            "token refused: its audience is \"billing\", not \"ignite-builder\"");
  EXPECT_TRUE(
      v.verify(testing::signed_token(
                   rs256(), claims({{"aud", json::array({"billing", kAudience})}}), keys().rsa))
          .ok());
  EXPECT_EQ(
      refusal(v, testing::signed_token(rs256(), claims({{"aud", json::array({"billing", "logs"})}}),
                                       keys().rsa)),
      "token refused: its audiences do not include \"ignite-builder\"");
  EXPECT_EQ(refusal(v, testing::signed_token(rs256(), claims({{"aud", nullptr}}), keys().rsa)),
            "token refused: it has no \"aud\" (expected \"ignite-builder\")");
}

TEST_F(JwtVerifierTest, RefusesAKeyNotConfigured) {
  const JwtVerifier v = both();
  EXPECT_EQ(refusal(v, testing::signed_token(rs256(), claims(), keys().rsa_other)),
            "token refused: bad signature (checked against 1 RS256 key)");
  EXPECT_EQ(refusal(v, testing::signed_token(es256(), claims(), keys().ec_other)),
            "token refused: bad signature (checked against 1 ES256 key)");
}

TEST_F(JwtVerifierTest, RefusesAlgNone) {
  const JwtVerifier v = both();
  EXPECT_EQ(refusal(v, testing::unsigned_token({{"alg", "none"}}, claims())),
            "token refused: alg none (an unsigned token) is never accepted");
  // Not even with a signature of the right key attached.
  const std::string input = testing::unsigned_token({{"alg", "none"}}, claims());
  EXPECT_FALSE(
      v.verify(input + base64url_encode(keys().rsa.sign(input.substr(0, input.size() - 1)))).ok());
  EXPECT_EQ(refusal(v, testing::unsigned_token(rs256(), claims())),
            "token refused: its signature is empty or not unpadded base64url");
}

TEST_F(JwtVerifierTest, RefusesHs256WithThePublicKeyAsSecret) {
  // The classic confusion: a verifier that took the RSA key's PEM as an HMAC secret would accept.
  const JwtVerifier v = both();
  EXPECT_EQ(refusal(v, testing::hmac_token({{"alg", "HS256"}}, claims(), keys().rsa.public_pem())),
            "token refused: alg \"HS256\" is not accepted (RS256, ES256)");
  EXPECT_EQ(refusal(v, testing::hmac_token({{"alg", "HS256"}, {"kid", "r1"}}, claims(),
                                           keys().rsa.public_pem())),
            "token refused: alg \"HS256\" is not accepted (RS256, ES256)");
}

TEST_F(JwtVerifierTest, NeverUsesAKeyOfTheOtherType) {
  const JwtVerifier v = both();
  // ES256 naming the RSA key, and RS256 naming the EC key.
  EXPECT_EQ(refusal(v, testing::signed_token(es256("r1"), claims(), keys().ec)),
            "token refused: key \"r1\" is for RS256, not ES256");
  EXPECT_EQ(refusal(v, testing::signed_token(rs256("e1"), claims(), keys().rsa)),
            "token refused: key \"e1\" is for ES256, not RS256");
  const JwtVerifier rsa_only = verifier({pem_key(keys().rsa, "r1")});
  EXPECT_EQ(refusal(rsa_only, testing::signed_token(es256(), claims(), keys().ec)),
            "token refused: no ES256 key is configured");
}

TEST_F(JwtVerifierTest, RefusesEs256SignaturesInDerForm) {
  const JwtVerifier v = both();
  const std::string input =
      base64url_encode(es256().dump()) + "." + base64url_encode(claims().dump());
  EXPECT_EQ(
      refusal(v, input + "." + base64url_encode(keys().ec.sign(input, testing::EcSignature::kDer))),
      "token refused: bad signature (checked against 1 ES256 key)");
}

TEST_F(JwtVerifierTest, RefusesMalformedTokens) {
  const JwtVerifier v = both();
  const std::string good = testing::signed_token(rs256(), claims(), keys().rsa);
  const std::string compact =
      "token refused: it is not a JWS in compact form (HEADER.PAYLOAD.SIGNATURE)";
  EXPECT_EQ(refusal(v, ""), compact);
  EXPECT_EQ(refusal(v, good.substr(0, good.rfind('.'))), compact);
  EXPECT_EQ(refusal(v, good + ".x"), compact);
  EXPECT_EQ(refusal(v, "=" + good), "token refused: its header is not unpadded base64url");
  EXPECT_EQ(refusal(v, base64url_encode("not json") + good.substr(good.find('.'))),
            "token refused: its header is not a JSON object");
  EXPECT_EQ(refusal(v, base64url_encode("[1]") + good.substr(good.find('.'))),
            "token refused: its header is not a JSON object");
  EXPECT_EQ(refusal(v, good + "=="),
            "token refused: its signature is empty or not unpadded base64url");
  EXPECT_EQ(refusal(v, std::string(kMaxTokenBytes + 1, 'a')),
            "token refused: it is longer than 16384 bytes");
  // A signed payload that is not JSON: the signature holds, the payload is still refused.
  const std::string input = base64url_encode(rs256().dump()) + "." + base64url_encode("{oops");
  EXPECT_EQ(refusal(v, input + "." + base64url_encode(keys().rsa.sign(input))),
            "token refused: its payload is not a JSON object");
  // A payload changed after signing.
  const std::size_t dot1 = good.find('.'), dot2 = good.rfind('.');
  const std::string forged = good.substr(0, dot1 + 1) +
                             base64url_encode(claims({{"org", "other-org"}}).dump()) +
                             good.substr(dot2);
  EXPECT_EQ(refusal(v, forged), "token refused: bad signature (checked against 1 RS256 key)");
}

TEST_F(JwtVerifierTest, ChecksTheOrgClaim) {
  const JwtVerifier v = both();
  EXPECT_EQ(refusal(v, testing::signed_token(rs256(), claims({{"org", nullptr}}), keys().rsa)),
            "token refused: its \"org\" claim (the org it acts for) is missing or not a string");
  EXPECT_EQ(refusal(v, testing::signed_token(rs256(), claims({{"org", 42}}), keys().rsa)),
            "token refused: its \"org\" claim (the org it acts for) is missing or not a string");
  EXPECT_EQ(refusal(v, testing::signed_token(rs256(), claims({{"org", ""}}), keys().rsa)),
            "token refused: its \"org\" claim: organization name is empty");
  EXPECT_EQ(refusal(v, testing::signed_token(rs256(), claims({{"org", "../etc"}}), keys().rsa)),
            "token refused: its \"org\" claim: organization name \"../etc\" must start and end "
            "with a lowercase letter or digit (use lowercase letters, digits, and '.', '_' or "
            "'-' between them)");
}

TEST_F(JwtVerifierTest, ReadsACustomOrgClaim) {
  const JwtVerifier v = verifier({pem_key(keys().rsa, "r1")}, "https://ignite.example/tenant");
  auto caller = v.verify(testing::signed_token(
      rs256(), claims({{"https://ignite.example/tenant", "tenant-7"}}), keys().rsa));
  ASSERT_TRUE(caller.ok()) << caller.status().to_string();
  EXPECT_EQ(caller->org, "tenant-7");
  // The default claim is not read then.
  EXPECT_EQ(refusal(v, testing::signed_token(rs256(), claims(), keys().rsa)),
            "token refused: its \"https://ignite.example/tenant\" claim (the org it acts for) "
            "is missing or not a string");
}

TEST_F(JwtVerifierTest, RefusesConfigurationsThatVerifyNothing) {
  VerifierOptions o;
  o.audience = kAudience;
  EXPECT_EQ(JwtVerifier::create(o).status().message(), "no public key to check tokens with");
  o.keys = {pem_key(keys().rsa, "k"), pem_key(keys().ec, "k")};
  EXPECT_EQ(JwtVerifier::create(o).status().message(),
            "two keys have kid \"k\": a kid picks one key");
  o.keys = {pem_key(keys().rsa, "k")};
  o.audience = "";
  EXPECT_EQ(JwtVerifier::create(o).status().code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace ignite::auth
