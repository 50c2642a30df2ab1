// A build killed after each stage (IGNITE_FAULT=kill-after:<stage>) leaves a store that passes
// `store check`, and the next build gets the next number: no gap, no reuse of a recorded one.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
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

// A store built on the synthetic base, and builds of acme-corp/greet into it.
class CrashTest : public ::testing::Test {
 protected:
  // The build command for a handler marked `marker` (written into src/ first).
  std::string build_args(const std::string& marker) {
    work.write("src/handler.py", echo_handler(marker));
    return "build " + shell_quote(work / "src") + " --app acme-corp/greet -o json --base " +
           shell_quote(base) + " --store " + shell_quote(store);
  }
  CommandResult build(const std::string& marker) { return run_builder(build_args(marker)); }

  TempDir work;
  const std::string base = make_synthetic_base(work / "base");
  const std::string store = work / "store";
};

TEST_F(CrashTest, KilledAfterEveryStageLeavesAConsistentStore) {
  int n = 0;
  for (const std::string stage :
       {"intake", "base", "layers", "image", "attest", "tag", "commit", "ref"}) {
    SCOPED_TRACE("killed after " + stage);
    const std::string args = build_args("crash" + std::to_string(n++));
    const std::int64_t before = latest_version(store);

    auto killed = run_builder_env("IGNITE_FAULT=kill-after:" + stage, args);
    EXPECT_NE(killed.exit_code, 0) << "the fault hook did not fire";
    EXPECT_EQ(killed.out, "");

    auto check = run_builder("store check --store " + shell_quote(store));
    EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
    // Only a kill after the commit records a version; its ref may come later, never earlier.
    const bool committed = stage == "commit" || stage == "ref";
    const std::int64_t recorded = committed ? before + 1 : before;
    EXPECT_EQ(latest_version(store), recorded);
    const std::string ref = "oci:" + store + "/oci:acme-corp/greet:v" + std::to_string(before + 1);
    std::string out;
    EXPECT_EQ(
        run_command("skopeo inspect --raw " + shell_quote(ref) + " >/dev/null 2>&1", &out) == 0,
        stage == "ref")
        << "a ref appears only for a recorded version, and is set right after its commit";
    if (stage == "commit") {
      EXPECT_NE(check.out.find("is recorded but its ref is not set yet"), std::string::npos)
          << check.out;
    }

    auto next = run_builder(args);
    ASSERT_EQ(next.exit_code, 0) << next.err;
    EXPECT_EQ(nlohmann::json::parse(next.out)["version"].get<std::int64_t>(), recorded + 1);
    auto again = run_builder("store check --deep --store " + shell_quote(store));
    EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
    EXPECT_EQ(again.out.find("note:"), std::string::npos)
        << again.out;  // the next build set the ref
  }
}

// A build with dependencies killed while installing them (trees in the cache's temporary
// directories) or right after its layer: the next build completes, reusing what was finished.
TEST_F(CrashTest, KilledWhileInstallingDependenciesLeavesReusableCaches) {
  const std::string wheelhouse = std::string(IGNITE_SHARED_DIR) + "/wheelhouse";
  if (!std::filesystem::is_directory(wheelhouse)) {
    if (std::getenv("CI")) FAIL() << "CI must run this test: no wheelhouse at " << wheelhouse;
    GTEST_SKIP() << "the shared wheelhouse is not at " << wheelhouse << " (../shared is absent)";
  }
  work.write("src/requirements.txt", "six\nidna\n");
  const std::string sources = " --no-compile --no-index --find-links " + shell_quote(wheelhouse);
  for (const std::string stage : {"deps-installed", "deps"}) {
    SCOPED_TRACE("killed after " + stage);
    const std::string args = build_args("deps-" + stage) + sources;
    const std::int64_t before = latest_version(store);
    auto killed = run_builder_env("IGNITE_FAULT=kill-after:" + stage, args);
    EXPECT_NE(killed.exit_code, 0) << "the fault hook did not fire";
    auto check = run_builder("store check --store " + shell_quote(store));
    EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
    EXPECT_EQ(latest_version(store), before);
    auto next = run_builder(args);
    ASSERT_EQ(next.exit_code, 0) << next.err;
    const auto j = nlohmann::json::parse(next.out);
    EXPECT_EQ(j["version"].get<std::int64_t>(), before + 1);
    EXPECT_EQ(j["dependencies"]["layer"]["packages"], 2);
  }
}

// Builders of schema 1 set a version's ref before recording it, so one killed in between left a
// ref just past the app's last version, which the next build replaced. Opening such a store
// upgrades the database and removes that ref once; the next build then takes the number.
TEST_F(CrashTest, ASchemaOneLeftoverRefIsRemovedByTheUpgrade) {
  ASSERT_EQ(build("one").exit_code, 0);
  // Make it a schema-1 store with a leftover ref v2 (v1's entry under the name v2).
  const std::string script =
      "import json, sqlite3, sys\n"
      "store = sys.argv[1]\n"
      "db = sqlite3.connect(store + '/ignite.db')\n"
      "db.execute('DROP TABLE pending_tags')\n"
      "db.execute(\"UPDATE meta SET value = '1' WHERE key = 'schema_version'\")\n"
      "db.commit()\n"
      "index = json.load(open(store + '/oci/index.json'))\n"
      "entry = dict(index['manifests'][-1])\n"
      "entry['annotations'] = {'org.opencontainers.image.ref.name': 'acme-corp/greet:v2'}\n"
      "index['manifests'].append(entry)\n"
      "json.dump(index, open(store + '/oci/index.json', 'w'))\n";
  work.write("downgrade.py", script);
  std::string out;
  ASSERT_EQ(run_command("/usr/bin/python3 -I " + shell_quote(work / "downgrade.py") + " " +
                            shell_quote(store) + " 2>&1",
                        &out),
            0)
      << out;

  auto two = build("two");
  ASSERT_EQ(two.exit_code, 0) << two.err;
  auto j = nlohmann::json::parse(two.out);
  EXPECT_EQ(j["version"], 2);
  ASSERT_EQ(run_command("skopeo inspect --format '{{.Digest}}' " +
                            shell_quote("oci:" + store + "/oci:acme-corp/greet:v2"),
                        &out),
            0);
  EXPECT_EQ(out.substr(0, out.find('\n')), j["digest"]);  // the new v2, not the leftover
  EXPECT_EQ(run_builder("store check --deep --store " + shell_quote(store)).exit_code, 0);
  ASSERT_EQ(run_command("/usr/bin/python3 -I -c \"import sqlite3; print(sqlite3.connect('" + store +
                            "/ignite.db').execute(\\\"SELECT value FROM meta WHERE "
                            "key='schema_version'\\\").fetchone()[0])\"",
                        &out),
            0)
      << out;
  EXPECT_EQ(out, "4\n");  // upgraded through 2 and 3 to the current schema
}

TEST_F(CrashTest, StoreCheckFindsAMissingBlobAndAStrayRef) {
  auto built = build("x");
  ASSERT_EQ(built.exit_code, 0) << built.err;
  const std::string digest = nlohmann::json::parse(built.out)["digest"];
  std::string out;
  // Remove the manifest's blob behind the store's back.
  ASSERT_EQ(run_command("rm " + shell_quote(store + "/oci/blobs/sha256/" + digest.substr(7)), &out),
            0);
  auto check = run_builder("store check --store " + shell_quote(store));
  EXPECT_EQ(check.exit_code, 1);
  EXPECT_NE(check.out.find("problem: version acme-corp/greet:v1 (" + digest + ")"),
            std::string::npos)
      << check.out;
}

}  // namespace
}  // namespace ignite::testing

namespace ignite::testing {
namespace {

// The database is the authority for numbers: a store that lost it, or got an older copy back,
// must not hand out numbers again and move refs of published versions.
TEST_F(CrashTest, LostOrOlderDatabaseIsRefused) {
  ASSERT_EQ(build("one").exit_code, 0);
  std::string out;
  // A copy after v1: the builder closed the database, so it is whole in ignite.db.
  ASSERT_EQ(
      run_command("cp " + shell_quote(store + "/ignite.db") + " " + shell_quote(work / "old.db"),
                  &out),
      0);
  ASSERT_EQ(build("two").exit_code, 0);
  ASSERT_EQ(build("three").exit_code, 0);
  const std::string v2 = nlohmann::json::parse(
      run_builder("versions acme-corp/greet -o json --store " + shell_quote(store))
          .out)["versions"][1]["digest"];

  // An older database: its next number is 2, but v2 and v3 are published.
  ASSERT_EQ(run_command("rm -f " + shell_quote(store) + "/ignite.db* && cp " +
                            shell_quote(work / "old.db") + " " + shell_quote(store + "/ignite.db"),
                        &out),
            0);
  auto older = build("four");
  EXPECT_EQ(older.exit_code, 1);
  EXPECT_NE(older.err.find("the database is older than the layout"), std::string::npos)
      << older.err;

  // No database at all.
  ASSERT_EQ(run_command("rm -f " + shell_quote(store) + "/ignite.db*", &out), 0);
  auto lost = build("five");
  EXPECT_EQ(lost.exit_code, 1);
  EXPECT_NE(lost.err.find("ignite.db is missing, but the image layout holds version refs"),
            std::string::npos)
      << lost.err;
  auto versions = run_builder("versions acme-corp/greet --store " + shell_quote(store));
  EXPECT_EQ(versions.exit_code, 1);

  // And v2 still names what it named.
  ASSERT_EQ(run_command("skopeo inspect --raw " +
                            shell_quote("oci:" + store + "/oci:acme-corp/greet:v2") +
                            " | sha256sum | cut -d' ' -f1",
                        &out),
            0);
  EXPECT_EQ("sha256:" + out.substr(0, 64), v2);
}

}  // namespace
}  // namespace ignite::testing
