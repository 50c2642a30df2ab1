#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/cli/cli_testing.h"
#include "tests/testing/archive_writer.h"

namespace ignite::testing {
namespace {

constexpr const char* kHandler = "def handler(payload, ctx):\n    return payload\n";
constexpr const char* kHandlerHash =
    "sha256:2a481b9ee0b036ef6ccf7a022c88dc4bf215b7b83753540388a5923d8f3f5e22";

TEST(HashCommandTest, LoneFileIsHandlerPy) {
  TempDir dir;
  dir.write("anything.py", kHandler);
  auto r = run_builder("hash " + shell_quote(dir / "anything.py"));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, std::string(kHandlerHash) + "\n");
}

TEST(HashCommandTest, ListShowsTheHashedLines) {
  TempDir dir;
  dir.write("src/handler.py", kHandler);
  auto r = run_builder("hash --list " + shell_quote(dir / "src"));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "f 3aa4c14db3be2a27564246a63e0c93abcd6fe8c3709477d43e8d04b11cda43bc handler.py\n" +
                std::string(kHandlerHash) + "\n");
}

TEST(HashCommandTest, JsonOutput) {
  TempDir dir;
  dir.write("d.tar.gz", write_archive(ArchiveFormat::kTarGz, {TestEntry::file("handler.py", kHandler)}));
  auto r = run_builder("hash -o json --list " + shell_quote(dir / "d.tar.gz"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["codeHash"], kHandlerHash);
  EXPECT_EQ(j["version"], "v1");
  EXPECT_EQ(j["files"], 1);
  EXPECT_EQ(j["entries"][0]["path"], "handler.py");
  EXPECT_EQ(j["entries"][0]["kind"], "f");
}

TEST(HashCommandTest, RefusalExitsNonZeroNamingTheEntry) {
  TempDir dir;
  dir.write("evil.zip", write_archive(ArchiveFormat::kZip, {TestEntry::file("handler.py", kHandler),
                                                             TestEntry::file("../../x", "")}));
  auto r = run_builder("hash " + shell_quote(dir / "evil.zip"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "ignite-builder: error: reading archive " + (dir / "evil.zip") +
                       ": entry \"../../x\": path has a \"..\" component [INVALID_ARGUMENT]\n");
}

TEST(HashCommandTest, UsageErrorsExitTwo) {
  EXPECT_EQ(run_builder("hash").exit_code, 2);
  EXPECT_EQ(run_builder("hash a b").exit_code, 2);
  auto r = run_builder("hash --frobnicate x");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("unknown option --frobnicate"), std::string::npos) << r.err;
  EXPECT_EQ(run_builder("hash -o yaml x").exit_code, 2);
  EXPECT_EQ(run_builder("frobnicate").exit_code, 2);
  EXPECT_EQ(run_builder("").exit_code, 2);
}

TEST(HashCommandTest, HelpAndVersion) {
  auto r = run_builder("--help");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("hash SOURCE"), std::string::npos);
  EXPECT_EQ(run_builder("hash --help").exit_code, 0);
  EXPECT_TRUE(run_builder("version").out.starts_with("ignite-builder "));
}

}  // namespace
}  // namespace ignite::testing
