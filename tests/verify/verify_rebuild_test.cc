// verify --rebuild through the real binary: the version built again in a scratch store from an
// independent source with the recorded inputs, and the manifest digests compared. A clean
// version rebuilds to its own digest, from --source or from its recorded git URL and commit;
// a changed source or a swapped lock fails naming the first differing layer and file; no
// source is "rebuild skipped" and another builder version "not comparable" (exit 2). On the
// synthetic base with real wheels from ../shared/wheelhouse; the last test on the real Python
// base, with bytecode.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "builder/store/sqlite.h"
#include "tests/git/git_testing.h"
#include "tests/pipeline/pipeline_testing.h"

namespace ignite::testing {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

const std::string kWheelhouse = std::string(IGNITE_SHARED_DIR) + "/wheelhouse";

bool wheelhouse_missing() {
  if (fs::is_directory(kWheelhouse)) return false;
  if (std::getenv("CI")) ADD_FAILURE() << "CI must run this test: no wheelhouse at " << kWheelhouse;
  return true;
}

// The rebuild check of a verify report (always the last line).
Json rebuild_check(const CommandResult& r) {
  const Json report = Json::parse(r.out, nullptr, false);
  EXPECT_TRUE(report.is_object()) << r.out << r.err;
  if (!report.is_object() || report["checks"].empty()) return Json::object();
  const Json& last = report["checks"].back();
  EXPECT_EQ(last["check"], "rebuild") << r.out;
  return last;
}

std::string detail(const Json& check) { return check.value("detail", std::string()); }

class VerifyRebuildTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (wheelhouse_missing()) {
      GTEST_SKIP() << "the shared wheelhouse is not at " << kWheelhouse << " (../shared is absent)";
    }
    base_ = make_synthetic_base(work_ / "base");
  }

  // Writes a source with this handler marker and these requirements ("" for none).
  std::string source(const std::string& name, const std::string& marker,
                     const std::string& requirements) {
    work_.write(name + "/handler.py", echo_handler(marker));
    if (!requirements.empty()) work_.write(name + "/requirements.txt", requirements);
    return work_ / name;
  }

  // Builds `dir` as the next version of `app`; returns build -o json's output.
  Json build(const std::string& app, const std::string& dir, const std::string& extra = "") {
    auto r = run_builder("build " + (dir.empty() ? std::string() : shell_quote(dir)) + " --app " +
                         app + " --base " + shell_quote(base_) + " --store " +
                         shell_quote(store()) + " --no-compile -o json --no-index --find-links " +
                         shell_quote(kWheelhouse) + " " + extra);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.exit_code == 0 ? Json::parse(r.out) : Json::object();
  }

  CommandResult verify(const std::string& app, const std::string& extra = "") {
    return run_builder("verify " + app + " --store " + shell_quote(store()) +
                       " -o json --rebuild " + extra);
  }

  // Runs SQL on the store's database with the record's guard dropped: what someone with write
  // access to the store could do.
  void tamper(const std::string& sql) {
    auto db = store::Database::open(store() + "/ignite.db", store::Database::Create::kNo);
    ASSERT_TRUE(db.ok()) << db.status().to_string();
    Status s = db->exec("DROP TRIGGER IF EXISTS versions_never_change; " + sql);
    ASSERT_TRUE(s.ok()) << s.to_string();
  }

  void expect_no_scratch_left() {
    if (!fs::is_directory(store() + "/tmp")) return;
    for (const auto& e : fs::directory_iterator(store() + "/tmp")) {
      EXPECT_FALSE(e.path().filename().string().starts_with("verify-rebuild-")) << e.path();
    }
  }

  std::string store() const { return work_ / "store"; }

  TempDir work_;
  std::string base_;
};

TEST_F(VerifyRebuildTest, AVersionWithDependenciesRebuildsToItsOwnDigest) {
  const std::string src = source("src", "a", "six\nidna==3.13\n");
  const Json built = build("acme-corp/fn", src);
  auto r = verify("acme-corp/fn", "--source " + shell_quote(src));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  const Json c = rebuild_check(r);
  EXPECT_EQ(c["result"], "PASS") << c.dump();
  EXPECT_EQ(c["expected"], built["digest"]);
  EXPECT_EQ(c["actual"], built["digest"]);
  for (const std::string& part :
       {"rebuilt from --source " + src, std::string("with the recorded lock, base sha256:"),
        std::string("SOURCE_DATE_EPOCH 0, bytecode none, record strict, as recorded"),
        std::string("wheels: 2 from the store's wheel cache"),
        std::string("the same manifest, byte for byte")}) {
    EXPECT_NE(detail(c).find(part), std::string::npos) << part << "\n" << detail(c);
  }
  expect_no_scratch_left();
}

TEST_F(VerifyRebuildTest, TheRecordedEpochIsUsed) {
  const std::string src = source("src", "e", "");
  const Json built = build("acme-corp/fn", src);
  ASSERT_TRUE(built.contains("digest"));
  // Another version of the same source under SOURCE_DATE_EPOCH: its own digest, rebuilt with
  // its own epoch, without the variable set for verify.
  auto r =
      run_builder_env("SOURCE_DATE_EPOCH=1700000000",
                      "build " + shell_quote(src) + " --app acme-corp/fn --base " +
                          shell_quote(base_) + " --store " + shell_quote(store()) + " -o json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string second = Json::parse(r.out)["digest"];
  ASSERT_NE(second, built["digest"]);
  auto v = verify("acme-corp/fn:v2", "--source " + shell_quote(src));
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
  const Json c = rebuild_check(v);
  EXPECT_EQ(c["result"], "PASS") << c.dump();
  EXPECT_EQ(c["actual"], second);
  EXPECT_NE(detail(c).find("SOURCE_DATE_EPOCH 1700000000"), std::string::npos) << detail(c);
}

TEST_F(VerifyRebuildTest, AChangedSourceFailsNamingTheAppLayerAndTheFile) {
  const std::string src = source("src", "a", "six\n");
  build("acme-corp/fn", src);
  const std::string other = source("other", "b", "six\n");
  auto r = verify("acme-corp/fn", "--source " + shell_quote(other));
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  const Json c = rebuild_check(r);
  EXPECT_EQ(c["result"], "FAIL") << c.dump();
  // The synthetic base has one layer: the host is layer 1, the dependencies 2, the app 3.
  for (const std::string& part :
       {std::string("layer 3 (the app layer) differs"), std::string("1 path differs"),
        std::string("app/handler.py: content sha256:")}) {
    EXPECT_NE(detail(c).find(part), std::string::npos) << part << "\n" << detail(c);
  }
  EXPECT_NE(r.err.find("failed verification"), std::string::npos) << r.err;
  expect_no_scratch_left();
}

TEST_F(VerifyRebuildTest, ASwappedLockFailsNamingTheDependencyLayer) {
  const std::string src = source("src", "a", "six\nidna==3.13\n");
  build("acme-corp/fn", src);
  build("acme-corp/other", source("other", "b", "six\n"));
  // acme-corp/fn's record now holds the other app's lock: the rebuild installs six alone.
  tamper(
      "UPDATE versions SET inputs = json_set(inputs, '$.lock', (SELECT json_extract(v.inputs, "
      "'$.lock') FROM versions v JOIN apps a ON a.id = v.app_id WHERE a.app = 'other')) WHERE "
      "app_id = (SELECT id FROM apps WHERE app = 'fn');");
  auto r = verify("acme-corp/fn", "--source " + shell_quote(src));
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  const Json c = rebuild_check(r);
  EXPECT_EQ(c["result"], "FAIL") << c.dump();
  for (const std::string& part : {std::string("layer 2 (the dependency layer) differs"),
                                  std::string("opt/ignite/deps/idna: only in expected")}) {
    EXPECT_NE(detail(c).find(part), std::string::npos) << part << "\n" << detail(c);
  }
}

TEST_F(VerifyRebuildTest, WithoutAnIndependentSourceTheRebuildIsSkipped) {
  build("acme-corp/fn", source("src", "a", ""));
  auto r = verify("acme-corp/fn");
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  const Json c = rebuild_check(r);
  EXPECT_EQ(c["result"], "UNVERIFIABLE") << c.dump();
  EXPECT_TRUE(detail(c).starts_with("rebuild skipped: no independent source")) << detail(c);
  EXPECT_NE(r.err.find("could not be verified: rebuild: rebuild skipped"), std::string::npos)
      << r.err;
}

TEST_F(VerifyRebuildTest, AnotherBuilderVersionIsNotComparable) {
  const std::string src = source("src", "a", "");
  build("acme-corp/fn", src);
  tamper("UPDATE versions SET inputs = json_set(inputs, '$.builderVersion', '0.0.9');");
  auto r = verify("acme-corp/fn", "--source " + shell_quote(src));
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  const Json c = rebuild_check(r);
  EXPECT_EQ(c["result"], "UNVERIFIABLE") << c.dump();
  EXPECT_TRUE(detail(c).starts_with(
      "not comparable: built by ignite-builder 0.0.9, this is ignite-builder 0.1.0"))
      << detail(c);
}

// Inputs of the wrong types (an edited record) are named, never a crash.
TEST_F(VerifyRebuildTest, RecordedInputsOfTheWrongTypeAreNamed) {
  const std::string src = source("src", "a", "");
  build("acme-corp/fn", src);
  tamper(
      "UPDATE versions SET inputs = json_set(inputs, '$.builderVersion', 7, '$.source', "
      "json('{\"git\": {\"url\": 1, \"commit\": []}}'));");
  auto r = verify("acme-corp/fn", "--source " + shell_quote(src));
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  const Json c = rebuild_check(r);
  EXPECT_EQ(c["result"], "FAIL") << c.dump();
  EXPECT_EQ(c["expected"], "inputs.builderVersion as a string") << c.dump();
}

TEST_F(VerifyRebuildTest, ABaseMissingFromTheStoreMakesItUnverifiable) {
  const std::string src = source("src", "a", "");
  const Json built = build("acme-corp/fn", src);
  auto versions = run_builder("versions acme-corp/fn -o json --store " + shell_quote(store()));
  ASSERT_EQ(versions.exit_code, 0) << versions.err;
  const std::string base = Json::parse(versions.out)["versions"][0]["baseDigest"];
  ASSERT_TRUE(fs::remove(store() + "/oci/blobs/sha256/" + base.substr(7)));
  auto r = verify("acme-corp/fn", "--source " + shell_quote(src));
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  const Json c = rebuild_check(r);
  EXPECT_EQ(c["result"], "UNVERIFIABLE") << c.dump();
  EXPECT_NE(detail(c).find("the recorded base " + base + ": its manifest is not in the store"),
            std::string::npos)
      << detail(c);
  expect_no_scratch_left();
}

TEST_F(VerifyRebuildTest, AGitVersionIsFetchedAgainByItsRecordedCommit) {
  if (std::string missing = git::testing::missing_git_tools(); !missing.empty()) {
    if (std::getenv("CI")) FAIL() << "CI must run this test: " << missing;
    GTEST_SKIP() << missing;
  }
  git::testing::TestRepo repo(work_ / "repo", work_ / "home");
  repo.write("fn/handler.py", echo_handler("git"));
  repo.write("fn/requirements.txt", "six\n");
  const std::string commit = repo.commit("first");
  const Json built =
      build("acme-corp/fn", "", "--git file://" + repo.dir() + " --ref main --subdir fn");
  ASSERT_TRUE(built.contains("digest")) << built.dump();
  // The branch moves on: the rebuild still takes the recorded commit.
  repo.write("fn/handler.py", echo_handler("later"));
  repo.commit("second");

  auto r = verify("acme-corp/fn");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  const Json c = rebuild_check(r);
  EXPECT_EQ(c["result"], "PASS") << c.dump();
  EXPECT_EQ(c["actual"], built["digest"]);
  EXPECT_NE(detail(c).find("rebuilt from git file://" + repo.dir() + " at " + commit + " (fn)"),
            std::string::npos)
      << detail(c);
  expect_no_scratch_left();
}

// On the real Python base: the dependency layer's bytecode made again by the base's own
// interpreter, from the base's layers copied out of the store.
TEST(VerifyRebuildPythonBaseTest, BytecodeIsMadeAgainAndTheDigestMatches) {
  if (wheelhouse_missing()) GTEST_SKIP() << "no wheelhouse at " << kWheelhouse;
  std::string why;
  const std::string base_store = python_base_store(&why);
  if (base_store.empty()) {
    if (std::getenv("CI")) FAIL() << "CI must run this test: " << why;
    GTEST_SKIP() << why;
  }
  TempDir work;
  work.write("src/handler.py", "import six\ndef handler(p, c):\n    return six.__name__\n");
  work.write("src/requirements.txt", "six\n");
  const std::string store = work / "store";
  auto built = run_builder("build " + shell_quote(work / "src") + " --app acme-corp/py -o json" +
                           " --store " + shell_quote(store) + " --base " +
                           shell_quote(base_store + "/oci:ignite/base:python3.11-bookworm") +
                           " --no-index --find-links " + shell_quote(kWheelhouse));
  ASSERT_EQ(built.exit_code, 0) << built.err;
  auto r = run_builder("verify acme-corp/py -o json --rebuild --store " + shell_quote(store) +
                       " --source " + shell_quote(work / "src"));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  const Json c = rebuild_check(r);
  EXPECT_EQ(c["result"], "PASS") << c.dump();
  EXPECT_EQ(c["actual"], Json::parse(built.out)["digest"]);
  EXPECT_NE(detail(c).find("bytecode compile, record strict, as recorded"), std::string::npos)
      << detail(c);
  EXPECT_TRUE(!fs::exists(store + "/tmp") || fs::is_empty(store + "/tmp"))
      << "the scratch store is left behind";
}

}  // namespace
}  // namespace ignite::testing
