// Fuzzes install_wheel over wheel bytes: any input must install or fail cleanly, never crash,
// leak, hang, or write outside the target. Small limits keep each input cheap.
#include <stdlib.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

#include "builder/wheel/wheel_install.h"

namespace {

std::string& work_dir() {
  static std::string dir;
  return dir;
}

void remove_work_dir() {
  std::error_code ec;
  std::filesystem::remove_all(work_dir(), ec);
}

// One directory for the whole run, removed when the fuzzer exits.
std::string make_work_dir() {
  const char* base = getenv("TMPDIR");
  std::string tmpl = std::string(base && *base ? base : "/tmp") + "/ignite-fuzz-wheel-XXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr) abort();
  work_dir() = tmpl;
  atexit(remove_work_dir);
  return tmpl;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string work = make_work_dir();
  const std::string wheel = work + "/in.whl";
  const std::string target = work + "/target";
  std::error_code ec;
  std::filesystem::remove_all(target, ec);
  FILE* f = fopen(wheel.c_str(), "wb");
  if (f == nullptr) abort();
  if (size > 0 && fwrite(data, 1, size, f) != size) abort();
  fclose(f);

  ignite::wheel::InstallOptions options;
  options.limits.max_total_bytes = 8 << 20;
  options.limits.max_member_bytes = 4 << 20;
  options.limits.max_members = 1000;
  options.record =
      (size % 2) ? ignite::wheel::RecordPolicy::kWarn : ignite::wheel::RecordPolicy::kStrict;
  (void)ignite::wheel::install_wheel(wheel, "fuzz-1.0-py3-none-any.whl", target, options);
  // Whatever happened, nothing may exist beside the wheel but the target.
  for (const auto& e : std::filesystem::directory_iterator(work, ec)) {
    const std::string name = e.path().filename().string();
    if (name != "in.whl" && name != "target") abort();
  }
  std::filesystem::remove_all(target, ec);
  return 0;
}
