#include "builder/util/subprocess.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/testing/temp_dir.h"

namespace ignite {
namespace {

using namespace std::chrono_literals;
using ignite::testing::TempDir;

constexpr std::size_t kMiB = 1 << 20;

// A bound on every run below, so a deadlock fails its test (as timed_out) instead of hanging
// it; far above what any of them takes.
constexpr std::chrono::milliseconds kBound = 120s;

SubprocessOptions capturing() {
  SubprocessOptions o;
  o.stdout_to = SubprocessOutput::capture();
  o.stderr_to = SubprocessOutput::capture();
  o.timeout = kBound;
  return o;
}

SubprocessResult run_ok(const std::vector<std::string>& argv, const SubprocessOptions& options) {
  auto r = run_subprocess(argv, options);
  EXPECT_TRUE(r.ok()) << r.status().to_string();
  return r.ok() ? *r : SubprocessResult{};
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(SubprocessTest, ReportsTheExitCode) {
  auto r = run_ok({"/bin/sh", "-c", "exit 3"}, capturing());
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.signal, 0);
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_text(), "exit 3");
  EXPECT_EQ(run_ok({"/bin/sh", "-c", "exit 0"}, capturing()).exit_code, 0);
}

TEST(SubprocessTest, ReportsTheSignal) {
  auto r = run_ok({"/bin/sh", "-c", "kill -TERM $$"}, capturing());
  EXPECT_EQ(r.exit_code, -1);
  EXPECT_EQ(r.signal, SIGTERM);
  EXPECT_EQ(r.exit_text(), "killed by signal 15");
}

// A program that exits 127 itself is a program that ran: only exec's own failure is an error.
TEST(SubprocessTest, ExitCode127IsNotAStartingFailure) {
  auto r = run_ok({"/bin/sh", "-c", "exit 127"}, capturing());
  EXPECT_EQ(r.exit_code, 127);
  EXPECT_EQ(r.setup_step, 0);
}

// stderr is filled first: a parent reading stdout to its end before stderr would wait for
// ever on a child blocked writing stderr.
TEST(SubprocessTest, CapturesStdoutAndStderrLargerThanAPipeWithoutDeadlock) {
  auto r = run_ok({"/bin/sh", "-c",
                   "head -c 1048576 /dev/zero | tr '\\0' e >&2; "
                   "head -c 1048576 /dev/zero | tr '\\0' o; "
                   "head -c 1048576 /dev/zero | tr '\\0' E >&2"},
                  capturing());
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, std::string(kMiB, 'o'));
  EXPECT_EQ(r.err, std::string(kMiB, 'e') + std::string(kMiB, 'E'));
  EXPECT_FALSE(r.out_truncated);
  EXPECT_FALSE(r.err_truncated);
}

TEST(SubprocessTest, CaptureBeyondItsLimitIsTruncatedAndTheChildFinishes) {
  SubprocessOptions o = capturing();
  o.stdout_to = SubprocessOutput::capture(1000);
  auto r = run_ok({"/bin/sh", "-c", "head -c 1048576 /dev/zero | tr '\\0' x; echo done >&2"}, o);
  EXPECT_EQ(r.exit_code, 0);  // read to its end: the child was never blocked
  EXPECT_EQ(r.out, std::string(1000, 'x'));
  EXPECT_TRUE(r.out_truncated);
  EXPECT_EQ(r.err, "done\n");
  EXPECT_FALSE(r.err_truncated);
}

TEST(SubprocessTest, CaptureAtItsLimitIsNotTruncated) {
  SubprocessOptions o = capturing();
  o.stdout_to = SubprocessOutput::capture(5);
  auto r = run_ok({"/bin/sh", "-c", "printf 12345"}, o);
  EXPECT_EQ(r.out, "12345");
  EXPECT_FALSE(r.out_truncated);
}

TEST(SubprocessTest, CaptureOrKillStopsAChildThatWritesTooMuch) {
  SubprocessOptions o = capturing();
  o.stdout_to = SubprocessOutput::capture_or_kill(1000);
  auto r = run_ok({"/usr/bin/yes"}, o);  // writes for ever
  EXPECT_TRUE(r.out_truncated);
  EXPECT_EQ(r.out.size(), 1000u);
  EXPECT_EQ(r.signal, SIGKILL);
  EXPECT_FALSE(r.timed_out);
}

TEST(SubprocessTest, FeedsStdin) {
  SubprocessOptions o = capturing();
  o.stdin_data = "hello\nworld";
  EXPECT_EQ(run_ok({"/bin/cat"}, o).out, "hello\nworld");
  o.stdin_data = "";
  auto empty = run_ok({"/bin/cat"}, o);
  EXPECT_EQ(empty.out, "");
  EXPECT_EQ(empty.exit_code, 0);
}

// cat answers while it reads: the input has to be written while the output is read.
TEST(SubprocessTest, FeedsStdinLargerThanAPipeWhileReadingTheAnswer) {
  SubprocessOptions o = capturing();
  std::string input;
  for (int i = 0; input.size() < 4 * kMiB; ++i) input += std::to_string(i) + "\n";
  o.stdin_data = input;
  auto r = run_ok({"/bin/cat"}, o);
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_TRUE(r.out == input) << r.out.size() << " bytes of " << input.size();
}

TEST(SubprocessTest, StdinIsEmptyWithoutData) {
  auto r = run_ok({"/bin/cat"}, capturing());
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "");
}

// The child is gone before the input is written: the write fails with EPIPE, and the test
// process neither dies of SIGPIPE nor keeps one pending.
TEST(SubprocessTest, AChildThatExitsWithoutReadingStdinIsNotAnError) {
  SubprocessOptions o = capturing();
  o.stdin_data = std::string(4 * kMiB, 'z');
  for (int i = 0; i < 20; ++i) {
    auto r = run_ok({"/bin/sh", "-c", "exec 0<&-; echo gone"}, o);
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_EQ(r.out, "gone\n");
  }
  sigset_t pending;
  sigemptyset(&pending);
  ASSERT_EQ(sigpending(&pending), 0);
  EXPECT_FALSE(sigismember(&pending, SIGPIPE));
}

TEST(SubprocessTest, TimeoutKillsTheChild) {
  SubprocessOptions o = capturing();
  o.timeout = 200ms;
  auto r = run_ok({"/bin/sleep", "30"}, o);
  EXPECT_TRUE(r.timed_out);
  EXPECT_EQ(r.signal, SIGKILL);
  EXPECT_EQ(r.exit_code, -1);
}

// The same with nothing to read: the deadline is kept while waiting for the exit itself.
TEST(SubprocessTest, TimeoutKillsAChildWhoseOutputGoesElsewhere) {
  SubprocessOptions o;
  o.timeout = 200ms;
  auto r = run_ok({"/bin/sleep", "30"}, o);
  EXPECT_TRUE(r.timed_out);
  EXPECT_EQ(r.signal, SIGKILL);
}

TEST(SubprocessTest, AProgramNotInPathIsNotFound) {
  auto r = run_subprocess({"ignite-no-such-program"}, capturing());
  EXPECT_EQ(r.status().code(), Code::kNotFound);
  EXPECT_EQ(r.status().message(), "ignite-no-such-program is not in PATH");
  EXPECT_FALSE(program_in_path("ignite-no-such-program"));
  EXPECT_TRUE(program_in_path("sh"));
}

TEST(SubprocessTest, AMissingPathIsNotFound) {
  SubprocessOptions o = capturing();
  o.search_path = false;
  auto r = run_subprocess({"/nonexistent/ignite-program", "x"}, o);
  EXPECT_EQ(r.status().code(), Code::kNotFound);
  EXPECT_EQ(r.status().message(), "no such program /nonexistent/ignite-program");
}

TEST(SubprocessTest, AFileThatCannotBeExecutedIsAnErrorNamingIt) {
  TempDir d;
  d.write("not-executable", "#!/bin/sh\necho no\n", 0644);
  SubprocessOptions o = capturing();
  o.search_path = false;
  auto r = run_subprocess({d / "not-executable"}, o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "executing " + (d / "not-executable") + ": " + std::strerror(EACCES));
}

TEST(SubprocessTest, SearchesPathAndRunsAScriptWithoutInterpreterLine) {
  TempDir d;
  d.write("bin/ignite-test-script", "echo \"script $1\"\n", 0755);
  const std::string old_path = getenv("PATH") ? getenv("PATH") : "";
  setenv("PATH", (d / "bin:" + old_path).c_str(), 1);
  auto r = run_subprocess({"ignite-test-script", "ran"}, capturing());
  const bool found = program_in_path("ignite-test-script");
  setenv("PATH", old_path.c_str(), 1);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->out, "script ran\n");
  EXPECT_TRUE(found);
}

TEST(SubprocessTest, AppendsToFiles) {
  TempDir d;
  SubprocessOptions o;
  o.stdout_to = SubprocessOutput::append_to(d / "log");
  o.stderr_to = SubprocessOutput::append_to(d / "log");
  ASSERT_EQ(run_ok({"/bin/sh", "-c", "echo one"}, o).exit_code, 0);
  ASSERT_EQ(run_ok({"/bin/sh", "-c", "echo two >&2"}, o).exit_code, 0);
  EXPECT_EQ(read_text(d / "log"), "one\ntwo\n");
}

TEST(SubprocessTest, CannotOpenTheOutputFile) {
  SubprocessOptions o;
  o.stdout_to = SubprocessOutput::append_to("/nonexistent/dir/log");
  auto r = run_subprocess({"/bin/true"}, o);
  EXPECT_EQ(r.status().code(), Code::kNotFound);
  EXPECT_NE(r.status().message().find("/nonexistent/dir/log"), std::string::npos);
}

struct HookFailure {
  int step;
  int err;
};

int failing_hook(const void* context) {
  const auto* f = static_cast<const HookFailure*>(context);
  errno = f->err;
  return f->step;
}

TEST(SubprocessTest, AFailingPreExecHookReportsItsStepAndErrno) {
  const HookFailure failure{7, EPERM};
  SubprocessOptions o = capturing();
  o.pre_exec = failing_hook;
  o.pre_exec_context = &failure;
  auto r = run_ok({"/bin/sh", "-c", "echo should not run"}, o);
  EXPECT_EQ(r.setup_step, 7);
  EXPECT_EQ(r.setup_errno, EPERM);
  EXPECT_EQ(r.exit_code, 127);
  EXPECT_EQ(r.out, "");
}

int chdir_hook(const void* context) {
  return ::chdir(static_cast<const char*>(context)) == 0 ? 0 : 1;
}

TEST(SubprocessTest, APreExecHookRunsInTheChildOnly) {
  TempDir d;
  const std::string dir = d.path();
  SubprocessOptions o = capturing();
  o.pre_exec = chdir_hook;
  o.pre_exec_context = dir.c_str();
  auto r = run_ok({"/bin/sh", "-c", "pwd -P"}, o);
  EXPECT_EQ(r.setup_step, 0);
  char real[PATH_MAX];
  ASSERT_NE(realpath(dir.c_str(), real), nullptr);
  EXPECT_EQ(r.out, std::string(real) + "\n");
  char here[PATH_MAX];
  ASSERT_NE(getcwd(here, sizeof here), nullptr);
  EXPECT_NE(std::string(here), std::string(real));
}

TEST(SubprocessTest, ExtraEnvironmentIsAddedToTheInheritedOne) {
  setenv("IGNITE_SUBPROCESS_INHERITED", "kept", 1);
  setenv("IGNITE_SUBPROCESS_REPLACED", "old", 1);
  SubprocessOptions o = capturing();
  o.env = {"IGNITE_SUBPROCESS_EXTRA=yes", "IGNITE_SUBPROCESS_REPLACED=new"};
  auto r = run_ok({"/usr/bin/env"}, o);
  unsetenv("IGNITE_SUBPROCESS_INHERITED");
  unsetenv("IGNITE_SUBPROCESS_REPLACED");
  EXPECT_NE(r.out.find("\nIGNITE_SUBPROCESS_INHERITED=kept\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\nIGNITE_SUBPROCESS_EXTRA=yes\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\nIGNITE_SUBPROCESS_REPLACED=new\n"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("IGNITE_SUBPROCESS_REPLACED=old"), std::string::npos) << r.out;
}

TEST(SubprocessTest, AnExactEnvironmentIsAllTheChildGets) {
  SubprocessOptions o = capturing();
  o.inherit_env = false;
  o.env = {"ONLY=this", "AND=that"};
  EXPECT_EQ(run_ok({"/usr/bin/env"}, o).out, "ONLY=this\nAND=that\n");
}

// A descriptor opened without O_CLOEXEC (by a library, say) does not reach the program.
TEST(SubprocessTest, TheChildGetsOnlyItsThreeStandardDescriptors) {
  // Numbered high, apart from the descriptor the shell opens to read the directory.
  const int opened = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  ASSERT_GE(opened, 0);
  const int leaked = ::fcntl(opened, F_DUPFD, 100);  // no FD_CLOEXEC, on purpose
  ::close(opened);
  ASSERT_GE(leaked, 100);
  auto r = run_ok({"/bin/sh", "-c", "cd /proc/self/fd && echo *"}, capturing());
  ::close(leaked);
  // The glob is expanded by the shell itself: its own descriptors, with the one reading the
  // directory, so 0 1 2 and at most one more, never `leaked`.
  std::istringstream fds(r.out);
  std::vector<int> seen;
  for (int fd; fds >> fd;) seen.push_back(fd);
  ASSERT_GE(seen.size(), 3u) << r.out;
  EXPECT_LE(seen.size(), 4u) << r.out;
  EXPECT_EQ(seen[0], 0);
  EXPECT_EQ(seen[1], 1);
  EXPECT_EQ(seen[2], 2);
  for (int fd : seen) EXPECT_NE(fd, leaked) << r.out;
}

// The child's signal mask is empty whatever the calling thread blocked.
TEST(SubprocessTest, TheChildStartsWithNoSignalBlocked) {
  sigset_t block, old;
  sigemptyset(&block);
  sigaddset(&block, SIGTERM);
  sigaddset(&block, SIGUSR1);
  ASSERT_EQ(pthread_sigmask(SIG_BLOCK, &block, &old), 0);
  auto r = run_ok({"/bin/sh", "-c", "grep '^SigBlk' /proc/self/status"}, capturing());
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  EXPECT_EQ(r.out, "SigBlk:\t0000000000000000\n");
}

TEST(SubprocessTest, TheChildGetsTheDefaultSigpipe) {
  struct sigaction ignore {
  }, old{};
  ignore.sa_handler = SIG_IGN;
  ASSERT_EQ(sigaction(SIGPIPE, &ignore, &old), 0);
  auto r = run_ok({"/bin/sh", "-c", "grep '^SigIgn' /proc/self/status"}, capturing());
  sigaction(SIGPIPE, &old, nullptr);
  ASSERT_EQ(r.out.size(), std::string("SigIgn:\t0000000000000000\n").size()) << r.out;
  // SIGPIPE is signal 13: bit 12 of the mask, in the fourth hex digit from the right.
  const unsigned long ignored = std::stoul(r.out.substr(8), nullptr, 16);
  EXPECT_EQ(ignored & (1UL << (SIGPIPE - 1)), 0u) << r.out;
}

TEST(SubprocessTest, ManyParallelCallsFromSeveralThreads) {
  constexpr int kThreads = 8;
  constexpr int kRuns = 25;
  std::vector<std::string> failures[kThreads];
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([t, &failures] {
      for (int i = 0; i < kRuns; ++i) {
        const std::string id = std::to_string(t) + "-" + std::to_string(i);
        SubprocessOptions o = capturing();
        o.stdin_data = "in-" + id + "\n";
        auto r = run_subprocess(
            {"/bin/sh", "-c",
             "read line; echo \"$line $0\"; echo \"err $0\" >&2; exit " + std::to_string(i % 5),
             id},
            o);
        if (!r.ok()) {
          failures[t].push_back(id + ": " + r.status().to_string());
        } else if (r->out != "in-" + id + " " + id + "\n" || r->err != "err " + id + "\n" ||
                   r->exit_code != i % 5) {
          failures[t].push_back(id + ": out \"" + r->out + "\" err \"" + r->err + "\" " +
                                r->exit_text());
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_TRUE(failures[t].empty()) << failures[t].front();
  }
}

TEST(SubprocessTest, NoProgramIsAnError) {
  EXPECT_EQ(run_subprocess({}).status().code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace ignite
