// DSSE envelopes: PAE, signing, the JSON form read back and written byte for byte, and what
// verification refuses.
#include "builder/attest/dsse.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "builder/util/base64.h"
#include "tests/attest/test_keys.h"

namespace ignite::attest {
namespace {

using testing::make_test_key;
using testing::TestKeyType;

struct KeyPair {
  SigningKey signer;
  VerifyingKey verifier;
};

KeyPair key_pair(TestKeyType type) {
  const auto pem = make_test_key(type);
  auto signer = SigningKey::from_pem(pem.private_pem, "test key");
  auto verifier = VerifyingKey::from_pem(pem.public_pem, "test key");
  EXPECT_TRUE(signer.ok() && verifier.ok());
  return {std::move(signer).value(), std::move(verifier).value()};
}

const std::string kStatement = R"({"_type":"https://in-toto.io/Statement/v1"})";

DsseEnvelope signed_envelope(const SigningKey& key) {
  auto envelope = sign_envelope(kInTotoPayloadType, kStatement, key);
  EXPECT_TRUE(envelope.ok()) << envelope.status().to_string();
  return std::move(envelope).value();
}

TEST(DsseTest, PaeIsTheSpecsExample) {
  // protocol.md's test vector.
  EXPECT_EQ(pae("http://example.com/HelloWorld", "hello world"),
            "DSSEv1 29 http://example.com/HelloWorld 11 hello world");
  EXPECT_EQ(pae("", ""), "DSSEv1 0  0 ");
  // Lengths are of bytes, so a type holding a space cannot shift the fields.
  EXPECT_EQ(pae("a b", std::string("\0\n", 2)), std::string("DSSEv1 3 a b 2 \0\n", 17));
}

TEST(DsseTest, SignsPaeWithTheKeyAndNamesIt) {
  for (const TestKeyType type : {TestKeyType::kEd25519, TestKeyType::kP256}) {
    const KeyPair keys = key_pair(type);
    const DsseEnvelope envelope = signed_envelope(keys.signer);
    EXPECT_EQ(envelope.payload_type, kInTotoPayloadType);
    EXPECT_EQ(envelope.payload, kStatement);
    ASSERT_EQ(envelope.signatures.size(), 1u);
    EXPECT_EQ(envelope.signatures[0].keyid, keys.signer.key_id());
    // The signature is over PAE, not over the payload alone.
    EXPECT_TRUE(
        keys.verifier.verify(pae(kInTotoPayloadType, kStatement), envelope.signatures[0].sig).ok());
    EXPECT_FALSE(keys.verifier.verify(kStatement, envelope.signatures[0].sig).ok());
    EXPECT_TRUE(verify_envelope(envelope, keys.verifier).ok());
  }
}

TEST(DsseTest, JsonHasTheDocumentedShapeAndReadsBack) {
  const DsseEnvelope envelope{"application/vnd.in-toto+json",
                              "{}",
                              {{"sha256:abc", std::string("\x01\x02\x03", 3)}, {"", "sig"}}};
  const std::string json = envelope_json(envelope);
  EXPECT_EQ(json, R"({"payload":"e30=","payloadType":"application/vnd.in-toto+json",)"
                  R"("signatures":[{"keyid":"sha256:abc","sig":"AQID"},{"keyid":"","sig":"c2ln"}]})"
                  "\n");
  auto back = parse_envelope(json, "envelope e.json");
  ASSERT_TRUE(back.ok()) << back.status().to_string();
  EXPECT_EQ(back->payload_type, envelope.payload_type);
  EXPECT_EQ(back->payload, envelope.payload);
  ASSERT_EQ(back->signatures.size(), 2u);
  EXPECT_EQ(back->signatures[0].keyid, "sha256:abc");
  EXPECT_EQ(back->signatures[0].sig, envelope.signatures[0].sig);
  EXPECT_EQ(back->signatures[1].keyid, "");
  EXPECT_EQ(envelope_json(*back), json);
}

TEST(DsseTest, TheSameEnvelopeIsTheSameBytes) {
  const KeyPair keys = key_pair(TestKeyType::kEd25519);
  const std::string first = envelope_json(signed_envelope(keys.signer));
  // Ed25519 is deterministic: signing again gives the same envelope, byte for byte.
  EXPECT_EQ(envelope_json(signed_envelope(keys.signer)), first);
  auto parsed = parse_envelope(first, "e");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(envelope_json(*parsed), first);
  EXPECT_TRUE(verify_envelope(*parsed, keys.verifier).ok());
}

TEST(DsseTest, RefusesATamperedPayloadOrType) {
  const KeyPair keys = key_pair(TestKeyType::kP256);
  const DsseEnvelope envelope = signed_envelope(keys.signer);
  const std::string refusal = "no signature verifies with key " + keys.verifier.key_id() +
                              " (signed by " + keys.signer.key_id() + ")";

  DsseEnvelope payload = envelope;
  payload.payload.back() = ']';
  EXPECT_EQ(verify_envelope(payload, keys.verifier).code(), Code::kPermissionDenied);
  EXPECT_EQ(verify_envelope(payload, keys.verifier).message(), refusal);

  DsseEnvelope type = envelope;
  type.payload_type = "application/vnd.in-toto+jsoN";
  EXPECT_EQ(verify_envelope(type, keys.verifier).message(), refusal);

  // Moving bytes between type and payload changes PAE's lengths, so it is caught too.
  DsseEnvelope shifted = envelope;
  shifted.payload_type += " ";
  shifted.payload.erase(0, 1);
  EXPECT_EQ(verify_envelope(shifted, keys.verifier).code(), Code::kPermissionDenied);

  // Through the JSON: one payload byte changed in the base64.
  nlohmann::json j = nlohmann::json::parse(envelope_json(envelope));
  j["payload"] = base64_encode(std::string(kStatement).replace(2, 1, "-"));
  auto tampered = parse_envelope(j.dump(), "e");
  ASSERT_TRUE(tampered.ok());
  EXPECT_EQ(verify_envelope(*tampered, keys.verifier).message(), refusal);
}

TEST(DsseTest, AnotherKeysSignatureBesideIsNoHarmAndNoHelp) {
  const KeyPair ours = key_pair(TestKeyType::kEd25519);
  const KeyPair theirs = key_pair(TestKeyType::kP256);
  DsseEnvelope envelope = signed_envelope(theirs.signer);
  const DsseEnvelope by_us = signed_envelope(ours.signer);
  envelope.signatures.push_back(by_us.signatures[0]);
  EXPECT_TRUE(verify_envelope(envelope, ours.verifier).ok());
  EXPECT_TRUE(verify_envelope(envelope, theirs.verifier).ok());

  // keyids are hints only: a signature claiming our key id but made by theirs does not verify,
  // and ours verifies whatever keyid it carries.
  DsseEnvelope lying = signed_envelope(theirs.signer);
  lying.signatures[0].keyid = ours.signer.key_id();
  EXPECT_EQ(verify_envelope(lying, ours.verifier).message(),
            "no signature verifies with key " + ours.verifier.key_id() + " (signed by " +
                ours.signer.key_id() + ")");
  DsseEnvelope unnamed = by_us;
  unnamed.signatures[0].keyid = "";
  EXPECT_TRUE(verify_envelope(unnamed, ours.verifier).ok());

  const KeyPair stranger = key_pair(TestKeyType::kEd25519);
  EXPECT_EQ(verify_envelope(envelope, stranger.verifier).message(),
            "no signature verifies with key " + stranger.verifier.key_id() + " (signed by " +
                theirs.signer.key_id() + ", " + ours.signer.key_id() + ")");
  unnamed.signatures[0].keyid = "evil\x1b[0m";
  EXPECT_EQ(verify_envelope(unnamed, stranger.verifier).message(),
            "no signature verifies with key " + stranger.verifier.key_id() +
                " (signed by \"evil\\x1B[0m\")");
}

TEST(DsseTest, ReadsUrlSafeAndUnpaddedBase64) {
  // "\xfb\xff" is "+/8=" in standard base64 and "-_8" in URL-safe, unpadded.
  auto envelope = parse_envelope(
      R"({"payload":"-_8","payloadType":"t","signatures":[{"sig":"+/8"}],"extra":1})", "e");
  ASSERT_TRUE(envelope.ok()) << envelope.status().to_string();
  EXPECT_EQ(envelope->payload, "\xfb\xff");
  EXPECT_EQ(envelope->signatures[0].sig, "\xfb\xff");
  EXPECT_EQ(envelope->signatures[0].keyid, "");  // unset is empty
}

struct ParseCase {
  const char* name;
  const char* json;
  const char* message;
};

class DsseParseTest : public ::testing::TestWithParam<ParseCase> {};

TEST_P(DsseParseTest, NamesWhatIsWrong) {
  auto envelope = parse_envelope(GetParam().json, "envelope e.json");
  ASSERT_FALSE(envelope.ok());
  EXPECT_EQ(envelope.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(envelope.status().message(), GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    Errors, DsseParseTest,
    ::testing::Values(
        ParseCase{"NotJson", "{", "envelope e.json: not valid JSON"},
        ParseCase{"NotAnObject", "[]", "envelope e.json: not a JSON object"},
        ParseCase{"NoPayload", R"({"payloadType":"t","signatures":[{"sig":""}]})",
                  "envelope e.json: field \"payload\" is missing"},
        ParseCase{"PayloadNotString", R"({"payload":1,"payloadType":"t","signatures":[]})",
                  "envelope e.json: field \"payload\" is not a string"},
        ParseCase{"PayloadNotBase64", R"({"payload":"a*b=","payloadType":"t","signatures":[]})",
                  "envelope e.json: field \"payload\" is not base64"},
        ParseCase{"MixedAlphabets", R"({"payload":"+-8=","payloadType":"t","signatures":[]})",
                  "envelope e.json: field \"payload\" is not base64"},
        ParseCase{"NoType", R"({"payload":"","signatures":[{"sig":""}]})",
                  "envelope e.json: field \"payloadType\" is missing"},
        ParseCase{"TypeNotString", R"({"payload":"","payloadType":[],"signatures":[]})",
                  "envelope e.json: field \"payloadType\" is not a string"},
        ParseCase{"NoSignatures", R"({"payload":"","payloadType":"t"})",
                  "envelope e.json: field \"signatures\" is missing"},
        ParseCase{"SignaturesNotArray", R"({"payload":"","payloadType":"t","signatures":{}})",
                  "envelope e.json: field \"signatures\" is not an array"},
        ParseCase{"Unsigned", R"({"payload":"","payloadType":"t","signatures":[]})",
                  "envelope e.json: field \"signatures\" is empty (not signed)"},
        ParseCase{"SignatureNotObject", R"({"payload":"","payloadType":"t","signatures":["x"]})",
                  "envelope e.json: signatures[0] is not an object"},
        ParseCase{"NoSig",
                  R"({"payload":"","payloadType":"t","signatures":[{"sig":""},{"keyid":"k"}]})",
                  "envelope e.json: signatures[1]: field \"sig\" is missing"},
        ParseCase{"SigNotBase64", R"({"payload":"","payloadType":"t","signatures":[{"sig":"!"}]})",
                  "envelope e.json: signatures[0]: field \"sig\" is not base64"},
        ParseCase{"KeyidNotString",
                  R"({"payload":"","payloadType":"t","signatures":[{"keyid":7,"sig":""}]})",
                  "envelope e.json: signatures[0]: field \"keyid\" is not a string"}),
    [](const auto& p) { return std::string(p.param.name); });

}  // namespace
}  // namespace ignite::attest
