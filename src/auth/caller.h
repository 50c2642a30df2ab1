// Who makes a call: the org its token names, which scopes everything the call may see, or, in
// the development mode that checks no tokens, nobody in particular (every org).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ignite::auth {

struct Caller {
  // nullopt only in development mode: a verified token always names a valid org.
  std::optional<std::string> org{};
  std::string subject{};  // the token's "sub", for messages; "" when it has none

  static Caller development() { return Caller{}; }
  // Whether the call may see what belongs to `owner`.
  bool sees(std::string_view owner) const { return !org || *org == owner; }
};

}  // namespace ignite::auth
