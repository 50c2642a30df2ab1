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

// Runs a shell command; returns its exit status and fills `out` with its stdout.
int run_command(const std::string& command, std::string* out);

// Quotes for /bin/sh.
std::string shell_quote(std::string_view s);

}  // namespace ignite::testing
