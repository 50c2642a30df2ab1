// A worker process stopped past its lease (SIGSTOP, as a frozen VM or a long pause would) and
// resumed after another worker finished its build cannot commit it (issue 12, item 5): the build
// is published once, by the worker that took it over, and the stopped one learns it lost it.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/pipeline/pipeline_testing.h"
#include "tests/testing/temp_dir.h"

namespace ignite::testing {
namespace {

// The state letter of /proc/PID/stat ("T" when stopped), "" when it is gone.
std::string process_state(const std::string& pid) {
  return sh("sed -n 's/^[0-9]* (.*) \\([A-Za-z]\\) .*/\\1/p' /proc/" + pid +
            "/stat 2>/dev/null || true");
}

TEST(StoppedWorkerTest, AWorkerStoppedPastItsLeaseCannotCommitAfterATakeover) {
  TempDir dir;
  const std::string store = shell_quote(dir / "store");
  const std::string base = make_synthetic_base(dir / "base");
  const std::string source = dir / "handler.py";
  std::ofstream(source) << echo_handler("stopped");
  const std::string common = " --store " + store + " --base " + shell_quote(base) + " --lease 5";

  CommandResult submitted =
      run_builder("submit " + shell_quote(source) + " --app acme-corp/greet --store " + store);
  ASSERT_EQ(submitted.exit_code, 0) << submitted.err;

  // Worker A stops itself after the image stage: its build made, not yet committed.
  const std::string a_out = dir / "a.out", a_rc = dir / "a.rc", a_pid = dir / "a.pid";
  sh("(SOURCE_DATE_EPOCH=0 IGNITE_FAULT=stop-after:image exec " + std::string(IGNITE_BINARY) +
     " worker --until-idle --id worker-a" + common + " >" + shell_quote(a_out) +
     " 2>&1 </dev/null & echo $! >" + shell_quote(a_pid) + "; wait $!; echo $? >" +
     shell_quote(a_rc) + ") >/dev/null 2>&1 &");
  struct Kill {
    std::string pid_file;
    ~Kill() { sh("kill -KILL $(cat " + pid_file + ") 2>/dev/null || true"); }
  } kill_a{shell_quote(a_pid)};
  std::string pid;
  for (int i = 0; i < 600 && process_state(pid) != "T\n"; ++i) {
    pid = sh("cat " + shell_quote(a_pid) + " 2>/dev/null || true");
    if (!pid.empty() && pid.back() == '\n') pid.pop_back();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_EQ(process_state(pid), "T\n") << sh("cat " + shell_quote(a_out));

  // Worker B takes the build over once A's lease (5 s) has run out, and publishes it as v1.
  nlohmann::json build;
  for (int i = 0; i < 120; ++i) {
    CommandResult b =
        run_builder_env("SOURCE_DATE_EPOCH=0", "worker --until-idle --id worker-b" + common);
    ASSERT_EQ(b.exit_code, 0) << b.out << b.err;
    CommandResult list = run_builder("builds -o json --store " + store);
    ASSERT_EQ(list.exit_code, 0) << list.err;
    build = nlohmann::json::parse(list.out, nullptr, false)["builds"][0];
    if (build.value("state", "") == "SUCCEEDED") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  ASSERT_EQ(build.value("state", ""), "SUCCEEDED") << build.dump();
  EXPECT_EQ(build.value("version", 0), 1);

  // A resumes at its commit, which the fence refuses: it published nothing.
  sh("kill -CONT " + pid);
  std::string rc;
  for (int i = 0; i < 1200 && rc.empty(); ++i) {
    rc = sh("cat " + shell_quote(a_rc) + " 2>/dev/null || true");
    if (rc.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  const std::string a_said = sh("cat " + shell_quote(a_out));
  EXPECT_EQ(rc, "0\n") << a_said;
  EXPECT_NE(a_said.find("taken over by another worker"), std::string::npos) << a_said;
  EXPECT_NE(a_said.find("lease lost"), std::string::npos) << a_said;

  CommandResult versions = run_builder("versions acme-corp/greet -o json --store " + store);
  ASSERT_EQ(versions.exit_code, 0) << versions.err;
  const auto v = nlohmann::json::parse(versions.out, nullptr, false);
  ASSERT_TRUE(v.contains("versions")) << versions.out;
  EXPECT_EQ(v["versions"].size(), 1u) << versions.out;
  CommandResult after = run_builder("builds -o json --store " + store);
  const auto final_build = nlohmann::json::parse(after.out, nullptr, false)["builds"][0];
  EXPECT_EQ(final_build.value("version", 0), 1);
  EXPECT_EQ(final_build.value("attempts", 0), 2) << final_build.dump();  // A's, then B's
  CommandResult check = run_builder("store check --store " + store);
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
}

}  // namespace
}  // namespace ignite::testing
