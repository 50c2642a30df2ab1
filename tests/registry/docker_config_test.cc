#include "builder/registry/docker_config.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include "builder/registry/credential_helper.h"
#include "builder/util/base64.h"
#include "tests/testing/temp_dir.h"

namespace ignite::registry {
namespace {

using ignite::testing::TempDir;

// A docker-credential-NAME script in `dir` that answers for `server` and records what it was
// asked in dir/asked.
void write_helper(const TempDir& dir, const std::string& name, const std::string& server,
                  const std::string& answer) {
  dir.write("bin/docker-credential-" + name,
            "#!/bin/sh\n"
            "read server\n"
            "echo \"$1 $server\" >> '" +
                dir.path() +
                "/asked'\n"
                "if [ \"$server\" = '" +
                server + "' ]; then echo '" + answer +
                "'; exit 0; fi\n"
                "echo 'credentials not found in native keychain'; exit 1\n",
            0755);
}

// PATH with dir/bin first, restored afterwards.
class PathWith {
 public:
  explicit PathWith(const TempDir& dir) : old_(getenv("PATH") ? getenv("PATH") : "") {
    setenv("PATH", (dir / "bin:" + old_).c_str(), 1);
  }
  ~PathWith() { setenv("PATH", old_.c_str(), 1); }

 private:
  std::string old_;
};

TEST(DockerConfigTest, AuthsEntriesByHostWhateverTheKeyStyle) {
  const std::string json = R"({"auths": {
      "127.0.0.1:5000": {"auth": ")" +
                           base64_encode("alice:s3:cret") + R"("},
      "https://registry.example/v1/": {"username": "bob", "password": "pw"},
      "tokens.example": {"identitytoken": "refresh"},
      "broken.example": {"auth": "not base64!"}}})";
  auto config = DockerConfig::parse(json, "/home/u/.docker/config.json");
  ASSERT_TRUE(config.ok()) << config.status().to_string();
  auto alice = config->stored_for("127.0.0.1:5000");
  ASSERT_TRUE(alice.ok() && alice->has_value());
  EXPECT_EQ((*alice)->username, "alice");
  EXPECT_EQ((*alice)->password, "s3:cret");  // only the first ':' separates
  auto bob = config->stored_for("registry.example");
  ASSERT_TRUE(bob.ok() && bob->has_value());
  EXPECT_EQ((*bob)->username, "bob");
  auto none = config->stored_for("127.0.0.1:5001");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  EXPECT_EQ(config->stored_for("tokens.example").status().message(),
            "the auths entry for tokens.example in /home/u/.docker/config.json holds only an "
            "identitytoken (OAuth refresh token), which ignite-builder does not support; log in "
            "with a password or token");
  EXPECT_EQ(config->stored_for("broken.example").status().message(),
            "the auths entry for broken.example in /home/u/.docker/config.json: \"auth\" is not "
            "base64 of USER:PASSWORD");
}

TEST(DockerConfigTest, ParseErrorsNeverQuoteTheFile) {
  auto bad = DockerConfig::parse(R"({"auths": {"x": {"auth": "c2VjcmV0OnNlY3JldA==")", "/c.json");
  EXPECT_EQ(bad.status().message(),
            "reading docker configuration /c.json: not a JSON object (contents not shown: they "
            "may hold secrets)");
  auto wrong = DockerConfig::parse(R"({"credHelpers": {"x": 1}})", "/c.json");
  EXPECT_EQ(wrong.status().message(),
            "reading docker configuration /c.json: \"credHelpers.x\" is not a string");
}

TEST(DockerConfigTest, MissingFileIsAnEmptyConfiguration) {
  TempDir d;
  auto config = DockerConfig::load(d / "nothing/config.json");
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->helper_for("127.0.0.1:5000"), "");
  auto found = find_credentials(*config, "127.0.0.1:5000");
  ASSERT_TRUE(found.ok());
  EXPECT_FALSE(found->has_value());
}

TEST(DockerConfigTest, HelperChoiceFollowsDockersOrder) {
  auto config = DockerConfig::parse(
      R"({"credsStore": "store", "credHelpers": {"127.0.0.1:5000": "special"}})", "/c.json");
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->helper_for("127.0.0.1:5000"), "special");
  EXPECT_EQ(config->helper_for("other.example"), "store");
  EXPECT_EQ(docker_config_key("docker.io"), "https://index.docker.io/v1/");
  EXPECT_EQ(docker_config_key("127.0.0.1:5000"), "127.0.0.1:5000");
}

TEST(DockerConfigTest, CredentialHelperIsRunWithTheHostOnStdin) {
  TempDir d;
  write_helper(d, "ignitetest", "127.0.0.1:5000",
               R"({"ServerURL":"127.0.0.1:5000","Username":"carol","Secret":"hunter22"})");
  PathWith path(d);
  auto config = DockerConfig::parse(
      R"({"credHelpers": {"127.0.0.1:5000": "ignitetest"},
          "auths": {"127.0.0.1:5001": {"auth": ")" +
          base64_encode("dave:pw") + R"("}},
          "credsStore": "ignitetest"})",
      "/c.json");
  ASSERT_TRUE(config.ok());
  auto carol = find_credentials(*config, "127.0.0.1:5000");
  ASSERT_TRUE(carol.ok()) << carol.status().to_string();
  ASSERT_TRUE(carol->has_value());
  EXPECT_EQ((*carol)->credentials.username, "carol");
  EXPECT_EQ((*carol)->credentials.password, "hunter22");
  EXPECT_EQ((*carol)->source, "credential helper docker-credential-ignitetest");
  // The helper (credsStore) has nothing for 127.0.0.1:5001: auths answers.
  auto dave = find_credentials(*config, "127.0.0.1:5001");
  ASSERT_TRUE(dave.ok()) << dave.status().to_string();
  ASSERT_TRUE(dave->has_value());
  EXPECT_EQ((*dave)->credentials.username, "dave");
  EXPECT_EQ((*dave)->source, "auths in /c.json");
  std::string asked;
  ignite::testing::run_command("cat " + ignite::testing::shell_quote(d / "asked"), &asked);
  EXPECT_EQ(asked, "get 127.0.0.1:5000\nget 127.0.0.1:5001\n");
}

TEST(DockerConfigTest, CredentialHelperFailuresAreExplainedWithoutSecrets) {
  TempDir d;
  d.write("bin/docker-credential-broken",
          "#!/bin/sh\necho 'keyring locked' >&2\necho oops; exit 3\n", 0755);
  d.write("bin/docker-credential-token",
          "#!/bin/sh\necho '{\"Username\":\"<token>\",\"Secret\":\"refresh-me\"}'\n", 0755);
  d.write("bin/docker-credential-badjson",
          "#!/bin/sh\necho '{\"Username\":\"u\",\"Secret\":\"topsecret\"'; exit 1\n", 0755);
  PathWith path(d);
  EXPECT_EQ(run_credential_helper("broken", "r.example").status().message(),
            "getting credentials for r.example from docker-credential-broken: exit code 3: oops");
  EXPECT_EQ(run_credential_helper("absent", "r.example").status().message(),
            "getting credentials for r.example from docker-credential-absent: the program is not "
            "in PATH");
  auto token = run_credential_helper("token", "r.example");
  EXPECT_EQ(token.status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(token.status().message().find("refresh-me"), std::string::npos);
  auto bad = run_credential_helper("badjson", "r.example");
  EXPECT_EQ(bad.status().code(), Code::kUnavailable);
  EXPECT_EQ(bad.status().message().find("topsecret"), std::string::npos) << bad.status().message();
  EXPECT_EQ(run_credential_helper("../x", "r.example").status().code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace ignite::registry
