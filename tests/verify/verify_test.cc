// ignite-builder verify on versions of a store: a clean one passes every check, and each kind of
// tampering (a flipped byte, a layer whose tar is not its diff_id, a wrong label, a missing
// blob, another source) fails the check that names it, with the evidence.
#include <gtest/gtest.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "builder/oci/media_types.h"
#include "builder/oci/oci_layout.h"
#include "builder/store/sqlite.h"
#include "builder/util/file_io.h"
#include "tests/pipeline/pipeline_testing.h"

namespace ignite::testing {
namespace {

using Json = nlohmann::json;

constexpr const char* kApp = "acme-corp/fn";

class VerifyTest : public ::testing::Test {
 protected:
  void SetUp() override { base_ = make_synthetic_base(work_ / "base"); }

  // Builds `source` as the next version of kApp in the test's store; returns its codeHash.
  std::string build(const std::string& source) {
    auto r = run_builder("build " + shell_quote(source) + " --app " + kApp + " --base " +
                         shell_quote(base_) + " --store " + shell_quote(store()) + " -o json");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    if (r.exit_code != 0) return "";
    return Json::parse(r.out)["codeHash"].get<std::string>();
  }

  CommandResult verify(const std::string& extra = "") {
    return run_builder(std::string("verify ") + kApp + ":v1 --store " + shell_quote(store()) +
                       " -o json " + extra);
  }

  std::string store() const { return work_ / "store"; }
  std::string blob_path(const std::string& digest) const {
    return store() + "/oci/blobs/sha256/" + digest.substr(7);
  }
  Json blob_json(const std::string& digest) const {
    return Json::parse(*read_file(blob_path(digest)));
  }

  // The version's manifest digest, as the store records it.
  std::string manifest_digest() {
    auto r = run_builder(std::string("versions ") + kApp + " --store " + shell_quote(store()) +
                         " -o json");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return Json::parse(r.out)["versions"][0]["digest"].get<std::string>();
  }

  // Stores `manifest` as v1's manifest: the layout's ref and the version record (whose triggers
  // forbid it, so they go first) name it. What someone with write access to the store could do.
  void repoint(const Json& manifest) {
    auto layout = oci::OciLayout::open(store() + "/oci", oci::CreateLayout::kNo);
    ASSERT_TRUE(layout.ok());
    auto d = layout->add_blob(oci::kMediaTypeManifest, manifest.dump());
    ASSERT_TRUE(d.ok()) << d.status().to_string();
    ASSERT_TRUE(layout->set_ref(std::string(kApp) + ":v1", *d, oci::ExistingRef::kReplace).ok());
    auto db = store::Database::open(store() + "/ignite.db", store::Database::Create::kNo);
    ASSERT_TRUE(db.ok()) << db.status().to_string();
    ASSERT_TRUE(db->exec("DROP TRIGGER versions_never_change; UPDATE versions SET "
                         "manifest_digest = '" +
                         d->digest.to_string() + "';")
                    .ok());
  }

  // Adds `bytes` as a blob; returns its descriptor's JSON (media type, digest, size).
  Json add_blob(std::string_view media_type, const std::string& bytes) {
    auto layout = oci::OciLayout::open(store() + "/oci", oci::CreateLayout::kNo);
    EXPECT_TRUE(layout.ok());
    auto d = layout->add_blob(media_type, bytes);
    EXPECT_TRUE(d.ok());
    return {{"mediaType", std::string(media_type)},
            {"digest", d->digest.to_string()},
            {"size", d->size}};
  }

  TempDir work_;
  std::string base_;
};

const Json* find_check(const Json& report, const std::string& name) {
  for (const auto& c : report["checks"]) {
    if (c["check"] == name) return &c;
  }
  return nullptr;
}

// Every check's result, "check=RESULT", in order: the whole report at a glance.
std::vector<std::string> results(const Json& report) {
  std::vector<std::string> out;
  for (const auto& c : report["checks"]) {
    out.push_back(c["check"].get<std::string>() + "=" + c["result"].get<std::string>());
  }
  return out;
}

// A tree with what codeHash v1 distinguishes: an executable, a symlink, nested directories, and
// an empty directory (which it ignores, and the app layer leaves out).
void write_rich_source(const TempDir& dir, const std::string& at) {
  dir.write(at + "/handler.py", "import lib.util\ndef handler(p, c):\n    return p\n");
  dir.write(at + "/lib/__init__.py", "");
  dir.write(at + "/lib/util.py", "X = 1\n", 0640);
  dir.write(at + "/lib/deeper/run.sh", "#!/bin/sh\necho run\n", 0755);
  dir.symlink(at + "/util.py", "lib/util.py");
  dir.mkdir(at + "/empty/inside");
}

TEST_F(VerifyTest, ACleanVersionPassesAndItsCodeHashIsHashOfTheSource) {
  write_rich_source(work_, "src");
  const std::string recorded = build(work_ / "src");
  auto hashed = run_builder("hash " + shell_quote(work_ / "src"));
  ASSERT_EQ(hashed.exit_code, 0) << hashed.err;
  EXPECT_EQ(hashed.out, recorded + "\n");

  auto r = verify("--source " + shell_quote(work_ / "src"));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  const Json report = Json::parse(r.out);
  EXPECT_EQ(report["result"], "pass");
  // record, 3 blobs of manifest and config, 3 layers (base, host, app) with their diff_ids,
  // labels, codeHash, source; dependencies, SKIP without a lock; the SBOM, and no provenance
  // (built without a signing key) and so no signature.
  EXPECT_EQ(report["checks"].size(), 2u + 1u + 3u * 2u + 3u + 1u + 3u);
  for (const auto& c : report["checks"]) {
    const bool skipped =
        c["check"] == "dependencies" || c["check"] == "provenance" || c["check"] == "signature";
    EXPECT_EQ(c["result"], skipped ? "SKIP" : "PASS") << c.dump();
  }
  const Json& deps = report["checks"][report["checks"].size() - 4];
  EXPECT_EQ(deps["check"], "dependencies");
  EXPECT_EQ(results(report).back(), "signature=SKIP");
  EXPECT_EQ(deps["detail"],
            "version 1 records no lock: its source had no requirements.txt or pylock.toml");
  const Json* code = find_check(report, "codeHash");
  ASSERT_NE(code, nullptr);
  EXPECT_EQ((*code)["actual"], recorded);
  EXPECT_EQ((*code)["expected"], recorded);
  const Json* source = find_check(report, "source");
  ASSERT_NE(source, nullptr);
  EXPECT_EQ((*source)["expected"], recorded);

  // The text form: one line per check, the same results.
  auto text = run_builder(std::string("verify ") + kApp + " --store " + shell_quote(store()));
  EXPECT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("PASS  codeHash  " + recorded + "  ("), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("SKIP  dependencies  version 1 records no lock"), std::string::npos)
      << text.out;
  EXPECT_NE(text.out.find("pass: 12 passed, 0 failed, 3 skipped, 0 unverifiable\n"),
            std::string::npos)
      << text.out;
}

TEST_F(VerifyTest, ExamplesGreetVerifiesToTheCodeHashOfHash) {
  const std::string greet = std::string(IGNITE_SOURCE_DIR) + "/examples/greet";
  const std::string recorded = build(greet);
  auto hashed = run_builder("hash " + shell_quote(greet));
  ASSERT_EQ(hashed.exit_code, 0) << hashed.err;
  auto r = verify("--source " + shell_quote(greet));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  const Json report = Json::parse(r.out);
  const Json* code = find_check(report, "codeHash");
  ASSERT_NE(code, nullptr);
  EXPECT_EQ((*code)["actual"].get<std::string>() + "\n", hashed.out);
}

TEST_F(VerifyTest, AFlippedByteInTheAppLayerFailsItsBlobLine) {
  write_rich_source(work_, "src");
  build(work_ / "src");
  const Json manifest = blob_json(manifest_digest());
  const std::string app = manifest["layers"].back()["digest"];
  std::string bytes = *read_file(blob_path(app));
  bytes[bytes.size() / 2] ^= 0x01;
  ASSERT_TRUE(write_file_atomic(blob_path(app), bytes).ok());

  auto r = verify();
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  const Json report = Json::parse(r.out);
  EXPECT_EQ(report["result"], "fail");
  const Json* blob = find_check(report, "blob " + app);
  ASSERT_NE(blob, nullptr) << r.out;
  EXPECT_EQ((*blob)["result"], "FAIL");
  EXPECT_EQ((*blob)["expected"], app + ", " + std::to_string(bytes.size()) + " bytes");
  EXPECT_EQ((*blob)["actual"],
            Digest::of(bytes).to_string() + ", " + std::to_string(bytes.size()) + " bytes");
  EXPECT_EQ((*blob)["detail"], "layer 2");
  EXPECT_NE(r.err.find("acme-corp/fn:v1 failed verification"), std::string::npos) << r.err;
  // The other layers are untouched.
  EXPECT_EQ((*find_check(report, "diff_id 0"))["result"], "PASS");
  EXPECT_EQ((*find_check(report, "diff_id 1"))["result"], "PASS");
}

TEST_F(VerifyTest, ALayerWhoseTarIsNotItsDiffIdFailsTheDiffIdLine) {
  write_rich_source(work_, "src");
  const std::string recorded = build(work_ / "src");
  Json manifest = blob_json(manifest_digest());
  const std::string app = manifest["layers"].back()["digest"];
  // The same tree in another tar (other mtimes), under its own valid digest: the blob is what
  // its descriptor says, and the files are the same, but the tar is not the diff_id.
  TempDir x;
  sh("tar -xzf " + shell_quote(blob_path(app)) + " -C " + shell_quote(x.path()));
  sh("tar -C " + shell_quote(x.path()) +
     " --mtime=@86400 --sort=name --owner=0 --group=0 --numeric-owner -cf - app | gzip -n > " +
     shell_quote(x / "other.tar.gz"));
  const Json other = add_blob(oci::kMediaTypeLayerGzip, *read_file(x / "other.tar.gz"));
  const std::string config = manifest["config"]["digest"];
  const std::string diff_id = blob_json(config)["rootfs"]["diff_ids"][2];
  manifest["layers"][2] = other;
  repoint(manifest);

  auto r = verify();
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  const Json report = Json::parse(r.out);
  const Json* diff = find_check(report, "diff_id 2");
  ASSERT_NE(diff, nullptr);
  EXPECT_EQ((*diff)["result"], "FAIL");
  EXPECT_EQ((*diff)["expected"], diff_id);
  const std::string tar =
      sh("gzip -dc " + shell_quote(x / "other.tar.gz") + " | sha256sum | cut -c1-64");
  EXPECT_EQ((*diff)["actual"].get<std::string>() + "\n", "sha256:" + tar);
  // Nothing else is wrong: the record names the new manifest, every blob is what it says, and
  // the files still hash to the codeHash.
  EXPECT_EQ((*find_check(report, "blob " + other["digest"].get<std::string>()))["result"], "PASS");
  EXPECT_EQ((*find_check(report, "record"))["result"], "PASS");
  EXPECT_EQ((*find_check(report, "codeHash"))["actual"], recorded);
  EXPECT_EQ((*find_check(report, "codeHash"))["result"], "PASS");
}

TEST_F(VerifyTest, AWrongLabelFailsTheLabelsLineNamingIt) {
  write_rich_source(work_, "src");
  build(work_ / "src");
  Json manifest = blob_json(manifest_digest());
  Json config = blob_json(manifest["config"]["digest"]);
  config["config"]["Labels"]["dev.ignite.app"] = "someone-else";
  manifest["config"] = add_blob(oci::kMediaTypeConfig, config.dump());
  repoint(manifest);

  auto r = verify();
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  const Json report = Json::parse(r.out);
  const Json* labels = find_check(report, "labels");
  ASSERT_NE(labels, nullptr);
  EXPECT_EQ((*labels)["result"], "FAIL");
  EXPECT_EQ((*labels)["detail"], "differs: dev.ignite.app");
  EXPECT_NE((*labels)["expected"].get<std::string>().find("dev.ignite.app=fn "), std::string::npos);
  EXPECT_NE((*labels)["actual"].get<std::string>().find("dev.ignite.app=someone-else "),
            std::string::npos);
  // Only the labels: the blobs, diff_ids and codeHash are fine (and there is no lock). The
  // SBOM, attached to the original image, does not describe this one: it fails too.
  EXPECT_EQ((*find_check(report, "sbom"))["result"], "FAIL");
  for (const auto& c : report["checks"]) {
    if (c["check"] != "labels" && c["check"] != "dependencies" && c["check"] != "sbom" &&
        c["check"] != "provenance" && c["check"] != "signature") {
      EXPECT_EQ(c["result"], "PASS") << c.dump();
    }
  }
}

TEST_F(VerifyTest, AMissingBlobFailsNamingIt) {
  write_rich_source(work_, "src");
  build(work_ / "src");
  const Json manifest = blob_json(manifest_digest());
  const std::string host = manifest["layers"][1]["digest"];
  ASSERT_EQ(::unlink(blob_path(host).c_str()), 0);

  auto r = verify();
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  const Json report = Json::parse(r.out);
  const Json* blob = find_check(report, "blob " + host);
  ASSERT_NE(blob, nullptr);
  EXPECT_EQ((*blob)["result"], "FAIL");
  EXPECT_EQ((*blob)["actual"], "missing");
  EXPECT_NE(
      (*blob)["detail"].get<std::string>().find("layer 1: blob " + host + " is not in OCI layout"),
      std::string::npos)
      << (*blob)["detail"];
  EXPECT_EQ((*find_check(report, "diff_id 1"))["result"], "FAIL");
  EXPECT_EQ((*find_check(report, "codeHash"))["result"], "PASS");
}

TEST_F(VerifyTest, AnotherSourceFailsTheSourceLine) {
  write_rich_source(work_, "src");
  const std::string recorded = build(work_ / "src");
  work_.write("other/handler.py", "def handler(p, c):\n    return b'other'\n");
  auto other = run_builder("hash " + shell_quote(work_ / "other"));
  ASSERT_EQ(other.exit_code, 0);

  auto r = verify("--source " + shell_quote(work_ / "other"));
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  const Json report = Json::parse(r.out);
  const Json* source = find_check(report, "source");
  ASSERT_NE(source, nullptr);
  EXPECT_EQ((*source)["result"], "FAIL");
  EXPECT_EQ((*source)["expected"].get<std::string>() + "\n", other.out);
  EXPECT_EQ((*source)["actual"], recorded);
  EXPECT_EQ((*find_check(report, "codeHash"))["result"], "PASS");

  // A SOURCE that cannot be read is not a failed check: the version was not verified.
  auto missing = verify("--source " + shell_quote(work_ / "nowhere"));
  EXPECT_EQ(missing.exit_code, 2) << missing.out << missing.err;
  EXPECT_NE(missing.err.find("--source " + (work_ / "nowhere")), std::string::npos) << missing.err;
}

TEST_F(VerifyTest, AnImageDraftSkipsTheCodeHashChecks) {
  write_rich_source(work_, "src");
  build(work_ / "src");
  auto published = run_builder("publish-image " + shell_quote(store() + "/oci:" + kApp + ":v1") +
                               " --app acme-corp/img --store " + shell_quote(store()));
  ASSERT_EQ(published.exit_code, 0) << published.err;
  auto r = run_builder("verify acme-corp/img --store " + shell_quote(store()) + " -o json");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  const Json report = Json::parse(r.out);
  const std::vector<std::string> all = results(report);
  ASSERT_GE(all.size(), 5u);
  EXPECT_EQ(all[all.size() - 5], "codeHash=SKIP");
  EXPECT_EQ(all[all.size() - 4], "dependencies=SKIP");
  EXPECT_EQ(all[all.size() - 3], "sbom=SKIP");  // publish-image attaches no attestations
  EXPECT_EQ(all.back(), "signature=SKIP");
  EXPECT_EQ((*find_check(report, "dependencies"))["detail"],
            "version 1 is an image published with publish-image: it has no lock");
  EXPECT_EQ((*find_check(report, "labels"))["result"], "SKIP");
  EXPECT_NE((*find_check(report, "codeHash"))["detail"].get<std::string>().find("has no codeHash"),
            std::string::npos);
}

TEST_F(VerifyTest, UsageAndMissingVersions) {
  EXPECT_EQ(run_builder("verify").exit_code, 2);
  EXPECT_EQ(run_builder("verify acme-corp/fn:x1 --store " + shell_quote(store())).exit_code, 2);
  write_rich_source(work_, "src");
  build(work_ / "src");
  auto r = run_builder("verify acme-corp/fn:v9 --store " + shell_quote(store()));
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.err.find("[NOT_FOUND]"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace ignite::testing
