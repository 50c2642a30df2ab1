// DSSE (Dead Simple Signing Envelope, v1.0): a payload, its type, and signatures over
// PAE(type, payload), in the JSON form in-toto and cosign read:
//
//   {"payload":"<base64>","payloadType":"application/vnd.in-toto+json",
//    "signatures":[{"keyid":"sha256:…","sig":"<base64>"}]}
//
// PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body, LEN as ASCII decimal.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "builder/attest/signing_key.h"
#include "builder/util/status.h"

namespace ignite::attest {

inline constexpr std::string_view kInTotoPayloadType = "application/vnd.in-toto+json";
// The media type of an envelope as a blob (an OCI artifact's layer).
inline constexpr std::string_view kDsseMediaType = "application/vnd.dsse.envelope.v1+json";

std::string pae(std::string_view payload_type, std::string_view payload);

struct DsseSignature {
  std::string keyid;
  std::string sig;  // raw signature bytes (base64 only in the JSON)
};

struct DsseEnvelope {
  std::string payload_type;
  std::string payload;  // raw bytes (base64 only in the JSON)
  std::vector<DsseSignature> signatures;
};

// One signature by `key` over PAE(payload_type, payload).
Result<DsseEnvelope> sign_envelope(std::string_view payload_type, std::string payload,
                                   const SigningKey& key);

// The JSON form: keys in the order above, no whitespace, a trailing newline. The same envelope
// always gives the same bytes.
std::string envelope_json(const DsseEnvelope& envelope);

// INVALID_ARGUMENT "<origin>: …" naming what is wrong: not JSON, a missing or non-string
// payload/payloadType, payload or sig not base64, no signatures.
Result<DsseEnvelope> parse_envelope(std::string_view json, std::string_view origin);

// OK when one of the envelope's signatures verifies with `key` over its PAE (a signature whose
// keyid names another key is still tried: keyids are hints). PERMISSION_DENIED "no signature
// verifies with key <key id> (signed by <keyids>)" otherwise.
Status verify_envelope(const DsseEnvelope& envelope, const VerifyingKey& key);

}  // namespace ignite::attest
