// Keys and signatures against the real tools: keys made by `openssl genpkey`, signatures
// checked both ways with `openssl pkeyutl` / `openssl dgst`, a DSSE envelope checked by hand
// the way docs/attestations.md says, and this machine's dpkg status against dpkg-query.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "builder/attest/dsse.h"
#include "builder/attest/signing_key.h"
#include "builder/attest/spdx_sbom.h"
#include "builder/util/file_io.h"
#include "tests/testing/temp_dir.h"

namespace ignite::attest {
namespace {

using testing::run_command;
using testing::shell_quote;

const std::string kOpenssl = "/usr/bin/openssl";

class OpensslTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(kOpenssl)) GTEST_FAIL() << kOpenssl << " is missing";
  }

  std::string path(const std::string& name) const { return dir_ / name; }

  // Runs `command` in the temp dir; its output (stdout and stderr) on failure.
  int run(const std::string& command, std::string* out = nullptr) const {
    std::string text;
    const int rc =
        run_command("cd " + shell_quote(dir_.path()) + " && " + command + " 2>&1", &text);
    if (out != nullptr) *out = text;
    return rc;
  }

  void must_run(const std::string& command) const {
    std::string out;
    ASSERT_EQ(run(command, &out), 0) << command << "\n" << out;
  }

  // A key made by openssl genpkey with `args`, as key.pem and key.pub.pem under `name`.
  void genpkey(const std::string& name, const std::string& args) const {
    must_run(kOpenssl + " genpkey " + args + " -out " + name + ".pem");
    must_run(kOpenssl + " pkey -in " + name + ".pem -pubout -out " + name + ".pub.pem");
  }

  void write(const std::string& name, std::string_view data) const { dir_.write(name, data); }

  std::string read(const std::string& name) const {
    auto text = read_file(path(name));
    EXPECT_TRUE(text.ok()) << text.status().to_string();
    return text.ok() ? *text : "";
  }

  testing::TempDir dir_;
};

struct ToolCase {
  const char* name;
  const char* genpkey;  // openssl genpkey's arguments
  const char* sign;     // signs msg.bin into sig.bin with key.pem
  const char* verify;   // checks sig.bin over msg.bin with key.pub.pem (exit 0 when good)
};

class OpensslInteropTest : public OpensslTest, public ::testing::WithParamInterface<ToolCase> {
 protected:
  std::string sign_command() const { return kOpenssl + " " + GetParam().sign; }
  std::string verify_command() const { return kOpenssl + " " + GetParam().verify; }
};

TEST_P(OpensslInteropTest, KeyIdIsTheSha256OfTheDerPublicKey) {
  genpkey("key", GetParam().genpkey);
  auto signer = SigningKey::load_pem_file(path("key.pem"));
  auto verifier = VerifyingKey::load_pem_file(path("key.pub.pem"));
  ASSERT_TRUE(signer.ok()) << signer.status().to_string();
  ASSERT_TRUE(verifier.ok()) << verifier.status().to_string();
  std::string out;
  ASSERT_EQ(run(kOpenssl + " pkey -in key.pem -pubout -outform DER | sha256sum", &out), 0) << out;
  const std::string expected = "sha256:" + out.substr(0, 64);
  EXPECT_EQ(signer->key_id(), expected);
  EXPECT_EQ(verifier->key_id(), expected);
  EXPECT_EQ(signer->public_key_pem(), read("key.pub.pem"));
}

TEST_P(OpensslInteropTest, OpensslChecksOurSignatures) {
  genpkey("key", GetParam().genpkey);
  auto signer = SigningKey::load_pem_file(path("key.pem"));
  ASSERT_TRUE(signer.ok()) << signer.status().to_string();
  const std::string message = "DSSEv1 28 application/vnd.in-toto+json 2 {}";
  write("msg.bin", message);
  auto signature = signer->sign(message);
  ASSERT_TRUE(signature.ok()) << signature.status().to_string();
  write("sig.bin", *signature);
  std::string out;
  EXPECT_EQ(run(verify_command(), &out), 0) << out;

  std::string flipped = *signature;
  flipped[flipped.size() / 2] = static_cast<char>(flipped[flipped.size() / 2] ^ 0x20);
  write("sig.bin", flipped);
  EXPECT_NE(run(verify_command(), &out), 0) << out;
  write("sig.bin", *signature);
  write("msg.bin", message + " ");
  EXPECT_NE(run(verify_command(), &out), 0) << out;
}

TEST_P(OpensslInteropTest, WeCheckOpensslsSignatures) {
  genpkey("key", GetParam().genpkey);
  genpkey("other", GetParam().genpkey);
  const std::string message = "a message openssl signs";
  write("msg.bin", message);
  must_run(sign_command());
  const std::string signature = read("sig.bin");
  auto verifier = VerifyingKey::load_pem_file(path("key.pub.pem"));
  ASSERT_TRUE(verifier.ok()) << verifier.status().to_string();
  EXPECT_TRUE(verifier->verify(message, signature).ok());

  std::string flipped = signature;
  flipped[0] = static_cast<char>(flipped[0] ^ 0x01);
  EXPECT_EQ(verifier->verify(message, flipped).code(), Code::kPermissionDenied);
  auto other = VerifyingKey::load_pem_file(path("other.pub.pem"));
  ASSERT_TRUE(other.ok()) << other.status().to_string();
  EXPECT_EQ(other->verify(message, signature).message(),
            "signature does not verify with key " + other->key_id());
}

TEST_P(OpensslInteropTest, AnEnvelopeChecksByHandAsTheDocsSay) {
  genpkey("key", GetParam().genpkey);
  auto signer = SigningKey::load_pem_file(path("key.pem"));
  ASSERT_TRUE(signer.ok()) << signer.status().to_string();
  auto envelope =
      sign_envelope(kInTotoPayloadType, R"({"_type":"https://in-toto.io/Statement/v1"})", *signer);
  ASSERT_TRUE(envelope.ok()) << envelope.status().to_string();
  write("envelope.json", envelope_json(*envelope));
  // docs/attestations.md, "Checking a signature by hand".
  must_run(
      "/usr/bin/python3 -c 'import base64,json,sys; e=json.load(open(sys.argv[1])); "
      "t=e[\"payloadType\"].encode(); p=base64.b64decode(e[\"payload\"]); "
      "sys.stdout.buffer.write(b\"DSSEv1 %d %s %d %s\" % (len(t), t, len(p), p))' "
      "envelope.json > msg.bin");
  must_run(
      "/usr/bin/python3 -c 'import base64,json,sys; e=json.load(open(sys.argv[1])); "
      "sys.stdout.buffer.write(base64.b64decode(e[\"signatures\"][0][\"sig\"]))' "
      "envelope.json > sig.bin");
  EXPECT_EQ(read("msg.bin"), pae(envelope->payload_type, envelope->payload));
  std::string out;
  EXPECT_EQ(run(verify_command(), &out), 0) << out;
}

INSTANTIATE_TEST_SUITE_P(
    Algorithms, OpensslInteropTest,
    ::testing::Values(
        ToolCase{"Ed25519", "-algorithm ed25519",
                 "pkeyutl -sign -rawin -inkey key.pem -in msg.bin -out sig.bin",
                 "pkeyutl -verify -rawin -pubin -inkey key.pub.pem -in msg.bin -sigfile sig.bin"},
        ToolCase{"P256", "-algorithm EC -pkeyopt ec_paramgen_curve:P-256",
                 "dgst -sha256 -sign key.pem -out sig.bin msg.bin",
                 "dgst -sha256 -verify key.pub.pem -signature sig.bin msg.bin"}),
    [](const auto& p) { return std::string(p.param.name); });

TEST_F(OpensslTest, RefusesKeysOfOtherKinds) {
  const std::pair<const char*, const char*> refused[] = {
      {"-algorithm RSA -pkeyopt rsa_keygen_bits:2048", "RSA 2048 bits"},
      {"-algorithm EC -pkeyopt ec_paramgen_curve:secp384r1", "EC key on curve secp384r1"},
      {"-algorithm ed448", "Ed448"},
  };
  for (const auto& [args, reason] : refused) {
    genpkey("key", args);
    for (const char* file : {"key.pem", "key.pub.pem"}) {
      const Status status = VerifyingKey::load_pem_file(path(file)).status();
      EXPECT_EQ(status.message(),
                "verifying key " + path(file) + ": " + reason + "; use Ed25519 or ECDSA P-256");
    }
    EXPECT_EQ(SigningKey::load_pem_file(path("key.pem")).status().message(),
              "signing key " + path("key.pem") + ": " + reason + "; use Ed25519 or ECDSA P-256");
  }
}

TEST_F(OpensslTest, RefusesEncryptedKeysInEitherPemForm) {
  // PKCS #8 ("ENCRYPTED PRIVATE KEY") and the traditional form (Proc-Type: 4,ENCRYPTED).
  must_run(kOpenssl + " genpkey -algorithm ed25519 -aes-256-cbc -pass pass:s3cret -out p8.pem");
  must_run(kOpenssl + " ecparam -name prime256v1 -genkey -noout | " + kOpenssl +
           " ec -aes256 -passout pass:s3cret -out traditional.pem");
  ASSERT_NE(read("traditional.pem").find("Proc-Type: 4,ENCRYPTED"), std::string::npos);
  for (const char* file : {"p8.pem", "traditional.pem"}) {
    const Status status = SigningKey::load_pem_file(path(file)).status();
    EXPECT_EQ(status.code(), Code::kInvalidArgument);
    EXPECT_TRUE(status.message().starts_with("signing key " + path(file) +
                                             ": the private key is encrypted"))
        << status.message();
  }
}

TEST_F(OpensslTest, ReadsTheTraditionalEcKeyForm) {
  must_run(kOpenssl + " ecparam -name prime256v1 -genkey -noout -out ec.pem");
  ASSERT_NE(read("ec.pem").find("-----BEGIN EC PRIVATE KEY-----"), std::string::npos);
  auto key = SigningKey::load_pem_file(path("ec.pem"));
  ASSERT_TRUE(key.ok()) << key.status().to_string();
  EXPECT_EQ(key->algorithm(), KeyAlgorithm::kEcdsaP256);
}

// This machine's own dpkg database, read as a base image's would be, against dpkg-query.
TEST(DpkgStatusCliTest, AgreesWithDpkgQuery) {
  const std::string status_file = "/var/lib/dpkg/status";
  if (!std::filesystem::exists("/usr/bin/dpkg-query") || !std::filesystem::exists(status_file)) {
    GTEST_SKIP() << "not a Debian system: no dpkg-query or " << status_file;
  }
  auto text = read_file(status_file);
  ASSERT_TRUE(text.ok()) << text.status().to_string();
  auto packages = parse_dpkg_status(*text);
  ASSERT_TRUE(packages.ok()) << packages.status().to_string();
  std::vector<std::string> ours;
  for (const auto& p : *packages) ours.push_back(p.name + " " + p.architecture + " " + p.version);

  std::string out;
  ASSERT_EQ(run_command("/usr/bin/dpkg-query -W -f='${db:Status-Status} ${Package} "
                        "${Architecture} ${Version}\\n'",
                        &out),
            0);
  std::vector<std::string> theirs;
  for (std::size_t at = 0; at < out.size();) {
    const std::size_t nl = out.find('\n', at);
    const std::string line = out.substr(at, nl - at);
    at = nl == std::string::npos ? out.size() : nl + 1;
    if (line.starts_with("installed ")) theirs.push_back(line.substr(10));
  }
  std::sort(ours.begin(), ours.end());
  std::sort(theirs.begin(), theirs.end());
  EXPECT_FALSE(ours.empty());
  EXPECT_EQ(ours, theirs);
}

}  // namespace
}  // namespace ignite::attest
