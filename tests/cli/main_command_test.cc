// The process boundary: what reaches the commands (UTF-8 only) and what leaves main when a bug
// throws (the usual error line, exit status 1, never std::terminate).
#include <gtest/gtest.h>

#include "tests/cli/cli_testing.h"

namespace ignite::testing {
namespace {

constexpr const char* kHandler = "def handler(payload, ctx):\n    return payload\n";

// What the shell would give for a name saved in Latin-1: "caf\xE9", not valid UTF-8.
const std::string kLatin1 = "caf\xE9";

TEST(MainCommandTest, ANonUtf8PathIsAUsageErrorNamingTheArgument) {
  TempDir dir;
  dir.write(kLatin1 + "/handler.py", kHandler);
  auto r = run_builder("hash -o json " + shell_quote(dir / kLatin1));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  // Argument 4 as the shell counts: hash, -o, json, the path. Its bytes are not echoed.
  EXPECT_EQ(r.err, "ignite-builder: argument 4 is not valid UTF-8 (at byte offset " +
                       std::to_string((dir / kLatin1).size() - 1) +
                       "); ignite-builder takes UTF-8 paths and references\n");
}

TEST(MainCommandTest, ANonUtf8FlagValueIsRefusedBeforeItCanReachJson) {
  // --find-links is taken out of the command line before Args::parse; its value used to reach
  // the lock's JSON output, where nlohmann::json threw and the process died in std::terminate.
  TempDir dir;
  dir.write("app/requirements.txt", "six\n");
  auto r = run_builder("lock " + shell_quote(dir / "app") + " -o json --no-index --find-links " +
                       shell_quote(dir / kLatin1));
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("ignite-builder: argument 7 is not valid UTF-8"), std::string::npos)
      << r.err;
}

TEST(MainCommandTest, ANonUtf8CommandIsRefusedToo) {
  auto r = run_builder(shell_quote("\xFF"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "ignite-builder: argument 1 is not valid UTF-8 (at byte offset 0); ignite-builder "
            "takes UTF-8 paths and references\n");
}

TEST(MainCommandTest, UnicodePathsAreTaken) {
  TempDir dir;
  dir.write("café ☕/handler.py", kHandler);
  auto r = run_builder("hash " + shell_quote(dir / "café ☕"));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.out.starts_with("sha256:")) << r.out;
}

TEST(MainCommandTest, AnExceptionThatEscapesIsReportedAsInternal) {
  // IGNITE_FAULT=throw (src/main.cc) throws inside main's guard, as a bug deep in a command would.
  TempDir tmp;
  std::string out;
  const int rc = run_command(
      "IGNITE_FAULT=throw " + std::string(IGNITE_BINARY) + " version 2>" + shell_quote(tmp / "err"),
      &out);
  std::string err;
  run_command("cat " + shell_quote(tmp / "err"), &err);
  EXPECT_EQ(rc, 1);
  EXPECT_EQ(out, "");
  EXPECT_EQ(err,
            "ignite-builder: error: internal error: IGNITE_FAULT=throw: a test-only exception "
            "[INTERNAL]\n");
}

}  // namespace
}  // namespace ignite::testing
