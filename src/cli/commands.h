// The ignite-builder subcommands. Each takes its arguments (after the command name) and the
// output streams, and returns the process exit status:
//   0 success, 1 the operation failed (the message says why), 2 a usage error.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace ignite::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;
inline constexpr int kExitUsage = 2;

struct Io {
  std::ostream& out;
  std::ostream& err;
};

int run_hash(const std::vector<std::string>& args, Io io);
int run_lock(const std::vector<std::string>& args, Io io);
int run_build(const std::vector<std::string>& args, Io io);
int run_publish_image(const std::vector<std::string>& args, Io io);
int run_versions(const std::vector<std::string>& args, Io io);
int run_verify(const std::vector<std::string>& args, Io io);
int run_import(const std::vector<std::string>& args, Io io);
int run_store(const std::vector<std::string>& args, Io io);
int run_submit(const std::vector<std::string>& args, Io io);
int run_worker(const std::vector<std::string>& args, Io io);
int run_builds(const std::vector<std::string>& args, Io io);
int run_cancel(const std::vector<std::string>& args, Io io);
int run_serve(const std::vector<std::string>& args, Io io);

// Dispatches argv[1] to a command; prints help and the version.
int run_main(const std::vector<std::string>& argv, Io io);

}  // namespace ignite::cli
