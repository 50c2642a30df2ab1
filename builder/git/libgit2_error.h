// libgit2's errors as Status values, with the code chosen by what the caller should do: a
// server that cannot be reached or answers 5xx is UNAVAILABLE (retry), a missing repository
// NOT_FOUND, refused credentials UNAUTHENTICATED or PERMISSION_DENIED, a bad certificate
// FAILED_PRECONDITION.
#pragma once

#include <string_view>

#include "builder/util/status.h"

namespace ignite::git {

// "<context>: <libgit2's message for this thread>" for the return code `rc` (< 0) of a libgit2
// call. URL credentials in libgit2's message are redacted.
Status libgit2_status(int rc, std::string_view context);

// The code for libgit2's return code, error class and message (exposed for tests).
Code libgit2_code(int rc, int error_class, std::string_view message);

}  // namespace ignite::git
