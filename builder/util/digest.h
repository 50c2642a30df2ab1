// Digest: a validated "sha256:<64 lowercase hex>" string, the identity of a blob, a layer,
// a manifest or a codeHash.
#pragma once

#include <compare>
#include <string>
#include <string_view>

#include "builder/util/sha256.h"
#include "builder/util/status.h"

namespace ignite {

class Digest {
 public:
  // Only sha256 is accepted: it is all OCI images and codeHash v1 use here.
  static Result<Digest> parse(std::string_view text);
  static Digest of(std::string_view data);
  static Digest from_bytes(const Sha256Bytes& bytes);

  const std::string& hex() const { return hex_; }
  std::string to_string() const { return "sha256:" + hex_; }

  friend bool operator==(const Digest&, const Digest&) = default;
  friend auto operator<=>(const Digest&, const Digest&) = default;

 private:
  explicit Digest(std::string hex) : hex_(std::move(hex)) {}
  std::string hex_;
};

}  // namespace ignite
