// A version's attestations through the real binary: `build --signing-key` attaches an SPDX SBOM
// and a DSSE-signed SLSA provenance to the image (in the store, and in a registry under the
// fallback tag sha256-<hex>), the version record names both, and `verify --key` checks them.
// Tampering is caught and named: an SBOM with a swapped wheel, a provenance re-signed by
// another key, a provenance claiming another codeHash, a key given for a version built without
// one. Keys are made by /usr/bin/openssl, as an operator would make them.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "builder/attest/dsse.h"
#include "builder/attest/provenance.h"
#include "builder/attest/spdx_sbom.h"
#include "builder/oci/oci_layout.h"
#include "builder/oci/referrers.h"
#include "builder/store/sqlite.h"
#include "builder/util/file_io.h"
#include "tests/pipeline/pipeline_testing.h"
#include "tests/registry/registry_servers.h"

namespace ignite::testing {
namespace {

using Json = nlohmann::json;

constexpr const char* kApp = "acme-corp/fn";
const std::string kWheelhouse = std::string(IGNITE_SHARED_DIR) + "/wheelhouse";

const Json* find_check(const Json& report, const std::string& name) {
  for (const auto& c : report["checks"]) {
    if (c["check"] == name) return &c;
  }
  return nullptr;
}

std::string result_of(const Json& report, const std::string& name) {
  const Json* c = find_check(report, name);
  return c ? (*c)["result"].get<std::string>() : "(no such check)";
}

class VerifyAttestationsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::is_directory(kWheelhouse)) {
      if (std::getenv("CI")) FAIL() << "CI must run this test: no wheelhouse at " << kWheelhouse;
      GTEST_SKIP() << "the shared wheelhouse is not at " << kWheelhouse << " (../shared is absent)";
    }
    base_ = make_synthetic_base(work_ / "base");
    work_.write("src/handler.py", echo_handler("v"));
    work_.write("src/requirements.txt", "six==1.17.0\n");
    key_ = make_key("builder", "ed25519");
    other_key_ = make_key("attacker", "ed25519");
  }

  // An openssl key pair: returns the private key's path; the public one is <name>.pub.pem.
  std::string make_key(const std::string& name, const std::string& algorithm) {
    const std::string priv = work_ / (name + ".pem");
    const std::string gen =
        algorithm == "ed25519"
            ? "/usr/bin/openssl genpkey -algorithm ed25519 -out " + shell_quote(priv)
            : "/usr/bin/openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out " +
                  shell_quote(priv);
    std::string out;
    EXPECT_EQ(run_command(gen + " && /usr/bin/openssl pkey -in " + shell_quote(priv) +
                              " -pubout -out " + shell_quote(priv + ".pub.pem") + " 2>&1",
                          &out),
              0)
        << out;
    return priv;
  }

  Json build(const std::string& extra) {
    auto r = run_builder("build " + shell_quote(work_ / "src") + " --app " + kApp + " --base " +
                         shell_quote(base_) + " --store " + shell_quote(store()) +
                         " --no-compile --no-index --find-links " + shell_quote(kWheelhouse) +
                         " -o json " + extra);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.exit_code == 0 ? Json::parse(r.out) : Json::object();
  }

  CommandResult verify(const std::string& extra) {
    return run_builder(std::string("verify ") + kApp + ":v1 --store " + shell_quote(store()) +
                       " -o json " + extra);
  }

  std::string store() const { return work_ / "store"; }

  // The version record's column `column` of v1.
  std::string recorded(const std::string& column) {
    auto db = store::Database::open(store() + "/ignite.db", store::Database::Create::kNo);
    EXPECT_TRUE(db.ok());
    auto q = db->prepare("SELECT " + column + " FROM versions WHERE number = 1");
    EXPECT_TRUE(q.ok());
    auto row = q->step();
    EXPECT_TRUE(row.ok() && *row);
    return q->column_text(0);
  }

  // Replaces v1's recorded artifact `column` by a new artifact of `type` holding `document`,
  // attached to the image: what someone with write access to the store could do.
  void replace_artifact(const std::string& column, std::string_view type,
                        std::string_view media_type, const std::string& document) {
    auto layout = oci::OciLayout::open(store() + "/oci", oci::CreateLayout::kNo);
    ASSERT_TRUE(layout.ok());
    auto subject = layout->resolve(std::string(kApp) + ":v1");
    ASSERT_TRUE(subject.ok());
    auto r = oci::write_artifact(*layout, type, media_type, document, *subject, {});
    ASSERT_TRUE(r.ok()) << r.status().to_string();
    ASSERT_TRUE(oci::attach_in_layout(*layout, kApp, subject->digest, {*r}).ok());
    auto db = store::Database::open(store() + "/ignite.db", store::Database::Create::kNo);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(db->exec("DROP TRIGGER IF EXISTS versions_never_change; UPDATE versions SET " +
                         column + " = '" + r->manifest.digest.to_string() + "';")
                    .ok());
  }

  // The document of v1's recorded artifact `column`.
  std::string artifact_document(const std::string& column) {
    auto layout = oci::OciLayout::open(store() + "/oci", oci::CreateLayout::kNo);
    EXPECT_TRUE(layout.ok());
    auto bytes = layout->read_blob(*Digest::parse(recorded(column)));
    EXPECT_TRUE(bytes.ok());
    auto artifact = oci::parse_artifact_manifest(*bytes);
    EXPECT_TRUE(artifact.ok());
    return *layout->read_blob(artifact->blobs.at(0).digest);
  }

  TempDir work_;
  std::string base_;
  std::string key_;
  std::string other_key_;
};

TEST_F(VerifyAttestationsTest, ASignedVersionPassesWithItsKeyAndFailsWithAnother) {
  const Json built = build("--signing-key " + shell_quote(key_));
  ASSERT_TRUE(built.contains("attestations")) << built.dump(2);
  const std::string sbom = built["attestations"]["sbom"]["digest"];
  const std::string provenance = built["attestations"]["provenance"]["digest"];
  EXPECT_EQ(built["attestations"]["sbom"]["pythonPackages"], 1);
  EXPECT_EQ(recorded("sbom_digest"), sbom);
  EXPECT_EQ(recorded("provenance_digest"), provenance);

  auto r = verify("--key " + shell_quote(key_ + ".pub.pem"));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  Json report = Json::parse(r.out);
  EXPECT_EQ(result_of(report, "sbom"), "PASS") << r.out;
  EXPECT_EQ(result_of(report, "provenance"), "PASS") << r.out;
  EXPECT_EQ(result_of(report, "signature"), "PASS") << r.out;
  EXPECT_EQ((*find_check(report, "sbom"))["expected"], sbom);

  // The statement says what was built, from what.
  auto envelope = attest::parse_envelope(artifact_document("provenance_digest"), "test");
  ASSERT_TRUE(envelope.ok()) << envelope.status().to_string();
  auto claims = attest::read_provenance_statement(envelope->payload, "test");
  ASSERT_TRUE(claims.ok()) << claims.status().to_string();
  EXPECT_EQ(claims->subject_digest, built["digest"]);
  EXPECT_EQ(claims->code_hash, built["codeHash"]);
  EXPECT_EQ(claims->lock_hash, built["lockHash"]);
  EXPECT_EQ(claims->base_digest, built["baseDigest"]);

  // Another key: the signature check fails, naming both keys.
  r = verify("--key " + shell_quote(other_key_ + ".pub.pem"));
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  report = Json::parse(r.out);
  EXPECT_EQ(result_of(report, "signature"), "FAIL") << r.out;
  auto other = attest::VerifyingKey::load_pem_file(other_key_ + ".pub.pem");
  auto mine = attest::VerifyingKey::load_pem_file(key_ + ".pub.pem");
  ASSERT_TRUE(other.ok() && mine.ok());
  const Json& sig = *find_check(report, "signature");
  EXPECT_EQ(sig["expected"], other->key_id());
  EXPECT_NE(sig["actual"].get<std::string>().find(mine->key_id()), std::string::npos) << sig;

  // Without --key the signature is not judged.
  r = verify("");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(result_of(Json::parse(r.out), "signature"), "SKIP");
}

TEST_F(VerifyAttestationsTest, AProvenanceReSignedByAnotherKeyOrClaimingOtherInputsIsCaught) {
  build("--signing-key " + shell_quote(key_));
  auto attacker = attest::SigningKey::load_pem_file(other_key_);
  ASSERT_TRUE(attacker.ok()) << attacker.status().to_string();
  auto envelope = attest::parse_envelope(artifact_document("provenance_digest"), "test");
  ASSERT_TRUE(envelope.ok());

  // The same statement signed by the attacker: the claims hold, the signature does not.
  auto resigned = attest::sign_envelope(envelope->payload_type, envelope->payload, *attacker);
  ASSERT_TRUE(resigned.ok());
  replace_artifact("provenance_digest", attest::kInTotoPayloadType, attest::kDsseMediaType,
                   attest::envelope_json(*resigned));
  auto r = verify("--key " + shell_quote(key_ + ".pub.pem"));
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  Json report = Json::parse(r.out);
  EXPECT_EQ(result_of(report, "provenance"), "PASS") << r.out;
  EXPECT_EQ(result_of(report, "signature"), "FAIL") << r.out;

  // A statement claiming another codeHash, signed by the builder's own key: the claim is named.
  auto claims = attest::read_provenance_statement(envelope->payload, "test");
  ASSERT_TRUE(claims.ok());
  claims->code_hash = Digest::of("another source").to_string();
  auto builder_key = attest::SigningKey::load_pem_file(key_);
  ASSERT_TRUE(builder_key.ok());
  auto lying = attest::sign_envelope(attest::kInTotoPayloadType,
                                     attest::write_provenance_statement(*claims), *builder_key);
  ASSERT_TRUE(lying.ok());
  replace_artifact("provenance_digest", attest::kInTotoPayloadType, attest::kDsseMediaType,
                   attest::envelope_json(*lying));
  r = verify("--key " + shell_quote(key_ + ".pub.pem"));
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  report = Json::parse(r.out);
  EXPECT_EQ(result_of(report, "provenance"), "FAIL") << r.out;
  EXPECT_EQ(result_of(report, "signature"), "PASS") << r.out;
  EXPECT_NE((*find_check(report, "provenance"))["detail"].get<std::string>().find("codeHash"),
            std::string::npos)
      << r.out;
}

TEST_F(VerifyAttestationsTest, AnSbomWithASwappedWheelFailsNamingThePackage) {
  build("--signing-key " + shell_quote(key_));
  auto sbom = attest::read_spdx_sbom(artifact_document("sbom_digest"), "test");
  ASSERT_TRUE(sbom.ok()) << sbom.status().to_string();
  ASSERT_EQ(sbom->python.size(), 1u);
  EXPECT_EQ(sbom->python[0].name, "six");
  sbom->python[0].sha256 = std::string(64, 'e');  // another wheel's bytes
  replace_artifact("sbom_digest", attest::kSpdxMediaType, attest::kSpdxMediaType,
                   attest::write_spdx_sbom(*sbom));
  auto r = verify("");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  const Json report = Json::parse(r.out);
  EXPECT_EQ(result_of(report, "sbom"), "FAIL") << r.out;
  const std::string detail = (*find_check(report, "sbom"))["detail"];
  EXPECT_NE(detail.find("six 1.17.0"), std::string::npos) << detail;
  EXPECT_NE(detail.find(std::string(64, 'e')), std::string::npos) << detail;
}

TEST_F(VerifyAttestationsTest, AVersionBuiltWithoutAKeyHasAnSbomAndNoProvenance) {
  const Json built = build("");
  EXPECT_TRUE(built["attestations"]["provenance"].is_null()) << built.dump(2);
  EXPECT_EQ(recorded("provenance_digest"), "");
  auto r = verify("");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  Json report = Json::parse(r.out);
  EXPECT_EQ(result_of(report, "sbom"), "PASS") << r.out;
  EXPECT_EQ(result_of(report, "provenance"), "SKIP") << r.out;

  // An auditor who expects a signature is told there is none.
  r = verify("--key " + shell_quote(key_ + ".pub.pem"));
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  report = Json::parse(r.out);
  EXPECT_EQ(result_of(report, "provenance"), "FAIL") << r.out;
  EXPECT_EQ(result_of(report, "signature"), "FAIL") << r.out;
}

TEST_F(VerifyAttestationsTest, AP256KeySignsAndABadKeyFileStopsTheBuildNamingIt) {
  const std::string p256 = make_key("p256", "p256");
  build("--signing-key " + shell_quote(p256));
  auto r = verify("--key " + shell_quote(p256 + ".pub.pem"));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(result_of(Json::parse(r.out), "signature"), "PASS") << r.out;

  work_.write("rsa.pem", "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n");
  auto bad = run_builder("build " + shell_quote(work_ / "src") + " --app acme-corp/other --base " +
                         shell_quote(base_) + " --store " + shell_quote(store()) +
                         " --no-compile --no-index --find-links " + shell_quote(kWheelhouse) +
                         " --signing-key " + shell_quote(work_ / "rsa.pem"));
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.err.find(work_ / "rsa.pem"), std::string::npos) << bad.err;
  auto versions = run_builder("versions acme-corp/other --store " + shell_quote(store()));
  EXPECT_NE(versions.exit_code, 0) << versions.out;  // nothing was built

  auto missing = verify("--key " + shell_quote(work_ / "nope.pem"));
  EXPECT_EQ(missing.exit_code, 2) << missing.out << missing.err;
  EXPECT_NE(missing.err.find("nope.pem"), std::string::npos) << missing.err;
}

class VerifyAttestationsRegistryTest : public VerifyAttestationsTest {
 protected:
  registry::testing::RegistryServer registry_{registry::testing::RegistryConfig{}};
};

TEST_F(VerifyAttestationsRegistryTest, TheRegistryHoldsTheReferrersUnderTheFallbackTag) {
  const Json built =
      build("--signing-key " + shell_quote(key_) + " --registry " + registry_.host());
  ASSERT_TRUE(built.contains("digest"));
  const std::string digest = built["digest"];
  // The fallback tag's index lists both artifacts.
  std::string out;
  ASSERT_EQ(
      run_command("/usr/bin/curl -sf -H 'Accept: application/vnd.oci.image.index.v1+json' "
                  "http://" +
                      registry_.host() + "/v2/acme-corp/fn/manifests/sha256-" + digest.substr(7),
                  &out),
      0)
      << out;
  auto index = oci::parse_referrers_index(out);
  ASSERT_TRUE(index.ok()) << index.status().to_string() << "\n" << out;
  ASSERT_EQ(index->size(), 2u) << out;
  std::set<std::string> listed;
  for (const auto& r : *index) listed.insert(r.manifest.digest.to_string());
  EXPECT_TRUE(listed.count(built["attestations"]["sbom"]["digest"])) << out;
  EXPECT_TRUE(listed.count(built["attestations"]["provenance"]["digest"])) << out;

  // From the registry alone, with no store: both verify, the signature with the key.
  auto r = run_builder("verify docker://" + registry_.host() + "/" + kApp + ":v1 -o json --key " +
                       shell_quote(key_ + ".pub.pem"));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  const Json report = Json::parse(r.out);
  EXPECT_EQ(result_of(report, "sbom"), "PASS") << r.out;
  EXPECT_EQ(result_of(report, "provenance"), "PASS") << r.out;
  EXPECT_EQ(result_of(report, "signature"), "PASS") << r.out;
  r = run_builder("verify docker://" + registry_.host() + "/" + kApp + ":v1 -o json --key " +
                  shell_quote(other_key_ + ".pub.pem"));
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
}

}  // namespace
}  // namespace ignite::testing
