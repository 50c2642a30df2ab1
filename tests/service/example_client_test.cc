// examples/client/deploy.py, the documented Python client, deploys examples/greet through a real
// `ignite-builder serve` as its README shows (issue 12, item 6), and reports a refusal.
#include <gtest/gtest.h>

#include "builder/util/file_io.h"
#include "tests/auth/token_signer.h"
#include "tests/service/serve_process.h"

namespace ignite::testing {
namespace {

// `env` ("NAME=VALUE ..."), when given, is the client's environment beside PATH and HOME.
CommandResult deploy(int port, const std::string& args, const std::string& env = "") {
  CommandResult r;
  TempDir tmp;
  // The system's Python, isolated from the user's site packages and environment.
  r.exit_code =
      run_command("env -i PATH=/usr/bin:/bin HOME=" + shell_quote(tmp.path()) + " " + env +
                      " /usr/bin/python3 -I " +
                      shell_quote(std::string(IGNITE_SOURCE_DIR) + "/examples/client/deploy.py") +
                      " --url http://127.0.0.1:" + std::to_string(port) + " " + args + " 2>" +
                      shell_quote(tmp / "err"),
                  &r.out);
  run_command("cat " + shell_quote(tmp / "err"), &r.err);
  return r;
}

TEST(ExampleClientTest, DeploysTheGreetExampleAndReportsARefusal) {
  TempDir dir;
  const std::string base = make_synthetic_base(dir / "base");
  ServeProcess serve(dir.path(), "serve", "SOURCE_DATE_EPOCH=0",
                     "--store " + shell_quote(dir / "store") + " --base " + shell_quote(base));
  ASSERT_TRUE(serve.listening()) << serve.log();
  const std::string greet = shell_quote(std::string(IGNITE_SOURCE_DIR) + "/examples/greet");

  CommandResult first = deploy(serve.port(), "--org acme-corp --app greet --tier small " + greet);
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err << serve.log();
  EXPECT_NE(first.out.find("published acme-corp/greet v1 (codeHash sha256:"), std::string::npos)
      << first.out;
  // The same codeHash `ignite-builder hash` gives for the directory.
  CommandResult hash = run_builder("hash " + greet);
  ASSERT_EQ(hash.exit_code, 0) << hash.err;
  std::string code_hash = hash.out.substr(0, hash.out.find_first_of(" \n"));
  ASSERT_EQ(code_hash.rfind("sha256:", 0), 0u) << hash.out;
  EXPECT_NE(first.out.find(code_hash), std::string::npos) << first.out << " vs " << hash.out;

  // Again: the app is kept, and the unchanged draft is the next version.
  CommandResult second = deploy(serve.port(), "--org acme-corp --app greet " + greet);
  ASSERT_EQ(second.exit_code, 0) << second.out << second.err;
  EXPECT_NE(second.out.find("published acme-corp/greet v2"), std::string::npos) << second.out;

  // A refused call: the service's status and message, exit 1.
  CommandResult bad = deploy(serve.port(), "--org Acme_Corp --app greet " + greet);
  EXPECT_EQ(bad.exit_code, 1) << bad.out;
  EXPECT_NE(bad.err.find("INVALID_ARGUMENT (HTTP 400)"), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("Acme_Corp"), std::string::npos) << bad.err;
}

// A service that checks tokens (docs/auth.md): deploy.py sends $IGNITE_TOKEN as a bearer token.
TEST(ExampleClientTest, DeploysWithAToken) {
  TempDir dir;
  const std::string base = make_synthetic_base(dir / "base");
  const TestKey key = TestKey::ec_p256();
  ASSERT_TRUE(write_file_atomic(dir / "k1.pem", key.public_pem()).ok());
  ServeProcess serve(dir.path(), "serve", "SOURCE_DATE_EPOCH=0",
                     "--store " + shell_quote(dir / "store") + " --base " + shell_quote(base) +
                         " --auth-keys " + shell_quote(dir / "k1.pem") +
                         " --auth-audience ignite-builder");
  ASSERT_TRUE(serve.listening()) << serve.log();
  const std::string greet = shell_quote(std::string(IGNITE_SOURCE_DIR) + "/examples/greet");
  const std::int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
  const std::string token =
      signed_token({{"alg", "ES256"}},
                   {{"org", "acme-corp"}, {"aud", "ignite-builder"}, {"exp", now + 3600}}, key);

  CommandResult none = deploy(serve.port(), "--org acme-corp --app greet " + greet);
  EXPECT_EQ(none.exit_code, 1) << none.out;
  EXPECT_NE(none.err.find("UNAUTHENTICATED (HTTP 401): no token"), std::string::npos) << none.err;

  CommandResult ok =
      deploy(serve.port(), "--org acme-corp --app greet " + greet, "IGNITE_TOKEN=" + token);
  ASSERT_EQ(ok.exit_code, 0) << ok.out << ok.err << serve.log();
  EXPECT_NE(ok.out.find("published acme-corp/greet v1"), std::string::npos) << ok.out;

  // The token's org is acme-corp: another org is not its to deploy to.
  CommandResult other =
      deploy(serve.port(), "--token " + token + " --org other-org --app greet " + greet);
  EXPECT_EQ(other.exit_code, 1) << other.out;
  EXPECT_NE(other.err.find("PERMISSION_DENIED (HTTP 403)"), std::string::npos) << other.err;
}

}  // namespace
}  // namespace ignite::testing
