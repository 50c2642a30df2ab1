#include "builder/store/build_id.h"

#include <sys/random.h>

#include <array>
#include <cerrno>
#include <cstdint>

namespace ignite::store {
namespace {

constexpr std::string_view kPrefix = "b-";
constexpr std::size_t kRandomBytes = 16;

}  // namespace

Result<std::string> new_build_id() {
  std::array<std::uint8_t, kRandomBytes> bytes{};
  std::size_t got = 0;
  while (got < bytes.size()) {
    ssize_t n = ::getrandom(bytes.data() + got, bytes.size() - got, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_status("reading random bytes for a build id", errno);
    }
    got += static_cast<std::size_t>(n);
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id(kPrefix);
  for (std::uint8_t b : bytes) {
    id += kHex[b >> 4];
    id += kHex[b & 0xf];
  }
  return id;
}

bool is_build_id(std::string_view id) {
  if (id.size() != kPrefix.size() + 2 * kRandomBytes || id.substr(0, kPrefix.size()) != kPrefix) {
    return false;
  }
  for (char c : id.substr(kPrefix.size())) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace ignite::store
