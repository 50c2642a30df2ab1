#include "src/cli/report.h"

#include <ostream>

namespace ignite::cli {

Result<OutputFormat> parse_output_format(std::string_view name) {
  if (name == "text") return OutputFormat::kText;
  if (name == "json") return OutputFormat::kJson;
  return invalid_argument("unknown output format \"" + std::string(name) + "\" (use text or json)");
}

int report_error(Io io, const Status& status) {
  io.err << "ignite-builder: error: " << status.message() << " [" << code_name(status.code())
         << "]\n";
  return kExitFailed;
}

int usage_error(Io io, std::string_view message, std::string_view usage) {
  io.err << "ignite-builder: " << message << "\n" << usage;
  return kExitUsage;
}

}  // namespace ignite::cli
