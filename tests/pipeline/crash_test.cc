// A build killed after each stage (IGNITE_FAULT=kill-after:<stage>) leaves a store that passes
// `store check`, and the next build gets the next number: no gap, no reuse of a recorded one.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/pipeline/pipeline_testing.h"

namespace ignite::testing {
namespace {

std::int64_t latest_version(const std::string& store) {
  auto r = run_builder("versions acme-corp/greet -o json --store " + shell_quote(store));
  if (r.exit_code != 0) return 0;
  auto j = nlohmann::json::parse(r.out);
  return j["versions"].empty() ? 0 : j["versions"].back()["version"].get<std::int64_t>();
}

TEST(CrashTest, KilledAfterEveryStageLeavesAConsistentStore) {
  TempDir work;
  const std::string base = make_synthetic_base(work / "base");
  const std::string store = work / "store";
  int n = 0;
  for (const std::string stage : {"intake", "base", "layers", "image", "ref", "commit"}) {
    SCOPED_TRACE("killed after " + stage);
    work.write("src/handler.py", echo_handler("crash" + std::to_string(n++)));
    const std::string build = "build " + shell_quote(work / "src") + " --app acme-corp/greet -o json --base " +
                              shell_quote(base) + " --store " + shell_quote(store);
    const std::int64_t before = latest_version(store);

    auto killed = run_builder_env("IGNITE_FAULT=kill-after:" + stage, build);
    EXPECT_NE(killed.exit_code, 0) << "the fault hook did not fire";
    EXPECT_EQ(killed.out, "");

    auto check = run_builder("store check --store " + shell_quote(store));
    EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
    // Only a kill after the commit records a version.
    const std::int64_t recorded = stage == "commit" ? before + 1 : before;
    EXPECT_EQ(latest_version(store), recorded);

    auto next = run_builder(build);
    ASSERT_EQ(next.exit_code, 0) << next.err;
    EXPECT_EQ(nlohmann::json::parse(next.out)["version"].get<std::int64_t>(), recorded + 1);
    auto again = run_builder("store check --deep --store " + shell_quote(store));
    EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
  }
}

TEST(CrashTest, StoreCheckFindsAMissingBlobAndAStrayRef) {
  TempDir work;
  const std::string base = make_synthetic_base(work / "base");
  const std::string store = work / "store";
  work.write("src/handler.py", echo_handler("x"));
  auto built = run_builder("build " + shell_quote(work / "src") + " --app acme-corp/greet -o json --base " +
                           shell_quote(base) + " --store " + shell_quote(store));
  ASSERT_EQ(built.exit_code, 0) << built.err;
  const std::string digest = nlohmann::json::parse(built.out)["digest"];
  std::string out;
  // Remove the manifest's blob behind the store's back.
  ASSERT_EQ(run_command("rm " + shell_quote(store + "/oci/blobs/sha256/" + digest.substr(7)), &out), 0);
  auto check = run_builder("store check --store " + shell_quote(store));
  EXPECT_EQ(check.exit_code, 1);
  EXPECT_NE(check.out.find("problem: version acme-corp/greet:v1 (" + digest + ")"), std::string::npos)
      << check.out;
}

}  // namespace
}  // namespace ignite::testing
