// `ignite-builder serve` and its auth flags, the real binary: it will not start without auth on
// an address other machines reach, says which mode it runs in, and with keys takes the tokens
// they sign (PEM and JWKS) and no request without one.
#include <gtest/gtest.h>

#include "builder/util/file_io.h"
#include "tests/auth/token_signer.h"
#include "tests/service/serve_process.h"

namespace ignite::testing {
namespace {

struct ServeRun {
  int code = 0;
  std::string err;
};

// `serve ARGS` run to its end (it must end at once: a serve that started is killed after 60 s
// and fails the test with 124).
ServeRun serve_once(const std::string& args, const std::string& dir) {
  std::string out;
  const int code = run_command(std::string(IGNITE_BINARY) + " serve " + args + " 2>" +
                                   shell_quote(dir + "/err") + " </dev/null",
                               &out, 60);
  return {code, sh("cat " + shell_quote(dir + "/err"))};
}

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

TEST(ServeAuthTest, RefusesReachableAddressesWithoutAuth) {
  TempDir dir;
  const std::string store = dir.path() + "/store";
  for (const std::string& listen :
       {std::string("--http 0.0.0.0:0"), std::string("--listen [::]:0 --http 127.0.0.1:0"),
        std::string("--http 10.1.2.3:8080")}) {
    SCOPED_TRACE(listen);
    const ServeRun run =
        serve_once("--store " + shell_quote(store) + " --workers 0 " + listen, dir.path());
    EXPECT_EQ(run.code, 1) << run.err;
    EXPECT_NE(run.err.find("without auth: anyone who reaches it could build and publish for "
                           "every org. Give the keys tokens are checked with (--auth-keys "
                           "FILE[,FILE...] or --auth-jwks FILE, and --auth-audience AUD; "
                           "docs/auth.md), or listen on loopback"),
              std::string::npos)
        << run.err;
  }
  // It stopped before making anything.
  EXPECT_EQ(sh("test -e " + shell_quote(store) + " && echo made || echo none"), "none\n");

  // Keys without an audience (or the other way round) are a usage error.
  const std::string key = dir.path() + "/k1.pem";
  ASSERT_TRUE(write_file_atomic(key, TestKey::ec_p256().public_pem()).ok());
  ServeRun run =
      serve_once("--store " + shell_quote(store) + " --auth-keys " + shell_quote(key), dir.path());
  EXPECT_EQ(run.code, 2);
  EXPECT_NE(run.err.find("--auth-audience AUD is required with --auth-keys or --auth-jwks"),
            std::string::npos)
      << run.err;
  run = serve_once("--store " + shell_quote(store) + " --auth-audience x", dir.path());
  EXPECT_EQ(run.code, 2);
  run = serve_once("--store " + shell_quote(store) + " --auth-audience x --auth-keys " +
                       shell_quote(dir.path() + "/missing.pem"),
                   dir.path());
  EXPECT_NE(run.code, 0);
  EXPECT_NE(run.err.find("--auth-keys: "), std::string::npos) << run.err;
}

TEST(ServeAuthTest, DevelopmentModeSaysSo) {
  TempDir dir;
  ServeProcess serve(
      dir.path(), "serve", "",
      "--store " + shell_quote(dir.path() + "/store") + " --workers 0 --listen 127.0.0.1:0");
  ASSERT_TRUE(serve.listening()) << serve.log();
  EXPECT_NE(serve.log().find("ignite-builder: auth: none (development mode, loopback only: no "
                             "tokens, every caller sees every org)"),
            std::string::npos)
      << serve.log();
  EXPECT_EQ(serve.get("/v1/builds").status, 200);
}

TEST(ServeAuthTest, TakesTokensSignedByItsKeys) {
  TempDir dir;
  const TestKey rsa = TestKey::rsa(), ec = TestKey::ec_p256();
  const std::string pem = dir.path() + "/rsa-1.pem", jwks = dir.path() + "/jwks.json";
  ASSERT_TRUE(write_file_atomic(pem, rsa.public_pem()).ok());
  ASSERT_TRUE(write_file_atomic(jwks, nlohmann::json{{"keys", {ec.jwk("ec-1")}}}.dump()).ok());
  ServeProcess serve(dir.path(), "serve", "",
                     "--store " + shell_quote(dir.path() + "/store") +
                         " --workers 0 --listen 127.0.0.1:0 --auth-keys " + shell_quote(pem) +
                         " --auth-jwks " + shell_quote(jwks) +
                         " --auth-audience builder.example --auth-org-claim tenant");
  ASSERT_TRUE(serve.listening()) << serve.log();
  EXPECT_NE(serve.log().find("ignite-builder: auth: JWT (RS256, ES256) with 2 keys, audience "
                             "builder.example, org claim tenant"),
            std::string::npos)
      << serve.log();

  httplib::Client client("127.0.0.1", serve.port());
  client.set_read_timeout(std::chrono::seconds(60));
  const auto list = [&](const std::string& token) {
    httplib::Headers headers;
    if (!token.empty()) headers = {{"Authorization", "Bearer " + token}};
    auto r = client.Get("/v1/builds", headers);
    return r ? r->status : -1;
  };
  const nlohmann::json claims = {
      {"tenant", "acme-corp"}, {"aud", "builder.example"}, {"exp", unix_now() + 3600}};
  EXPECT_EQ(list(""), 401);
  EXPECT_EQ(list(signed_token({{"alg", "RS256"}, {"kid", "rsa-1"}}, claims, rsa)), 200);
  EXPECT_EQ(list(signed_token({{"alg", "ES256"}, {"kid", "ec-1"}}, claims, ec)), 200);
  EXPECT_EQ(list(signed_token({{"alg", "ES256"}}, claims, ec)), 200);
  // Another signer, another audience, the default org claim: refused.
  EXPECT_EQ(list(signed_token({{"alg", "ES256"}}, claims, TestKey::ec_p256())), 401);
  nlohmann::json other = claims;
  other["aud"] = "elsewhere";
  EXPECT_EQ(list(signed_token({{"alg", "ES256"}}, other, ec)), 401);
  other = claims;
  other.erase("tenant");
  other["org"] = "acme-corp";
  EXPECT_EQ(list(signed_token({{"alg", "ES256"}}, other, ec)), 401);
  EXPECT_EQ(serve.get("/healthz").status, 200);
}

}  // namespace
}  // namespace ignite::testing
