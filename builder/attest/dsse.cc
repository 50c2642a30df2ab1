#include "builder/attest/dsse.h"

#include <optional>

#include "builder/util/base64.h"
#include "builder/util/json_codec.h"
#include "builder/util/quote.h"

namespace ignite::attest {
namespace {

// DSSE allows standard or URL-safe base64 (envelope.md), and writers differ on padding: read
// either alphabet (not both in one string), padded or not. What is written is always standard
// and padded.
std::optional<std::string> decode_dsse_base64(std::string_view text) {
  std::string t(text);
  if (t.find_first_of("-_") != std::string::npos) {
    if (t.find_first_of("+/") != std::string::npos) return std::nullopt;
    for (char& c : t) {
      if (c == '-') c = '+';
      if (c == '_') c = '/';
    }
  }
  if (t.find('=') == std::string::npos) t.append((4 - t.size() % 4) % 4, '=');
  return base64_decode(t);
}

Result<std::string> base64_field(const Json& object, std::string_view key, std::string_view what) {
  IGNITE_ASSIGN_OR_RETURN(std::string text, json_string(object, key, what));
  auto bytes = decode_dsse_base64(text);
  if (!bytes) {
    return invalid_argument(std::string(what) + ": field \"" + std::string(key) +
                            "\" is not base64");
  }
  return std::move(*bytes);
}

// A keyid for an error message: as it is when it looks like one, quoted when it holds anything
// else (it comes from the envelope, which anyone may have written).
std::string printable_keyid(const std::string& keyid) {
  if (keyid.empty()) return "(no keyid)";
  for (char c : keyid) {
    if (c <= ' ' || c > '~' || c == '"' || c == '\\') return quote_text(keyid);
  }
  return keyid;
}

}  // namespace

std::string pae(std::string_view payload_type, std::string_view payload) {
  std::string out = "DSSEv1 ";
  out += std::to_string(payload_type.size());
  out += ' ';
  out += payload_type;
  out += ' ';
  out += std::to_string(payload.size());
  out += ' ';
  out += payload;
  return out;
}

Result<DsseEnvelope> sign_envelope(std::string_view payload_type, std::string payload,
                                   const SigningKey& key) {
  IGNITE_ASSIGN_OR_RETURN(std::string sig, key.sign(pae(payload_type, payload)));
  return DsseEnvelope{
      std::string(payload_type), std::move(payload), {DsseSignature{key.key_id(), std::move(sig)}}};
}

std::string envelope_json(const DsseEnvelope& envelope) {
  Json signatures = Json::array();
  for (const DsseSignature& s : envelope.signatures) {
    signatures.push_back({{"keyid", s.keyid}, {"sig", base64_encode(s.sig)}});
  }
  // nlohmann keeps keys sorted, which is the documented order: payload, payloadType,
  // signatures; keyid, sig.
  const Json j = {{"payload", base64_encode(envelope.payload)},
                  {"payloadType", envelope.payload_type},
                  {"signatures", std::move(signatures)}};
  return canonical_json_lossy(j) + "\n";
}

Result<DsseEnvelope> parse_envelope(std::string_view json, std::string_view origin) {
  IGNITE_ASSIGN_OR_RETURN(Json j, parse_json_object(json, origin));
  DsseEnvelope envelope;
  IGNITE_ASSIGN_OR_RETURN(envelope.payload, base64_field(j, "payload", origin));
  IGNITE_ASSIGN_OR_RETURN(envelope.payload_type, json_string(j, "payloadType", origin));
  IGNITE_ASSIGN_OR_RETURN(const Json* signatures, json_array(j, "signatures", origin));
  if (signatures->empty()) {
    return invalid_argument(std::string(origin) + ": field \"signatures\" is empty (not signed)");
  }
  for (std::size_t i = 0; i < signatures->size(); ++i) {
    const Json& s = (*signatures)[i];
    const std::string what = std::string(origin) + ": signatures[" + std::to_string(i) + "]";
    if (!s.is_object()) return invalid_argument(what + " is not an object");
    DsseSignature signature;
    // keyid is optional, and unset means empty (envelope.md's parsing rules).
    IGNITE_ASSIGN_OR_RETURN(signature.keyid, json_optional_string(s, "keyid", what));
    IGNITE_ASSIGN_OR_RETURN(signature.sig, base64_field(s, "sig", what));
    envelope.signatures.push_back(std::move(signature));
  }
  return envelope;
}

Status verify_envelope(const DsseEnvelope& envelope, const VerifyingKey& key) {
  const std::string message = pae(envelope.payload_type, envelope.payload);
  std::string keyids;
  for (const DsseSignature& s : envelope.signatures) {
    if (key.verify(message, s.sig).ok()) return ok_status();
    if (!keyids.empty()) keyids += ", ";
    keyids += printable_keyid(s.keyid);
  }
  if (keyids.empty()) keyids = "no one: the envelope has no signatures";
  return permission_denied("no signature verifies with key " + key.key_id() + " (signed by " +
                           keyids + ")");
}

}  // namespace ignite::attest
