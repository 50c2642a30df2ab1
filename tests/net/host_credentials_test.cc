#include "builder/net/host_credentials.h"

#include <gtest/gtest.h>

namespace ignite::net {
namespace {

Url url(std::string_view text) {
  auto u = Url::parse(text);
  EXPECT_TRUE(u.ok()) << u.status().message();
  return u.ok() ? *u : Url{};
}

TEST(HostCredentialsTest, ApplyToTheirHostAndPortOnly) {
  HostCredentials credentials;
  EXPECT_TRUE(credentials.empty());
  credentials.add_from(url("https://alice:pw1@idx.example/simple/"));
  credentials.add_from(url("https://idx.example:8443/simple/"));  // no userinfo: nothing kept
  ASSERT_FALSE(credentials.empty());

  const UserPassword* found = credentials.find(url("https://IDX.example/files/a.whl"));
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found->user, "alice");
  EXPECT_EQ(found->password, "pw1");
  EXPECT_EQ(credentials.find(url("https://idx.example:8443/simple/")), nullptr);
  EXPECT_EQ(credentials.find(url("https://cdn.example/files/a.whl")), nullptr);
}

TEST(HostCredentialsTest, TheFirstForAHostWinsAndEverySecretIsListed) {
  HostCredentials credentials;
  credentials.add_from(url("https://alice:pw1@idx.example/simple/"));
  credentials.add_from(url("https://bob:pw2@idx.example/other/"));
  credentials.add_from(url("https://t0ken@tok.example:444/simple/"));
  EXPECT_EQ(credentials.find(url("https://idx.example/"))->user, "alice");
  EXPECT_EQ(credentials.find(url("https://tok.example:444/"))->user, "t0ken");
  EXPECT_EQ(credentials.secrets(), (std::vector<std::string>{"pw1", "t0ken"}));
}

}  // namespace
}  // namespace ignite::net
