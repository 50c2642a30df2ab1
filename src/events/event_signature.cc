#include "src/events/event_signature.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace ignite::events {
namespace {

std::string hmac_hex(std::string_view secret, std::string_view message) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_size = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac, &mac_size);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(2 * mac_size);
  for (unsigned int i = 0; i < mac_size; ++i) {
    hex.push_back(kHex[mac[i] >> 4]);
    hex.push_back(kHex[mac[i] & 0xF]);
  }
  return hex;
}

std::string signed_text(std::string_view timestamp, std::string_view body) {
  std::string text(timestamp);
  text += '.';
  text += body;
  return text;
}

}  // namespace

std::string event_signature(std::string_view secret, std::int64_t unix_seconds,
                            std::string_view body) {
  return "sha256=" + hmac_hex(secret, signed_text(std::to_string(unix_seconds), body));
}

bool signature_matches(std::string_view secret, std::string_view timestamp, std::string_view body,
                       std::string_view signature) {
  const std::string expected = "sha256=" + hmac_hex(secret, signed_text(timestamp, body));
  return signature.size() == expected.size() &&
         CRYPTO_memcmp(signature.data(), expected.data(), expected.size()) == 0;
}

}  // namespace ignite::events
