// Docker credential helpers (the docker-credential-helpers protocol): the program
// docker-credential-NAME, found in PATH, is run as `docker-credential-NAME get` with the
// server ("127.0.0.1:5000", or "https://index.docker.io/v1/" for Docker Hub) on stdin and
// answers on stdout with {"ServerURL": ..., "Username": ..., "Secret": ...}. A helper with
// nothing for the server exits non-zero saying "credentials not found".
#pragma once

#include <chrono>
#include <string_view>

#include "builder/registry/credentials.h"
#include "builder/util/status.h"

namespace ignite::registry {

// A helper that has not answered by then is killed (it may be waiting for a keyring prompt).
inline constexpr std::chrono::seconds kCredentialHelperTimeout{30};
// Answers longer than this are refused.
inline constexpr std::size_t kCredentialHelperMaxOutput = 64 * 1024;

// NOT_FOUND when the helper has no credentials for `server`; UNAVAILABLE when it cannot be
// run, times out or fails otherwise; FAILED_PRECONDITION for an identity token (Username
// "<token>"), which is not supported. Messages name the helper and the server, and quote the
// helper's output only when it is not JSON (so never a secret it returned).
Result<Credentials> run_credential_helper(std::string_view helper, std::string_view server);

}  // namespace ignite::registry
