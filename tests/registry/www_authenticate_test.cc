#include "builder/registry/www_authenticate.h"

#include <gtest/gtest.h>

namespace ignite::registry {
namespace {

TEST(WwwAuthenticateTest, BearerChallengeOfDistribution) {
  // As docker-registry 2.8.2 sends it.
  auto c = parse_www_authenticate(
      "Bearer realm=\"http://127.0.0.1:44355/token\",service=\"test-registry\","
      "scope=\"repository:a/b:pull,push\"");
  ASSERT_TRUE(c.ok()) << c.status().to_string();
  ASSERT_EQ(c->size(), 1u);
  EXPECT_EQ((*c)[0].scheme, "bearer");
  EXPECT_EQ((*c)[0].param("realm"), "http://127.0.0.1:44355/token");
  EXPECT_EQ((*c)[0].param("service"), "test-registry");
  EXPECT_EQ((*c)[0].param("scope"), "repository:a/b:pull,push");
}

TEST(WwwAuthenticateTest, BasicWithSpacesQuotesAndCase) {
  auto c = parse_www_authenticate("BASIC  Realm = \"Registry \\\"Realm\\\"\" , charset=UTF-8");
  ASSERT_TRUE(c.ok()) << c.status().to_string();
  ASSERT_EQ(c->size(), 1u);
  EXPECT_EQ((*c)[0].scheme, "basic");
  EXPECT_EQ((*c)[0].param("realm"), "Registry \"Realm\"");
  EXPECT_EQ((*c)[0].param("charset"), "UTF-8");
}

TEST(WwwAuthenticateTest, SeveralChallengesAndToken68) {
  auto c = parse_www_authenticate(
      "Negotiate, Foo abc123==, Basic realm=x, Bearer realm=\"https://a/t\",error=invalid_token");
  ASSERT_TRUE(c.ok()) << c.status().to_string();
  ASSERT_EQ(c->size(), 4u);
  EXPECT_EQ((*c)[0].scheme, "negotiate");
  EXPECT_TRUE((*c)[0].params.empty());
  EXPECT_EQ((*c)[1].scheme, "foo");
  EXPECT_EQ((*c)[1].token68, "abc123==");
  EXPECT_EQ((*c)[2].param("realm"), "x");
  EXPECT_EQ((*c)[3].param("realm"), "https://a/t");
  EXPECT_EQ((*c)[3].param("error"), "invalid_token");
}

TEST(WwwAuthenticateTest, MalformedHeadersNameTheOffset) {
  EXPECT_EQ(parse_www_authenticate("").status().message(),
            "WWW-Authenticate header holds no challenge");
  EXPECT_EQ(parse_www_authenticate("Bearer realm=\"unterminated").status().message(),
            "WWW-Authenticate header: unterminated quoted string at offset 26");
  EXPECT_EQ(parse_www_authenticate("Bearer realm=").status().code(),
            Code::kOk);  // token68 "realm="
  EXPECT_EQ(parse_www_authenticate("Bearer a=b c=d").status().message(),
            "WWW-Authenticate header: expected ',' after parameter \"a\" at offset 11");
  EXPECT_EQ(parse_www_authenticate("\"x\"").status().message(),
            "WWW-Authenticate header: expected an auth scheme at offset 0");
}

}  // namespace
}  // namespace ignite::registry
