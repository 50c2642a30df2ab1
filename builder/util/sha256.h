// SHA-256 through OpenSSL's EVP interface, incremental or one-shot.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace ignite {

using Sha256Bytes = std::array<std::uint8_t, 32>;

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(Sha256&&) noexcept;
  Sha256& operator=(Sha256&&) noexcept;
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void update(std::string_view data);
  void update(const void* data, std::size_t size);
  // Ends this hash; the object may not be updated afterwards.
  Sha256Bytes finish();
  // finish(), as 64 lowercase hex digits.
  std::string finish_hex();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

std::string sha256_hex(std::string_view data);

// Lowercase hex of arbitrary bytes.
std::string to_hex(const std::uint8_t* data, std::size_t size);
inline std::string to_hex(const Sha256Bytes& b) { return to_hex(b.data(), b.size()); }

// True for exactly 64 lowercase hex digits.
bool is_sha256_hex(std::string_view s);

}  // namespace ignite
