// serve's auth flags (docs/auth.md): the public keys, audience and org claim that tokens are
// checked against, or, with none of them, development mode: no tokens, every caller sees every
// org, and so allowed only when every listen address is loopback.
#pragma once

#include <string>
#include <vector>

#include "builder/util/status.h"
#include "src/auth/authenticator.h"
#include "src/cli/args.h"

namespace ignite::cli {

extern const std::vector<FlagSpec> kServeAuthFlags;
extern const std::string kServeAuthUsage;

struct ServeAuth {
  auth::Authenticator authenticator;
  std::string mode;  // for the startup line: "auth: ..."
};

// INVALID_ARGUMENT for flags that do not fit together (an audience without keys, keys without
// an audience); FAILED_PRECONDITION for development mode on an address that is not loopback;
// a key file's own error when it cannot be read.
Result<ServeAuth> serve_auth_from(const Args& args, const std::vector<std::string>& listen);

}  // namespace ignite::cli
