// verify's `dependencies` check through the real binary, on the synthetic base without bytecode
// (--no-compile) and real wheels from ../shared/wheelhouse: a clean version passes; wheels are
// taken from the store's cache, --find-links, --index-url or the lock's own path, each held to
// the lock's sha256; a swapped wheel is refused and, with no other source, makes the check
// UNVERIFIABLE naming it; a dependency layer that is not what the lock installs fails naming
// the file. The real Python base, with bytecode, is the last test.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "builder/store/sqlite.h"
#include "builder/util/file_io.h"
#include "builder/util/sha256.h"
#include "tests/index/index_server.h"
#include "tests/pipeline/pipeline_testing.h"

namespace ignite::testing {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

const std::string kWheelhouse = std::string(IGNITE_SHARED_DIR) + "/wheelhouse";
const std::string kSix = "six-1.17.0-py2.py3-none-any.whl";
const std::string kIdna = "idna-3.13-py3-none-any.whl";

bool wheelhouse_missing() {
  if (fs::is_directory(kWheelhouse)) return false;
  if (std::getenv("CI")) ADD_FAILURE() << "CI must run this test: no wheelhouse at " << kWheelhouse;
  return true;
}

const Json* find_check(const Json& report, const std::string& name) {
  for (const auto& c : report["checks"]) {
    if (c["check"] == name) return &c;
  }
  return nullptr;
}

std::string text_of(const Json* check, const char* field) {
  return check ? (*check)[field].get<std::string>() : std::string("(no such check)");
}

class VerifyDepsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (wheelhouse_missing()) {
      GTEST_SKIP() << "the shared wheelhouse is not at " << kWheelhouse << " (../shared is absent)";
    }
    base_ = make_synthetic_base(work_ / "base");
    // The builds' find-links: a copy, so that a test can take the lock's paths away.
    fs::create_directories(wheels());
    for (const std::string& w : {kSix, kIdna})
      fs::copy_file(kWheelhouse + "/" + w, wheels() + "/" + w);
  }

  // Builds a source with these requirements as the next version of `app`; returns its JSON.
  Json build(const std::string& app, const std::string& requirements, const std::string& marker) {
    const std::string dir = "src-" + marker;
    work_.write(dir + "/handler.py", echo_handler(marker));
    work_.write(dir + "/requirements.txt", requirements);
    auto r = run_builder("build " + shell_quote(work_ / dir) + " --app " + app + " --base " +
                         shell_quote(base_) + " --store " + shell_quote(store()) +
                         " --no-compile -o json --no-index --find-links " + shell_quote(wheels()));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.exit_code == 0 ? Json::parse(r.out) : Json::object();
  }

  CommandResult verify(const std::string& app, const std::string& extra = "") {
    return run_builder("verify " + app + " --store " + shell_quote(store()) + " -o json " + extra);
  }

  // The dependencies check of a verify run, which must print a report.
  Json dependencies(const CommandResult& r) {
    auto report = Json::parse(r.out, nullptr, false);
    EXPECT_TRUE(report.is_object()) << r.out << r.err;
    if (!report.is_object()) return Json::object();
    const Json* c = find_check(report, "dependencies");
    EXPECT_NE(c, nullptr) << r.out;
    if (c == nullptr) return Json::object();
    // After codeHash/source, before the attestations' three lines (sbom, provenance, signature).
    const Json& checks = report["checks"];
    EXPECT_TRUE(checks.size() >= 4 && checks[checks.size() - 4]["check"] == "dependencies")
        << "not after codeHash/source and before the attestations";
    return *c;
  }

  std::string store() const { return work_ / "store"; }
  std::string wheels() const { return work_ / "wheels"; }
  std::string cached_wheel(const std::string& wheel) const {
    return store() + "/cache/blobs/sha256/" + sha256_hex(*read_file(kWheelhouse + "/" + wheel));
  }
  std::string blob_path(const std::string& digest) const {
    return store() + "/oci/blobs/sha256/" + digest.substr(7);
  }
  // Sets every version's recorded inputs to the SQL `expression` of `inputs` (the record's
  // triggers forbid it, so they go first): what someone with write access to the store could do.
  void rewrite_inputs(const std::string& expression) {
    auto db = store::Database::open(store() + "/ignite.db", store::Database::Create::kNo);
    ASSERT_TRUE(db.ok()) << db.status().to_string();
    Status s = db->exec(
        "DROP TRIGGER versions_never_change; UPDATE versions SET inputs = " + expression + ";");
    ASSERT_TRUE(s.ok()) << s.to_string();
  }

  // The store's tmp/ holds no scratch store of verify's.
  void expect_no_scratch_left() {
    if (!fs::is_directory(store() + "/tmp")) return;
    for (const auto& e : fs::directory_iterator(store() + "/tmp")) {
      EXPECT_FALSE(e.path().filename().string().starts_with("verify-deps-")) << e.path();
    }
  }

  TempDir work_;
  std::string base_;
};

TEST_F(VerifyDepsTest, ACleanVersionWithDependenciesPasses) {
  const Json built = build("acme-corp/fn", "six\nidna==3.13\n", "a");
  const std::string layer = built["dependencies"]["layer"]["digest"];
  auto versions = run_builder("versions acme-corp/fn -o json --store " + shell_quote(store()));
  ASSERT_EQ(versions.exit_code, 0) << versions.err;
  EXPECT_EQ(Json::parse(versions.out)["versions"][0]["inputs"]["deps"],
            Json({{"bytecode", "none"}, {"record", "strict"}}));

  auto r = verify("acme-corp/fn");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  const Json deps = dependencies(r);
  EXPECT_EQ(deps["result"], "PASS") << deps.dump();
  EXPECT_EQ(deps["expected"], layer);
  EXPECT_EQ(deps["actual"], layer);
  const std::string detail = deps["detail"];
  for (const std::string& part :
       {std::string("the lock's 2 packages re-installed in a scratch store (bytecode none, "
                    "record strict, as recorded; wheels: 2 from the store's wheel cache)"),
        "give the image's layer 2 " + layer + " byte for byte"}) {
    EXPECT_NE(detail.find(part), std::string::npos) << part << "\n" << detail;
  }
  expect_no_scratch_left();

  auto text = run_builder("verify acme-corp/fn --store " + shell_quote(store()));
  EXPECT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("PASS  dependencies  " + layer + "  ("), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("pass: 15 passed, 0 failed, 2 skipped, 0 unverifiable\n"),
            std::string::npos)
      << text.out;
}

TEST_F(VerifyDepsTest, WithoutTheCacheTheWheelsComeFromTheLockFindLinksOrNowhere) {
  build("acme-corp/fn", "six\nidna==3.13\n", "a");
  fs::remove_all(store() + "/cache/blobs");

  // The lock's own paths (the builds' find-links) still hold them.
  auto r = verify("acme-corp/fn");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  Json deps = dependencies(r);
  EXPECT_EQ(deps["result"], "PASS") << deps.dump();
  EXPECT_NE(text_of(&deps, "detail").find("wheels: 2 from the lock's path)"), std::string::npos)
      << deps.dump();
  EXPECT_FALSE(fs::exists(store() + "/cache/blobs")) << "verify wrote the store's wheel cache";

  // Nowhere: unverifiable, naming each wheel and where it was looked for.
  fs::remove_all(wheels());
  r = verify("acme-corp/fn");
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_EQ(Json::parse(r.out)["result"], "unverifiable");
  deps = dependencies(r);
  EXPECT_EQ(deps["result"], "UNVERIFIABLE") << deps.dump();
  EXPECT_EQ(deps["expected"], "not re-installed");
  const std::string detail = deps["detail"];
  EXPECT_NE(detail.find("2 of the lock's 2 wheels could not be had: "), std::string::npos)
      << detail;
  EXPECT_NE(detail.find("six 1.17.0: " + kSix + " (sha256 "), std::string::npos) << detail;
  EXPECT_NE(detail.find(") was looked for in: the store's wheel cache (not there); the lock's "
                        "path " +
                        wheels() + "/" + kSix + " (no such file)"),
            std::string::npos)
      << detail;
  EXPECT_NE(r.err.find("could not be verified: dependencies: 2 of the lock's 2 wheels"),
            std::string::npos)
      << r.err;
  expect_no_scratch_left();

  // --find-links with them: they come from there.
  r = verify("acme-corp/fn", "--find-links " + shell_quote(kWheelhouse));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  deps = dependencies(r);
  EXPECT_EQ(deps["result"], "PASS") << deps.dump();
  EXPECT_NE(text_of(&deps, "detail").find("wheels: 2 from find-links " + kWheelhouse + ")"),
            std::string::npos)
      << deps.dump();
}

// A swapped wheel: the store's cached six replaced by other bytes (idna's). The lock's sha256
// refuses it, the store's file is left as it is, and with no other source the check cannot be
// made; --find-links with the real wheel makes it pass.
TEST_F(VerifyDepsTest, ASwappedWheelInTheCacheIsRefusedBySha256) {
  build("acme-corp/fn", "six\nidna==3.13\n", "a");
  fs::remove_all(wheels());
  const std::string idna = *read_file(kWheelhouse + "/" + kIdna);
  ASSERT_TRUE(write_file_atomic(cached_wheel(kSix), idna).ok());

  auto r = verify("acme-corp/fn");
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  Json deps = dependencies(r);
  EXPECT_EQ(deps["result"], "UNVERIFIABLE") << deps.dump();
  const std::string detail = deps["detail"];
  EXPECT_NE(detail.find("1 of the lock's 2 wheels could not be had: six 1.17.0: " + kSix),
            std::string::npos)
      << detail;
  EXPECT_NE(detail.find("the store's wheel cache (refused: its bytes have sha256 " +
                        sha256_hex(idna) + ", not the lock's)"),
            std::string::npos)
      << detail;
  EXPECT_EQ(*read_file(cached_wheel(kSix)), idna) << "verify changed the store's cache";

  r = verify("acme-corp/fn", "-f " + shell_quote(kWheelhouse));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  deps = dependencies(r);
  EXPECT_EQ(deps["result"], "PASS") << deps.dump();
  EXPECT_NE(
      text_of(&deps, "detail")
          .find("wheels: 1 from find-links " + kWheelhouse + ", 1 from the store's wheel cache)"),
      std::string::npos)
      << deps.dump();
}

// The builder's installed-tree cache poisoned (six.py edited), then a build that reuses it: the
// image is consistent with its record (every blob, diff_id, label and codeHash passes), but its
// dependency layer is not what the lock installs, and the re-install names the file.
TEST_F(VerifyDepsTest, ALayerThatIsNotWhatTheLockInstallsFailsNamingTheFile) {
  build("acme-corp/a", "six\n", "a");
  int poisoned = 0;
  for (const auto& e : fs::directory_iterator(store() + "/cache/installed")) {
    const std::string six = e.path().string() + "/six.py";
    if (e.is_directory() && fs::exists(six)) {
      ASSERT_TRUE(write_file_atomic(six, *read_file(six) + "\nimport os  # planted\n").ok());
      ++poisoned;
    }
  }
  ASSERT_EQ(poisoned, 1);
  fs::remove_all(store() + "/cache/deps-layers");
  const Json built = build("acme-corp/b", "six\n", "b");
  const std::string layer = built["dependencies"]["layer"]["digest"];

  auto r = verify("acme-corp/b");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  const Json report = Json::parse(r.out);
  for (const auto& c : report["checks"]) {
    if (c["check"] != "dependencies" && c["check"] != "provenance" && c["check"] != "signature") {
      EXPECT_EQ(c["result"], "PASS") << c.dump();
    }
  }
  const Json deps = dependencies(r);
  EXPECT_EQ(deps["result"], "FAIL") << deps.dump();
  EXPECT_EQ(deps["actual"], layer);
  EXPECT_NE(deps["expected"], layer);
  const std::string detail = deps["detail"];
  EXPECT_NE(detail.find("1 path differs between the re-installed layer (expected) and the image's "
                        "layer 2 " +
                        layer + " (actual): opt/ignite/deps/six.py: content sha256:"),
            std::string::npos)
      << detail;
  // The clean version built before the poisoning still passes.
  EXPECT_EQ(verify("acme-corp/a").exit_code, 0);
}

// The image's dependency layer replaced by another lock's layer (the blob file overwritten): its
// blob line fails, and the dependencies line names the files that differ.
TEST_F(VerifyDepsTest, AnotherLocksLayerInPlaceOfTheImagesFailsNamingFiles) {
  const Json a = build("acme-corp/a", "six\n", "a");
  const Json c = build("acme-corp/c", "idna==3.13\n", "c");
  const std::string layer = a["dependencies"]["layer"]["digest"];
  const std::string other = c["dependencies"]["layer"]["digest"];
  fs::remove(blob_path(layer));
  fs::copy_file(blob_path(other), blob_path(layer));

  auto r = verify("acme-corp/a");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  const Json report = Json::parse(r.out);
  EXPECT_EQ(text_of(find_check(report, "blob " + layer), "result"), "FAIL");
  const Json deps = dependencies(r);
  EXPECT_EQ(deps["result"], "FAIL") << deps.dump();
  EXPECT_EQ(deps["expected"], layer) << "the re-install gives the recorded layer";
  EXPECT_EQ(deps["actual"], other);
  const std::string detail = deps["detail"];
  EXPECT_NE(detail.find(" paths differ between the re-installed layer (expected) and the image's "
                        "layer 2 " +
                        layer + " (actual): "),
            std::string::npos)
      << detail;
  EXPECT_NE(detail.find("opt/ignite/deps/idna: only in actual"), std::string::npos) << detail;
  EXPECT_NE(detail.find("; and "), std::string::npos) << "more than 5 differences: " << detail;
}

// An index that wants credentials: they come in the URL, go to its host only, and are printed
// nowhere.
TEST_F(VerifyDepsTest, WheelsComeFromAnIndex) {
  IndexServer index({"--wheelhouse", kWheelhouse, "--auth", "builder:s3cret"});
  ASSERT_NE(index.port(), 0);
  build("acme-corp/fn", "six\n", "a");
  fs::remove_all(store() + "/cache/blobs");
  fs::remove_all(wheels());

  const std::string url = index.simple_url("builder:s3cret");
  auto r = verify("acme-corp/fn", "--index-url " + shell_quote(url));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  Json deps = dependencies(r);
  EXPECT_EQ(deps["result"], "PASS") << deps.dump();
  EXPECT_NE(text_of(&deps, "detail").find("wheels: 1 from index " + index.simple_url() + ")"),
            std::string::npos)
      << deps.dump();
  EXPECT_EQ((r.out + r.err).find("s3cret"), std::string::npos) << r.out << r.err;

  // An index without the wheel's project is looked in and named; one after it has the wheel.
  r = verify("acme-corp/fn", "--index-url " + shell_quote(url + "nothing/") +
                                 " --extra-index-url " + shell_quote(url));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  r = verify("acme-corp/fn", "--index-url " + shell_quote(url + "nothing/"));
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  deps = dependencies(r);
  EXPECT_NE(text_of(&deps, "detail").find("; index " + index.simple_url() + "nothing/ (no page "),
            std::string::npos)
      << deps.dump();
  EXPECT_EQ((r.out + r.err).find("s3cret"), std::string::npos) << r.out << r.err;
}

// A version recorded before inputs.deps: bytecode is inferred from the image's layer.
TEST_F(VerifyDepsTest, AnOlderRecordHasItsBytecodeInferred) {
  build("acme-corp/fn", "six\n", "a");
  rewrite_inputs("json_remove(inputs, '$.deps')");
  auto r = verify("acme-corp/fn");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  const Json deps = dependencies(r);
  EXPECT_EQ(deps["result"], "PASS") << deps.dump();
  EXPECT_NE(text_of(&deps, "detail")
                .find("(bytecode none inferred from the image's layer (no __pycache__/*.pyc) and "
                      "record strict assumed: the record predates inputs.deps;"),
            std::string::npos)
      << deps.dump();
}

TEST_F(VerifyDepsTest, ALockAtOddsWithTheRecordFails) {
  build("acme-corp/fn", "six\n", "a");
  rewrite_inputs("json_set(inputs, '$.lock', json_extract(inputs, '$.lock') || '# x\n')");
  auto r = verify("acme-corp/fn");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  const Json deps = dependencies(r);
  EXPECT_EQ(deps["result"], "FAIL") << deps.dump();
  EXPECT_EQ(deps["detail"], "the recorded lock's text (inputs.lock) against the recorded lockHash");
}

TEST_F(VerifyDepsTest, AVersionWithoutALockSkips) {
  work_.write("plain/handler.py", echo_handler("plain"));
  ASSERT_EQ(run_builder("build " + shell_quote(work_ / "plain") + " --app acme-corp/plain --base " +
                        shell_quote(base_) + " --store " + shell_quote(store()))
                .exit_code,
            0);
  auto r = verify("acme-corp/plain");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  const Json deps = dependencies(r);
  EXPECT_EQ(deps["result"], "SKIP");
  EXPECT_EQ(deps["detail"],
            "version 1 records no lock: its source had no requirements.txt or pylock.toml");
}

TEST_F(VerifyDepsTest, BadWheelSourcesAreUsageErrorsNamingThem) {
  build("acme-corp/fn", "six\n", "a");
  auto r = verify("acme-corp/fn", "--find-links " + shell_quote(work_ / "nowhere"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--find-links " + (work_ / "nowhere") + ": not a directory"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(r.out, "");
  r = verify("acme-corp/fn", "--find-links https://example.com/wheels/");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--find-links https://example.com/wheels/: verify takes a directory"),
            std::string::npos)
      << r.err;
  r = verify("acme-corp/fn", "--index-url 'http://[x'");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--index-url: invalid URL 'http://[x'"), std::string::npos) << r.err;
  r = verify("acme-corp/fn", "--find-links");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--find-links needs a value"), std::string::npos) << r.err;
}

// On the real Python base: bytecode made by the base's own interpreter, unpacked afresh from
// the base's blobs in the scratch store, gives the image's layer byte for byte.
TEST(VerifyDepsPythonBaseTest, BytecodeIsMadeAgainByTheBasesInterpreter) {
  if (wheelhouse_missing()) GTEST_SKIP() << "no wheelhouse at " << kWheelhouse;
  std::string why;
  const std::string base_store = python_base_store(&why);
  if (base_store.empty()) {
    if (std::getenv("CI")) FAIL() << "CI must run this test: " << why;
    GTEST_SKIP() << why;
  }
  TempDir work;
  work.write("src/handler.py", "import six\ndef handler(p, c):\n    return six.__name__\n");
  work.write("src/requirements.txt", "six\nidna==3.13\n");
  const std::string store = work / "store";
  auto built = run_builder("build " + shell_quote(work / "src") + " --app acme-corp/py -o json" +
                           " --store " + shell_quote(store) + " --base " +
                           shell_quote(base_store + "/oci:ignite/base:python3.11-bookworm") +
                           " --no-index --find-links " + shell_quote(kWheelhouse));
  ASSERT_EQ(built.exit_code, 0) << built.err;
  const std::string layer = Json::parse(built.out)["dependencies"]["layer"]["digest"];

  auto r = run_builder("verify acme-corp/py -o json --store " + shell_quote(store));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  const Json report = Json::parse(r.out);
  const Json* deps = find_check(report, "dependencies");
  ASSERT_NE(deps, nullptr) << r.out;
  EXPECT_EQ((*deps)["result"], "PASS") << deps->dump();
  EXPECT_EQ((*deps)["actual"], layer);
  EXPECT_NE(text_of(deps, "detail").find("(bytecode compile, record strict, as recorded;"),
            std::string::npos)
      << deps->dump();
  EXPECT_TRUE(!fs::exists(store + "/tmp") || fs::is_empty(store + "/tmp"))
      << "the scratch store is left behind";
}

}  // namespace
}  // namespace ignite::testing
