// Helpers for the build pipeline's tests: a small synthetic base image, running the binary with
// an environment, and the shared Python base fixture.
#pragma once

#include <string>

#include "tests/cli/cli_testing.h"

namespace ignite::testing {

// Writes a tiny base image (a few files, no Python) into a new OCI layout under `dir` and
// returns its "DIR:REF" reference. Same bytes every time: its digest is part of golden tests.
std::string make_synthetic_base(const std::string& dir);

// Runs `SHELL_PREFIX env ENV ignite-builder ARGS` through /bin/sh (ENV like "A=1 B=2", may be
// empty; SHELL_PREFIX like "umask 077;").
CommandResult run_builder_env(const std::string& env, const std::string& args,
                              const std::string& shell_prefix = "");

// The store holding the real Python base (debootstrap), shared by every test of a run and made
// by the first that needs it (scripts/test makes it up front). Returns "" and sets `why` when it
// cannot be made here (not root, no debootstrap).
std::string python_base_store(std::string* why);

// Runs `command` with /bin/sh and returns its stdout; a non-zero exit fails the test (EXPECT),
// naming the command and its output.
std::string sh(const std::string& command);

// The port in the runtime host's "listening on 0.0.0.0:<port>" line of `log` (a file being
// written by a host started with PORT=0), waiting up to `seconds` for it; "" if it never comes.
std::string wait_for_host_port(const std::string& log, int seconds);

// A handler that echoes its payload with a marker, so sources differ by `marker`.
std::string echo_handler(const std::string& marker);

}  // namespace ignite::testing
