// How commands print errors and choose their output format.
#pragma once

#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "builder/util/status.h"
#include "src/cli/args.h"
#include "src/cli/commands.h"

namespace ignite::cli {

enum class OutputFormat { kText, kJson };

Result<OutputFormat> parse_output_format(std::string_view name);

// "ignite-builder: error: <message>" on stderr; returns kExitFailed.
int report_error(Io io, const Status& status);

// "ignite-builder: <message>" and the command's usage on stderr; returns kExitUsage.
int usage_error(Io io, std::string_view message, std::string_view usage);

// The start every command shares: `flags` (and --help/-h) parsed, --help answered with `usage`,
// exactly `positionals` positional arguments required (else `count_error`). Returns the
// arguments, or the exit status when the command is already over (0 after help, 2 on misuse).
std::variant<Args, int> parse_command(const std::vector<std::string>& argv, std::vector<FlagSpec> flags,
                                      std::size_t positionals, std::string_view count_error,
                                      std::string_view usage, Io io);

}  // namespace ignite::cli
