// The WWW-Authenticate header (RFC 7235) with which a registry asks for credentials:
//   Basic realm="Registry Realm"
//   Bearer
//   realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull"
//
//   header    ::= challenge ("," challenge)*
//   challenge ::= scheme [SP (token68 | param ("," param)*)]
//   param     ::= token BWS "=" BWS (token | quoted-string)
// Scheme and parameter names are case-insensitive and come back lowercased.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "builder/util/status.h"

namespace ignite::registry {

struct AuthChallenge {
  std::string scheme;                         // "basic", "bearer"
  std::map<std::string, std::string> params;  // "realm", "service", "scope", "error", ...
  std::string token68;                        // the other form of credentials, rarely used

  std::string param(const std::string& name) const {
    auto it = params.find(name);
    return it == params.end() ? std::string() : it->second;
  }
};

// INVALID_ARGUMENT naming the offset when the header does not follow the grammar.
Result<std::vector<AuthChallenge>> parse_www_authenticate(std::string_view header);

}  // namespace ignite::registry
