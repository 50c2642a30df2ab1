// Runs the real ignite-builder binary from tests.
#pragma once

#include <string>

#include "tests/testing/temp_dir.h"

namespace ignite::testing {

struct CommandResult {
  int exit_code;
  std::string out;  // stdout
  std::string err;  // stderr
};

// Runs `ignite-builder ARGS` (ARGS already shell-quoted as needed).
inline CommandResult run_builder(const std::string& args) {
  TempDir tmp;
  CommandResult r{};
  r.exit_code = run_command(std::string(IGNITE_BINARY) + " " + args + " 2>" + shell_quote(tmp / "err"), &r.out);
  run_command("cat " + shell_quote(tmp / "err"), &r.err);
  return r;
}

}  // namespace ignite::testing
