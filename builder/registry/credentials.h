// Registry credentials and where they come from. Secrets never go into a Status message or a
// log line: errors name the registry and the source, never the value.
#pragma once

#include <string>

namespace ignite::registry {

struct Credentials {
  std::string username;
  std::string password;  // a password or an access token the registry takes as one
};

struct FoundCredentials {
  Credentials credentials;
  // For messages: "the caller", "credential helper docker-credential-pass",
  // "auths in /home/u/.docker/config.json".
  std::string source;
};

}  // namespace ignite::registry
