#include "tests/pipeline/pipeline_testing.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "builder/oci/image_builder.h"

namespace ignite::testing {

std::string make_synthetic_base(const std::string& dir) {
  TempDir rootfs;
  rootfs.write("etc/os-release", "ID=synthetic\n");
  rootfs.write("usr/bin/tool", "#!/bin/sh\necho tool\n", 0755);
  rootfs.symlink("bin", "usr/bin");
  auto layout = oci::OciLayout::open(dir, oci::CreateLayout::kIfMissing);
  EXPECT_TRUE(layout.ok()) << layout.status().to_string();
  if (!layout.ok()) return "";
  oci::BaseImageOptions options;
  options.created_by = "synthetic test base";
  options.settings.env = {{"PATH", "/usr/bin:/bin"}};
  auto written = oci::write_base_image(*layout, rootfs.path(), options, {oci::Epoch::zero()},
                                       "synthetic:1", oci::ExistingRef::kReplace);
  EXPECT_TRUE(written.ok()) << written.status().to_string();
  return dir + ":synthetic:1";
}

CommandResult run_builder_env(const std::string& env, const std::string& args,
                              const std::string& shell_prefix) {
  TempDir tmp;
  CommandResult r{};
  r.exit_code = run_command(shell_prefix + " env " + env + " " + std::string(IGNITE_BINARY) + " " +
                                args + " 2>" + shell_quote(tmp / "err"),
                            &r.out);
  run_command("cat " + shell_quote(tmp / "err"), &r.err);
  return r;
}

std::string python_base_store(std::string* why) {
  if (::geteuid() != 0) {
    *why = "the Python base image is made with debootstrap, which needs root";
    return "";
  }
  std::string out;
  if (run_command("command -v debootstrap >/dev/null", &out) != 0) {
    *why = "debootstrap is not installed (scripts/install-deps installs it)";
    return "";
  }
  const std::string store = IGNITE_FIXTURE_DIR "/python-base";
  auto r = run_builder("store base --store " + shell_quote(store));
  if (r.exit_code != 0) {
    *why = "making the Python base image failed: " + r.err;
    return "";
  }
  return store;
}

std::string sh(const std::string& command) {
  std::string out;
  int rc = run_command("/bin/sh -c " + shell_quote(command), &out);
  EXPECT_EQ(rc, 0) << command << "\n" << out;
  return out;
}

std::string wait_for_host_port(const std::string& log, int seconds) {
  for (int i = 0; i < seconds * 20; ++i) {
    std::string text;
    run_command("cat " + shell_quote(log), &text);
    if (auto at = text.find("listening on 0.0.0.0:"); at != std::string::npos) {
      return text.substr(at + 21, text.find_first_not_of("0123456789", at + 21) - at - 21);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return "";
}

std::string echo_handler(const std::string& marker) {
  return "def handler(payload, ctx):\n    return b'" + marker + ":' + payload\n";
}

}  // namespace ignite::testing
