// Auth and TLS against Debian's real docker-registry: htpasswd Basic auth, token auth with the
// token issuer beside this file, and TLS with a test CA. Credentials come from a temporary
// HOME's ~/.docker/config.json (once through a credential helper script) or are given
// directly; no password or token may appear in an error or a log line.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <nlohmann/json.hpp>

#include "builder/registry/image_publisher.h"
#include "builder/util/base64.h"
#include "tests/registry/registry_servers.h"
#include "tests/registry/test_images.h"

namespace ignite::registry {
namespace {

using ignite::testing::shell_quote;
using ignite::testing::TempDir;
using testing::build_test_image;
using testing::FakeClock;
using testing::LogLines;
using testing::RegistryConfig;
using testing::RegistryServer;
using testing::ScriptServer;

const std::string kAlicePassword = "alice-Pa55word";  // htpasswd user
const std::string kCarolPassword = "carol-t0ken-pw";  // token issuer user

struct Shared {
  TempDir dir;
  testing::TestPki pki{dir.path()};
  std::string htpasswd = testing::make_htpasswd(dir, "alice", kAlicePassword);
  RegistryServer basic{RegistryConfig{htpasswd, "", "", "", ""}};
  ScriptServer issuer{"token_issuer.py",
                      {"--key", pki.token_key, "--cert", pki.token_cert, "--issuer",
                       testing::kTokenIssuer, "--service", testing::kTokenService, "--user",
                       "carol:" + kCarolPassword, "--expires-in", "60"}};
  RegistryServer token{
      RegistryConfig{"", "http://" + issuer.host() + "/token", pki.token_cert, "", ""}};
  RegistryServer tls{RegistryConfig{"", "", "", pki.server_cert, pki.server_key}};
};

Shared& shared() {
  static Shared s;
  return s;
}

// Sets an environment variable for the object's lifetime.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    if (const char* old = getenv(name)) old_ = old;
    setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() {
    if (old_) {
      setenv(name_, old_->c_str(), 1);
    } else {
      unsetenv(name_);
    }
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

using Layout = testing::TempLayout;

struct Client {
  std::shared_ptr<FakeClock> clock = std::make_shared<FakeClock>();
  LogLines log;
  std::optional<RegistryClient> client;
  Client(const std::string& host, const std::function<void(ClientOptions&)>& adjust) {
    ClientOptions options = testing::fast_options(clock, &log);
    adjust(options);
    auto c = RegistryClient::create(host, options);
    EXPECT_TRUE(c.ok()) << c.status().to_string();
    if (c.ok()) client.emplace(std::move(c).value());
  }
};

// Fails the test if any password, its Basic form or any token the issuer handed out appears in
// `text`.
void expect_no_secrets(const std::string& text) {
  std::vector<std::string> secrets = {kAlicePassword, kCarolPassword,
                                      base64_encode("alice:" + kAlicePassword),
                                      base64_encode("carol:" + kCarolPassword)};
  const auto stats = nlohmann::json::parse(shared().issuer.call("/stats"), nullptr, false);
  if (stats.is_object()) {
    for (const auto& t : stats["tokens"]) secrets.push_back(t.get<std::string>());
  }
  for (const auto& s : secrets) EXPECT_EQ(text.find(s), std::string::npos) << "secret in: " << text;
}

int issuer_requests() {
  const auto stats = nlohmann::json::parse(shared().issuer.call("/stats"), nullptr, false);
  return stats.is_object() ? stats.value("requests", -1) : -1;
}

std::string skopeo_digest(const std::string& flags, const std::string& ref) {
  std::string out;
  EXPECT_EQ(testing::run("skopeo inspect " + flags + " " + shell_quote("docker://" + ref), &out), 0)
      << out;
  const auto doc = nlohmann::json::parse(out, nullptr, false);
  return doc.is_object() ? doc.value("Digest", std::string()) : std::string();
}

TEST(RegistryAuthTest, BasicAuthWithCredentialsFromDockerConfigInHome) {
  const std::string host = shared().basic.host();
  TempDir home;
  home.write(".docker/config.json", R"({"auths": {")" + host + R"(": {"auth": ")" +
                                        base64_encode("alice:" + kAlicePassword) + R"("}}})");
  ScopedEnv env("HOME", home.path());
  Layout l;
  auto image = build_test_image(l.layout, "basic = 1\n");
  ASSERT_TRUE(image.ok());
  Client c(host, [](ClientOptions& o) { o.docker_config_path = ""; });  // $HOME's
  auto pushed = push_image(*c.client, l.layout, image->manifest, "acme-corp/basic", "v1");
  ASSERT_TRUE(pushed.ok()) << pushed.status().to_string();
  EXPECT_NE(c.log.joined().find("using credentials for " + host + " from auths in " + home.path() +
                                "/.docker/config.json"),
            std::string::npos)
      << c.log.joined();
  EXPECT_EQ(skopeo_digest("--tls-verify=false --creds " + shell_quote("alice:" + kAlicePassword),
                          host + "/acme-corp/basic:v1"),
            image->manifest.digest.to_string());
  expect_no_secrets(c.log.joined());
}

TEST(RegistryAuthTest, BasicAuthWithoutCredentialsSaysWhereItLooked) {
  const std::string host = shared().basic.host();
  Layout l;
  auto image = build_test_image(l.layout, "basic = 2\n");
  ASSERT_TRUE(image.ok());
  Client c(host, [](ClientOptions&) {});
  auto pushed = push_image(*c.client, l.layout, image->manifest, "acme-corp/basic", "v2");
  ASSERT_FALSE(pushed.ok());
  EXPECT_EQ(pushed.status().code(), Code::kUnauthenticated);
  EXPECT_EQ(pushed.status().message(),
            "looking up manifest v2 in registry " + host +
                "/acme-corp/basic: HEAD manifest: 401 Unauthorized (no credentials for " + host +
                " in /nonexistent/ignite-test/config.json)");
}

TEST(RegistryAuthTest, RefusedBasicCredentialsAreNeverQuoted) {
  const std::string host = shared().basic.host();
  Layout l;
  auto image = build_test_image(l.layout, "basic = 3\n");
  ASSERT_TRUE(image.ok());
  const std::string wrong = "wrong-" + kAlicePassword;
  Client c(host, [&](ClientOptions& o) { o.credentials = Credentials{"alice", wrong}; });
  auto pushed = push_image(*c.client, l.layout, image->manifest, "acme-corp/basic", "v3");
  ASSERT_FALSE(pushed.ok());
  EXPECT_EQ(pushed.status().code(), Code::kUnauthenticated);
  EXPECT_NE(pushed.status().message().find(
                "401 Unauthorized (credentials refused; they came from the caller)"),
            std::string::npos)
      << pushed.status().message();
  for (const std::string& text : {pushed.status().message(), c.log.joined()}) {
    EXPECT_EQ(text.find(wrong), std::string::npos) << text;
    EXPECT_EQ(text.find(base64_encode("alice:" + wrong)), std::string::npos) << text;
  }
}

TEST(RegistryAuthTest, TokenAuthThroughACredentialHelperReusesTheTokenUntilItExpires) {
  const std::string host = shared().token.host();
  TempDir home;
  home.write(".docker/config.json", R"({"credHelpers": {")" + host + R"(": "ignitetest"}})");
  home.write("bin/docker-credential-ignitetest",
             "#!/bin/sh\nread server\necho \"$1 $server\" >> '" + home.path() +
                 "/asked'\necho '{\"ServerURL\":\"'\"$server\"'\",\"Username\":\"carol\","
                 "\"Secret\":\"" +
                 kCarolPassword + "\"}'\n",
             0755);
  ScopedEnv env_home("HOME", home.path());
  ScopedEnv env_path("PATH", home.path() + "/bin:" + std::string(getenv("PATH")));
  Layout l;
  auto v1 = build_test_image(l.layout, "token = 1\n");
  auto v2 = build_test_image(l.layout, "token = 2\n");
  auto v3 = build_test_image(l.layout, "token = 3\n");
  ASSERT_TRUE(v1.ok() && v2.ok() && v3.ok());
  Client c(host, [](ClientOptions& o) { o.docker_config_path = ""; });
  const int before = issuer_requests();

  ASSERT_TRUE(push_image(*c.client, l.layout, v1->manifest, "acme-corp/token", "v1").ok());
  EXPECT_EQ(c.client->counters().token_requests, 1);  // one scope, pull,push, for everything
  ASSERT_TRUE(push_image(*c.client, l.layout, v2->manifest, "acme-corp/token", "v2").ok());
  EXPECT_EQ(c.client->counters().token_requests, 1);  // reused
  c.clock->advance(std::chrono::seconds(55));         // expires_in 60, renewed 10 s early
  auto pushed = push_image(*c.client, l.layout, v3->manifest, "acme-corp/token", "v3");
  ASSERT_TRUE(pushed.ok()) << pushed.status().to_string();
  EXPECT_EQ(c.client->counters().token_requests, 2);
  EXPECT_EQ(issuer_requests() - before, 2);
  const auto stats = nlohmann::json::parse(shared().issuer.call("/stats"), nullptr, false);
  EXPECT_EQ(stats["scopes"].back(), "repository:acme-corp/token:pull,push");

  std::string asked;
  testing::run("cat " + shell_quote(home / "asked"), &asked);
  EXPECT_EQ(asked, "get " + host + "\n");  // asked once, with the host on stdin
  EXPECT_NE(c.log.joined().find("from credential helper docker-credential-ignitetest"),
            std::string::npos);
  EXPECT_EQ(skopeo_digest("--tls-verify=false --creds " + shell_quote("carol:" + kCarolPassword),
                          host + "/acme-corp/token:v3"),
            v3->manifest.digest.to_string());
  expect_no_secrets(c.log.joined());
}

TEST(RegistryAuthTest, TokenEndpointRefusalNamesTheEndpointNotThePassword) {
  const std::string host = shared().token.host();
  Layout l;
  auto image = build_test_image(l.layout, "token = 'refused'\n");
  ASSERT_TRUE(image.ok());
  const std::string wrong = "not-" + kCarolPassword;
  Client c(host, [&](ClientOptions& o) { o.credentials = Credentials{"carol", wrong}; });
  auto pushed = push_image(*c.client, l.layout, image->manifest, "acme-corp/token", "v9");
  ASSERT_FALSE(pushed.ok());
  EXPECT_EQ(pushed.status().code(), Code::kUnauthenticated);
  EXPECT_NE(pushed.status().message().find("getting a token for " + host +
                                           " (repository:acme-corp/token:pull,push) from "
                                           "http://" +
                                           shared().issuer.host() + "/token: 401 Unauthorized"),
            std::string::npos)
      << pushed.status().message();
  for (const std::string& text : {pushed.status().message(), c.log.joined()}) {
    EXPECT_EQ(text.find(wrong), std::string::npos) << text;
  }
  expect_no_secrets(pushed.status().message() + c.log.joined());
}

TEST(RegistryAuthTest, AnonymousTokensGrantNothing) {
  const std::string host = shared().token.host();
  Layout l;
  auto image = build_test_image(l.layout, "token = 'anonymous'\n");
  ASSERT_TRUE(image.ok());
  Client c(host, [](ClientOptions&) {});
  auto pushed = push_image(*c.client, l.layout, image->manifest, "acme-corp/token", "v8");
  ASSERT_FALSE(pushed.ok());
  EXPECT_EQ(pushed.status().code(), Code::kUnauthenticated);
  EXPECT_NE(pushed.status().message().find("(no credentials for " + host), std::string::npos)
      << pushed.status().message();
}

TEST(RegistryAuthTest, TlsWithTheTestCa) {
  const std::string host = shared().tls.host();
  Layout l;
  auto image = build_test_image(l.layout, "tls = 1\n");
  ASSERT_TRUE(image.ok());
  Client c(host, [](ClientOptions& o) { o.ca_file = shared().pki.ca_cert; });
  auto pushed = push_image(*c.client, l.layout, image->manifest, "acme-corp/tls", "v1");
  ASSERT_TRUE(pushed.ok()) << pushed.status().to_string();
  EXPECT_EQ(c.log.joined().find("plain HTTP"), std::string::npos) << c.log.joined();
  EXPECT_EQ(
      skopeo_digest("--cert-dir " + shell_quote(shared().pki.cert_dir), host + "/acme-corp/tls:v1"),
      image->manifest.digest.to_string());
}

TEST(RegistryAuthTest, TlsWithoutTheCaIsRefusedNotDowngraded) {
  const std::string host = shared().tls.host();
  Layout l;
  auto image = build_test_image(l.layout, "tls = 2\n");
  ASSERT_TRUE(image.ok());
  Client c(host, [](ClientOptions&) {});
  auto pushed = push_image(*c.client, l.layout, image->manifest, "acme-corp/tls", "v2");
  ASSERT_FALSE(pushed.ok());
  EXPECT_EQ(pushed.status().code(), Code::kFailedPrecondition);
  EXPECT_NE(pushed.status().message().find("reaching registry " + host + ": GET https://" + host +
                                           "/v2/: TLS certificate not trusted"),
            std::string::npos)
      << pushed.status().message();
  EXPECT_NE(pushed.status().message().find("(hint: give the registry's CA certificate file)"),
            std::string::npos)
      << pushed.status().message();
}

TEST(RegistryAuthTest, AMissingCaFileIsTheCallersError) {
  Client c(shared().tls.host(), [](ClientOptions& o) { o.ca_file = "/nonexistent/ca.pem"; });
  auto tags = c.client->list_tags("acme-corp/tls");
  ASSERT_FALSE(tags.ok());
  EXPECT_EQ(tags.status().code(), Code::kInvalidArgument) << tags.status().to_string();
  EXPECT_NE(tags.status().message().find("cannot use CA file /nonexistent/ca.pem"),
            std::string::npos)
      << tags.status().message();
}

}  // namespace
}  // namespace ignite::registry
