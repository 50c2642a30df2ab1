// How commands print errors and choose their output format.
#pragma once

#include <string>
#include <string_view>

#include "builder/util/status.h"
#include "src/cli/commands.h"

namespace ignite::cli {

enum class OutputFormat { kText, kJson };

Result<OutputFormat> parse_output_format(std::string_view name);

// "ignite-builder: error: <message>" on stderr; returns kExitFailed.
int report_error(Io io, const Status& status);

// "ignite-builder: <message>" and the command's usage on stderr; returns kExitUsage.
int usage_error(Io io, std::string_view message, std::string_view usage);

}  // namespace ignite::cli
