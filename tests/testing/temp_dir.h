// A temporary directory removed with everything in it when the object goes away.
#pragma once

#include <string>
#include <string_view>

namespace ignite::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string operator/(std::string_view rel) const { return path_ + "/" + std::string(rel); }

  // Creates parent directories as needed. Aborts the test on failure (ASSERT inside).
  void write(std::string_view rel, std::string_view data, int mode = 0644) const;
  void symlink(std::string_view rel, std::string_view target) const;
  void mkdir(std::string_view rel) const;

 private:
  std::string path_;
};

// How long run_command lets a command run: a bound so a hung child fails its test with a message
// instead of hanging it until ctest's TIMEOUT (tests/CMakeLists.txt: 900 s for cli tests), not
// an assertion on speed. The slowest command today, a debootstrap of the Python base image, takes
// a minute or two.
inline constexpr int kCommandTimeoutSeconds = 600;

// Runs a shell command (/bin/sh -c) with stdin from /dev/null under
// `/usr/bin/timeout -k 10 <timeout_seconds>`; returns its exit status (128 + N, or -1, when it
// was killed by signal N; 124 when it timed out, with a line on stderr saying so) and fills `out`
// with its stdout.
// A command may start a background process (`server &`): it outlives the command, as without
// the timeout, since timeout signals only while the command itself still runs.
int run_command(const std::string& command, std::string* out,
                int timeout_seconds = kCommandTimeoutSeconds);

// Quotes for /bin/sh.
std::string shell_quote(std::string_view s);

}  // namespace ignite::testing
