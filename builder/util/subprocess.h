// Runs another program (debootstrap, python3 for bytecode, credential helpers) and waits for it.
#pragma once

#include <string>
#include <vector>

#include "builder/util/status.h"

namespace ignite {

struct SubprocessOptions {
  std::string stdout_path = "/dev/null";  // where the child's stdout goes (appended)
  std::string stderr_path = "/dev/null";  // and its stderr
  std::vector<std::string> extra_env;     // "NAME=value" added to the inherited environment
};

struct SubprocessResult {
  int exit_code = -1;  // -1 when killed by a signal
  int signal = 0;
};

// Starts argv[0] (searched in PATH) and waits. Fails only when the program cannot be started;
// a non-zero exit is reported in the result for the caller to explain.
Result<SubprocessResult> run_subprocess(const std::vector<std::string>& argv,
                                        const SubprocessOptions& options = {});

// True when `name` is an executable found in PATH.
bool program_in_path(const std::string& name);

}  // namespace ignite
