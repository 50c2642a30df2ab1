// `ignite-builder lock` as a user runs it: against a loopback index with credentials,
// the lock cache and --refresh, the output formats, the exit codes.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/cli/cli_testing.h"
#include "tests/index/index_server.h"

namespace ignite::testing {
namespace {

const std::string kWheelhouse = std::string(IGNITE_SHARED_DIR) + "/wheelhouse";

TEST(LockCommandTest, LocksFromAnIndexWithCredentialsThatNeverShow) {
  const std::string secret = "pa55-w0rd-x";
  IndexServer server({"--wheelhouse", kWheelhouse, "--auth", "bob:" + secret});
  ASSERT_NE(server.port(), 0);
  TempDir dir;
  dir.write("app/requirements.txt", "flask==3.1.3\n");
  const std::string common = shell_quote(dir / "app") + " --cache-dir " +
                             shell_quote(dir / "cache") + " --index-url " +
                             shell_quote(server.simple_url("bob:" + secret));

  CommandResult first = run_builder("lock " + common + " -o json");
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(first.out.find(secret), std::string::npos);
  EXPECT_EQ(first.err.find(secret), std::string::npos);
  auto j = nlohmann::json::parse(first.out);
  EXPECT_EQ(j["origin"], "resolved");
  ASSERT_EQ(j["packages"].size(), 7u);
  EXPECT_EQ(j["packages"][2]["name"], "flask");
  EXPECT_EQ(j["packages"][2]["requiredBy"][0], "requested: flask==3.1.3");
  EXPECT_EQ(j["packages"][2]["sha256"],
            "60be4fef4950749433be2c795b68a3b303b0e6d9546c156367013593ccf1d66a");
  EXPECT_EQ(j["packages"][2]["index"], server.simple_url());

  CommandResult text = run_builder("lock " + common);
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("flask==3.1.3  flask-3.1.3-py3-none-any.whl  sha256:60be4fef"),
            std::string::npos)
      << text.out;
  EXPECT_NE(text.out.find("lockHash " + j["lockHash"].get<std::string>() + " (cached, 7 packages"),
            std::string::npos)
      << text.out;

  CommandResult toml = run_builder("lock " + common + " -o toml --refresh");
  ASSERT_EQ(toml.exit_code, 0) << toml.err;
  EXPECT_EQ(toml.out, j["pylock"].get<std::string>());  // same resolution, same bytes
  EXPECT_EQ(toml.out.find(secret), std::string::npos);

  CommandResult wrong = run_builder("lock " + shell_quote(dir / "app") + " --refresh --cache-dir " +
                                    shell_quote(dir / "cache") + " --index-url " +
                                    shell_quote(server.simple_url("bob:not-" + secret)));
  EXPECT_EQ(wrong.exit_code, 1);
  EXPECT_EQ(wrong.err.find(secret), std::string::npos) << wrong.err;
  EXPECT_NE(wrong.err.find("HTTP 401 Unauthorized"), std::string::npos) << wrong.err;
  EXPECT_NE(wrong.err.find("[UNAUTHENTICATED]"), std::string::npos) << wrong.err;
}

TEST(LockCommandTest, FindLinksAndUsageErrors) {
  TempDir dir;
  dir.write("app/requirements.txt", "six\n");
  CommandResult r =
      run_builder("lock " + shell_quote(dir / "app") + " --no-index --find-links " +
                  shell_quote(kWheelhouse) + " --cache-dir " + shell_quote(dir / "cache"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("six==1.17.0  six-1.17.0-py2.py3-none-any.whl  sha256:"), std::string::npos);
  EXPECT_EQ(run_builder("lock").exit_code, 2);
  EXPECT_EQ(run_builder("lock " + shell_quote(dir / "app") + " -o yaml").exit_code, 2);
  CommandResult missing = run_builder("lock " + shell_quote(dir / "app") + " --find-links");
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("option --find-links needs a value"), std::string::npos);
  dir.write("bad/requirements.txt", "-e ./local\n");
  CommandResult bad = run_builder("lock " + shell_quote(dir / "bad") + " --no-index --cache-dir " +
                                  shell_quote(dir / "cache"));
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("[INVALID_ARGUMENT]"), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace ignite::testing
