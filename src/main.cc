#include <cstdlib>
#include <exception>
#include <iostream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "src/cli/commands.h"
#include "src/cli/report.h"

namespace {

// IGNITE_FAULT=throw makes main throw inside its guard, as a bug deep in a command would
// (std::bad_alloc, a library's exception): the only way a test can prove the guard below works,
// since the code is written not to throw. A test-only hook beside builder/util/fault.h's
// kill-after:<stage>; unset, it costs one getenv per process.
void fault_throw_if_asked() {
  const char* fault = std::getenv("IGNITE_FAULT");
  if (fault != nullptr && std::string_view(fault) == "throw") {
    throw std::runtime_error("IGNITE_FAULT=throw: a test-only exception");
  }
}

}  // namespace

int main(int argc, char** argv) {
  const ignite::cli::Io io{std::cout, std::cerr};
  // Errors are values and nothing is meant to throw, but an exception that does escape must end
  // the process with the usual error line and exit status 1, not std::terminate's abort and core
  // dump: callers (the worker pool, scripts) parse that line.
  try {
    fault_throw_if_asked();
    std::vector<std::string> args(argv, argv + argc);
    return ignite::cli::run_main(args, io);
  } catch (const std::exception& e) {
    return ignite::cli::report_error(
        io, ignite::internal_error(std::string("internal error: ") + e.what()));
  } catch (...) {
    return ignite::cli::report_error(
        io, ignite::internal_error("internal error: an unknown exception"));
  }
}
