// run_command bounds the commands tests run, without cutting short the servers they start.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <cstdlib>
#include <thread>

#include "tests/testing/temp_dir.h"

namespace ignite::testing {
namespace {

TEST(RunCommandTest, ReturnsTheExitStatusAndStdout) {
  std::string out;
  EXPECT_EQ(run_command("echo hello; cd / && pwd; exit 3", &out), 3);
  EXPECT_EQ(out, "hello\n/\n");
}

TEST(RunCommandTest, AHungCommandTimesOut) {
  const auto start = std::chrono::steady_clock::now();
  std::string out;
  EXPECT_EQ(run_command("echo started; sleep 60", &out, 1), 124);
  EXPECT_EQ(out, "started\n");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(30));
}

TEST(RunCommandTest, StdinIsEmpty) {
  std::string out;
  EXPECT_EQ(run_command("cat", &out), 0);  // would wait for a terminal's input otherwise
  EXPECT_EQ(out, "");
}

TEST(RunCommandTest, ABackgroundProcessOutlivesTheBound) {
  // As tests start servers: `server >log 2>&1 & echo $!`. The bound applies to the command,
  // which ends at once; the server must still run after the bound has passed.
  std::string pid_text;
  ASSERT_EQ(run_command("sleep 30 >/dev/null 2>&1 & echo $!", &pid_text, 1), 0);
  const pid_t pid = std::atoi(pid_text.c_str());
  ASSERT_GT(pid, 0) << pid_text;
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_EQ(::kill(pid, 0), 0) << "the background process was killed";
  ::kill(pid, SIGKILL);
}

}  // namespace
}  // namespace ignite::testing
