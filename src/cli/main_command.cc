#include <ostream>

#include "src/cli/commands.h"
#include "src/cli/report.h"
#include "src/version.h"

namespace ignite::cli {
namespace {

constexpr const char* kMainUsage =
    "usage: ignite-builder COMMAND [ARGS]\n"
    "\n"
    "Commands:\n"
    "  hash SOURCE [--list] [-o json]   print the codeHash v1 of a file, directory or archive\n"
    "  version                          print the builder's version\n"
    "\n"
    "Run `ignite-builder COMMAND --help` for a command's options.\n";

}  // namespace

int run_main(const std::vector<std::string>& argv, Io io) {
  if (argv.size() < 2) return usage_error(io, "no command given", kMainUsage);
  const std::string& command = argv[1];
  std::vector<std::string> rest(argv.begin() + 2, argv.end());
  if (command == "hash") return run_hash(rest, io);
  if (command == "version" || command == "--version") {
    io.out << "ignite-builder " << kBuilderVersion << "\n";
    return kExitOk;
  }
  if (command == "help" || command == "--help" || command == "-h") {
    io.out << kMainUsage;
    return kExitOk;
  }
  return usage_error(io, "unknown command \"" + command + "\"", kMainUsage);
}

}  // namespace ignite::cli
