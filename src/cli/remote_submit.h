// `ignite-builder submit --server URL ...`: a build submitted to a running `serve` over its
// HTTP/JSON API (docs/api.md), for CI systems, and with --wait its events streamed to the
// terminal until it ends. Exit 0 on success; 1 with the reason when the build failed or was
// cancelled, or the server refused the submission (4xx); 2 on usage or transport errors (no
// answer, 5xx, an answer that is not the API's).
#pragma once

#include "src/cli/args.h"
#include "src/cli/commands.h"

namespace ignite::cli {

// The flags --server adds to submit's.
std::vector<FlagSpec> remote_submit_flags();
extern const char* const kRemoteSubmitUsage;

// Runs submit against args' --server. `args` is submit's command line with 0 positionals (with
// --git) or 1 (SOURCE).
int run_remote_submit(const Args& args, Io io, std::string_view usage);

}  // namespace ignite::cli
