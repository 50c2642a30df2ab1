// ignite-builder verify against Debian's real docker-registry: a version published with
// `build --registry` verifies from its registry reference (docker://HOST/ORG/APP:vN, no store),
// a blob tampered in the registry's storage fails naming it, another --source fails `source`,
// an unreachable registry exits 2 naming it; and a version whose base layers are kept only in
// the registry verifies from the store by reading them from there.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "builder/util/digest.h"
#include "builder/util/file_io.h"
#include "tests/pipeline/pipeline_testing.h"
#include "tests/registry/registry_servers.h"

namespace ignite::testing {
namespace {

using Json = nlohmann::json;
using registry::testing::RegistryConfig;
using registry::testing::RegistryServer;

class VerifyRegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = make_synthetic_base(work_ / "base");
    work_.write("src/handler.py", echo_handler("v"));
    work_.write("other/handler.py", echo_handler("other"));
    work_.mkdir("tmp");
  }

  // Builds src as acme-corp/fn:v1, published to the registry; returns the build's JSON.
  Json build(const std::string& base) {
    auto r = run_builder("build " + shell_quote(work_ / "src") + " --app acme-corp/fn -o json" +
                         " --base " + shell_quote(base) + " --store " + shell_quote(store()) +
                         " --registry " + registry_.host());
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.exit_code == 0 ? Json::parse(r.out) : Json::object();
  }

  // verify ARGS with TMPDIR set to the test's own tmp/ (so its scratch layout can be seen gone).
  CommandResult verify(const std::string& args) {
    return run_builder_env("TMPDIR=" + shell_quote(work_ / "tmp"), "verify " + args);
  }
  std::string reference() const { return "docker://" + registry_.host() + "/acme-corp/fn:v1"; }
  std::string store() const { return work_ / "store"; }
  Json store_blob(const std::string& digest) const {
    return Json::parse(*read_file(store() + "/oci/blobs/sha256/" + digest.substr(7)));
  }
  std::string registry_blob(const std::string& digest) const {
    const std::string hex = digest.substr(7);
    return registry_.storage() + "/docker/registry/v2/blobs/sha256/" + hex.substr(0, 2) + "/" +
           hex + "/data";
  }
  bool tmp_is_empty() const { return std::filesystem::is_empty(work_ / "tmp"); }

  TempDir work_;
  RegistryServer registry_{RegistryConfig{}};
  std::string base_;
};

const Json* find_check(const Json& report, const std::string& name) {
  for (const auto& c : report["checks"]) {
    if (c["check"] == name) return &c;
  }
  return nullptr;
}

TEST_F(VerifyRegistryTest, APublishedVersionVerifiesFromItsRegistryReference) {
  const Json built = build(base_);
  auto hashed = run_builder("hash " + shell_quote(work_ / "src"));
  ASSERT_EQ(hashed.exit_code, 0) << hashed.err;

  auto r = verify(reference() + " -o json --source " + shell_quote(work_ / "src"));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  const Json report = Json::parse(r.out);
  EXPECT_EQ(report["result"], "pass");
  EXPECT_EQ(report["digest"], built["digest"]);
  EXPECT_EQ(report["version"], 1);
  const Json* record = find_check(report, "record");
  ASSERT_NE(record, nullptr);
  EXPECT_EQ((*record)["result"], "SKIP");
  EXPECT_NE((*record)["detail"].get<std::string>().find("no version record"), std::string::npos);
  for (const auto& c : report["checks"]) {
    // No signing key at the build: no provenance, no signature.
    if (c["check"] != "record" && c["check"] != "dependencies" && c["check"] != "provenance" &&
        c["check"] != "signature") {
      EXPECT_EQ(c["result"], "PASS") << c.dump();
    }
  }
  // record, the manifest's and config's blobs, 3 layers with their diff_ids, labels, codeHash,
  // source, dependencies; sbom, provenance, signature.
  EXPECT_EQ(report["checks"].size(), 1u + 2u + 3u * 2u + 3u + 1u + 3u);
  const Json* deps = find_check(report, "dependencies");
  ASSERT_NE(deps, nullptr);
  EXPECT_EQ((*deps)["result"], "SKIP");
  EXPECT_NE(
      (*deps)["detail"].get<std::string>().find("no version record, so no lock to re-install"),
      std::string::npos)
      << deps->dump();
  const Json* code = find_check(report, "codeHash");
  ASSERT_NE(code, nullptr);
  EXPECT_EQ((*code)["actual"].get<std::string>() + "\n", hashed.out);
  EXPECT_EQ((*code)["expected"], built["codeHash"]);
  EXPECT_TRUE(tmp_is_empty()) << "the scratch layout is left behind";

  // The text form.
  auto text = verify(reference());
  EXPECT_EQ(text.exit_code, 0) << text.out << text.err;
  EXPECT_NE(text.out.find("SKIP  record  no version record"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("pass: 11 passed, 0 failed, 4 skipped, 0 unverifiable\n"),
            std::string::npos)
      << text.out;
}

TEST_F(VerifyRegistryTest, ABlobTamperedInTheRegistryFailsNamingIt) {
  const Json built = build(base_);
  const Json manifest = store_blob(built["digest"]);
  const std::string app = manifest["layers"].back()["digest"];
  const std::string path = registry_blob(app);
  auto bytes = read_file(path);
  ASSERT_TRUE(bytes.ok()) << path;
  (*bytes)[bytes->size() / 2] ^= 0x01;
  ASSERT_TRUE(write_file_atomic(path, *bytes).ok());

  auto r = verify(reference() + " -o json");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  const Json report = Json::parse(r.out);
  EXPECT_EQ(report["result"], "fail");
  const Json* blob = find_check(report, "blob " + app);
  ASSERT_NE(blob, nullptr) << r.out;
  EXPECT_EQ((*blob)["result"], "FAIL") << blob->dump();
  EXPECT_EQ((*blob)["actual"], Digest::of(*bytes).to_string()) << blob->dump();
  EXPECT_NE((*blob)["detail"].get<std::string>().find(app), std::string::npos) << blob->dump();
  EXPECT_EQ((*find_check(report, "codeHash"))["result"], "FAIL");
  EXPECT_EQ((*find_check(report, "diff_id 0"))["result"], "PASS");
  EXPECT_NE(r.err.find("failed verification"), std::string::npos) << r.err;
  EXPECT_TRUE(tmp_is_empty());
}

TEST_F(VerifyRegistryTest, AnotherSourceFailsTheSourceCheck) {
  build(base_);
  auto r = verify(reference() + " -o json --source " + shell_quote(work_ / "other"));
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  const Json report = Json::parse(r.out);
  const Json* source = find_check(report, "source");
  ASSERT_NE(source, nullptr) << r.out;
  EXPECT_EQ((*source)["result"], "FAIL");
  EXPECT_EQ((*find_check(report, "codeHash"))["result"], "PASS");
}

TEST_F(VerifyRegistryTest, AnUnreachableRegistryExits2NamingIt) {
  // Port 1 on loopback: nothing listens there.
  auto r = verify("docker://127.0.0.1:1/acme-corp/fn:v1 -o json");
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("127.0.0.1:1"), std::string::npos) << r.err;
  EXPECT_TRUE(tmp_is_empty());
}

TEST_F(VerifyRegistryTest, ABareReferenceStaysTheStore) {
  build(base_);
  // No store at this path: ORG/APP:vN is the store's, never the registry's.
  auto r = verify("acme-corp/fn:v1 --store " + shell_quote(work_ / "nostore") + " --registry " +
                  registry_.host());
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
}

TEST_F(VerifyRegistryTest, ARegistryBasesLayersAreReadFromTheRegistry) {
  std::string out;
  ASSERT_EQ(run_command("skopeo copy -q --format oci --dest-tls-verify=false " +
                            shell_quote("oci:" + base_) + " docker://" + registry_.host() +
                            "/library/base:1 2>&1",
                        &out),
            0)
      << out;
  const Json built = build(registry_.host() + "/library/base:1");
  const Json manifest = store_blob(built["digest"]);
  const std::string base_layer = manifest["layers"][0]["digest"];
  ASSERT_FALSE(std::filesystem::exists(store() + "/oci/blobs/sha256/" + base_layer.substr(7)))
      << "the base layer should be kept only in the registry";

  auto r = run_builder("verify acme-corp/fn:v1 -o json --store " + shell_quote(store()) +
                       " --registry " + registry_.host());
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  const Json report = Json::parse(r.out);
  EXPECT_EQ(report["result"], "pass");
  for (const auto& c : report["checks"]) {
    const bool skipped =
        c["check"] == "dependencies" || c["check"] == "provenance" || c["check"] == "signature";
    EXPECT_EQ(c["result"], skipped ? "SKIP" : "PASS") << c.dump();
  }
  const Json* blob = find_check(report, "blob " + base_layer);
  ASSERT_NE(blob, nullptr) << r.out;
  EXPECT_NE((*blob)["detail"].get<std::string>().find("read from registry " + registry_.host()),
            std::string::npos)
      << blob->dump();
  // Read into a scratch layout under the store's tmp/, removed after; never into the layout.
  EXPECT_FALSE(std::filesystem::exists(store() + "/oci/blobs/sha256/" + base_layer.substr(7)));
  std::error_code ec;
  const bool tmp_empty =
      !std::filesystem::exists(store() + "/tmp") || std::filesystem::is_empty(store() + "/tmp", ec);
  EXPECT_TRUE(tmp_empty);

  // The registry lacking the layer: UNVERIFIABLE again, with the registry's reason.
  ASSERT_EQ(run_command("rm -r " +
                            shell_quote(registry_.storage() +
                                        "/docker/registry/v2/repositories/library/base") +
                            " " +
                            shell_quote(registry_.storage() +
                                        "/docker/registry/v2/repositories/acme-corp/fn/_layers/"
                                        "sha256/" +
                                        base_layer.substr(7)) +
                            " 2>&1",
                        &out),
            0)
      << out;
  auto gone = run_builder("verify acme-corp/fn:v1 -o json --store " + shell_quote(store()));
  EXPECT_EQ(gone.exit_code, 2) << gone.out << gone.err;
  const Json lacking = Json::parse(gone.out);
  const Json* unverifiable = find_check(lacking, "blob " + base_layer);
  ASSERT_NE(unverifiable, nullptr);
  EXPECT_EQ((*unverifiable)["result"], "UNVERIFIABLE") << unverifiable->dump();
  EXPECT_NE((*unverifiable)["detail"].get<std::string>().find(registry_.host()), std::string::npos)
      << unverifiable->dump();
}

}  // namespace
}  // namespace ignite::testing
