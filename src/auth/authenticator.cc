#include "src/auth/authenticator.h"

#include <arpa/inet.h>

#include <string>

namespace ignite::auth {
namespace {

bool ascii_iequal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const char x = (a[i] >= 'A' && a[i] <= 'Z') ? static_cast<char>(a[i] + 32) : a[i];
    if (x != b[i]) return false;
  }
  return true;
}

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

Result<Caller> Authenticator::authenticate(std::optional<std::string_view> authorization) const {
  if (!verifier_) return Caller::development();
  if (!authorization) {
    return Status(Code::kUnauthenticated,
                  "no token: send the header \"Authorization: Bearer <JWT>\" (docs/auth.md)");
  }
  // RFC 6750 §2.1: the scheme is case-insensitive, then one or more spaces, then the token.
  const std::string_view value = trimmed(*authorization);
  const std::size_t space = value.find(' ');
  if (space == std::string_view::npos || !ascii_iequal(value.substr(0, space), "bearer")) {
    return Status(Code::kUnauthenticated,
                  "the Authorization header is not \"Bearer <JWT>\" (docs/auth.md)");
  }
  return verifier_->verify(trimmed(value.substr(space + 1)));
}

bool is_loopback_listen(std::string_view address) {
  const std::size_t colon = address.rfind(':');
  if (colon == std::string_view::npos) return false;
  std::string host(address.substr(0, colon));
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (host == "localhost") return true;
  in_addr v4{};
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) {
    return (ntohl(v4.s_addr) >> 24) == 127;
  }
  in6_addr v6{};
  return inet_pton(AF_INET6, host.c_str(), &v6) == 1 && IN6_IS_ADDR_LOOPBACK(&v6);
}

}  // namespace ignite::auth
