#include "tests/testing/temp_dir.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace ignite::testing {

namespace fs = std::filesystem;

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = std::string(base && *base ? base : "/tmp") + "/ignite-test-XXXXXX";
  if (::mkdtemp(tmpl.data()) == nullptr) std::abort();
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

void TempDir::write(std::string_view rel, std::string_view data, int mode) const {
  fs::path p = fs::path(path_) / rel;
  fs::create_directories(p.parent_path());
  {
    std::ofstream f(p, std::ios::binary | std::ios::trunc);
    f.write(data.data(), static_cast<std::streamsize>(data.size()));
    ASSERT_TRUE(f.good()) << "writing " << p;
  }
  ASSERT_EQ(::chmod(p.c_str(), static_cast<mode_t>(mode)), 0) << p;
}

void TempDir::symlink(std::string_view rel, std::string_view target) const {
  fs::path p = fs::path(path_) / rel;
  fs::create_directories(p.parent_path());
  ASSERT_EQ(::symlink(std::string(target).c_str(), p.c_str()), 0) << p;
}

void TempDir::mkdir(std::string_view rel) const { fs::create_directories(fs::path(path_) / rel); }

int run_command(const std::string& command, std::string* out, int timeout_seconds) {
  // By absolute path: PATH may hold another timeout, or none.
  const std::string bounded = "/usr/bin/timeout -k 10 " + std::to_string(timeout_seconds) +
                              " /bin/sh -c " + shell_quote(command) + " </dev/null";
  FILE* p = ::popen(bounded.c_str(), "r");
  if (p == nullptr) return -1;
  std::string buf(4096, '\0');
  std::string collected;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) collected.append(buf.data(), n);
  int status = ::pclose(p);
  if (out) *out = std::move(collected);
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  // 124 is timeout's "timed out" (or that of a timeout inside the command: it reads the same).
  if (code == 124) {
    std::fprintf(stderr, "run_command: exit 124, timed out (after %d s, or a timeout inside): %s\n",
                 timeout_seconds, command.c_str());
  }
  return code;
}

std::string shell_quote(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  out += "'";
  return out;
}

}  // namespace ignite::testing
