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

std::variant<Args, int> parse_command(const std::vector<std::string>& argv, std::vector<FlagSpec> flags,
                                      std::size_t positionals, std::string_view count_error,
                                      std::string_view usage, Io io) {
  flags.push_back({"--help", "-h", false});
  auto args = Args::parse(argv, flags);
  if (!args.ok()) return usage_error(io, args.status().message(), usage);
  if (args->has("--help")) {
    io.out << usage;
    return kExitOk;
  }
  if (args->positional().size() != positionals) return usage_error(io, count_error, usage);
  return std::move(args).value();
}

}  // namespace ignite::cli
