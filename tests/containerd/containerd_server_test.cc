// The fixture by itself, with ctr and skopeo only (no `ignite-builder import`): a private
// containerd imports an OCI archive of examples/greet, runs it with runc and answers a POST;
// a restart keeps its images; a test program killed with containers running leaves neither
// containerd, nor shims, nor containers behind.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "tests/containerd/containerd_server.h"
#include "tests/containerd/containerd_testing.h"

namespace ignite::containerd::testing {
namespace {

using ignite::testing::run_command;
using ignite::testing::sh;
using ignite::testing::shell_quote;
using ignite::testing::TempDir;

constexpr const char* kName = "ignite.local/acme-corp/greet:v1";

// Builds examples/greet into a store copy under `work` and makes an OCI archive of it named
// kName (what `ctr images import` takes); returns the archive's path and sets `digest`.
std::string greet_archive(const TempDir& work, std::string* digest) {
  const std::string store = work / "store";
  copy_base_store(store);
  const auto built = build(std::string(IGNITE_SOURCE_DIR) + "/examples/greet", "greet", store);
  *digest = built.value("digest", "");
  const std::string archive = work / "greet.tar";
  sh("skopeo copy -q " + shell_quote("oci:" + store + "/oci:acme-corp/greet:v1") + " " +
     shell_quote("oci-archive:" + archive + ":" + kName));
  return archive;
}

// The pids of the processes whose command line holds `text`.
std::vector<std::string> processes_mentioning(const std::string& text) {
  std::vector<std::string> out;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string pid = entry.path().filename();
    if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream f(entry.path() / "cmdline", std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    if (ss.str().find(text) != std::string::npos && pid != std::to_string(::getpid())) {
      out.push_back(pid);
    }
  }
  return out;
}

TEST(ContainerdServerTest, ImportsAnArchiveRunsItAndAnswersAcrossARestart) {
  IGNITE_REQUIRE_CONTAINERD();
  TempDir work;
  std::string digest;
  const std::string archive = greet_archive(work, &digest);
  ContainerdServer server;
  ASSERT_TRUE(server.ready());
  server.ctr_ok("-n fixture images import " + shell_quote(archive));
  EXPECT_EQ(server.images("fixture")[kName], digest);
  EXPECT_TRUE(server.images().empty()) << "another namespace's images";
  const auto answer =
      nlohmann::json::parse(server.run_and_post(kName, R"({"name":"x"})", "fixture"));
  EXPECT_EQ(answer, nlohmann::json({{"message", "Hello, x!"}, {"function", "acme-corp/greet"}}));
  EXPECT_EQ(server.ctr_ok("-n fixture containers ls -q"), "")
      << "run_and_post removes its container";

  server.restart();
  ASSERT_TRUE(server.ready());
  EXPECT_EQ(server.images("fixture")[kName], digest);
  EXPECT_TRUE(server.content("fixture").count(digest));
  EXPECT_TRUE(server.leases("fixture").empty());
  const auto again =
      nlohmann::json::parse(server.run_and_post(kName, R"({"name":"y"})", "fixture"));
  EXPECT_EQ(again["message"], "Hello, y!");
}

// A test program that dies with a container running (SIGKILL: no destructor runs) leaves
// nothing running: containerd gets PR_SET_PDEATHSIG, and containerd_guard.sh removes the
// container and its shim, which would outlive containerd.
TEST(ContainerdServerTest, AKilledTestLeavesNoContainerdShimOrContainer) {
  IGNITE_REQUIRE_CONTAINERD();
  TempDir work;
  std::string digest;
  const std::string archive = greet_archive(work, &digest);
  const std::string id = "ignite-test-crash-" + std::to_string(::getpid());
  const std::string report = work / "report";
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // A test program of its own: a server, a running container, then SIGKILL.
    std::string out;
    auto* server = new ContainerdServer;  // never destroyed: the point of the test
    const bool imported = server->ctr("images import " + shell_quote(archive), &out) == 0 &&
                          server->ctr("run -d --net-host --null-io --env PORT=0 " +
                                          std::string(kName) + " " + shell_quote(id),
                                      &out) == 0;
    std::ofstream(report) << server->socket() << "\n"
                          << server->root() << "\n"
                          << (imported ? "ran" : out) << "\n";
    ::kill(::getpid(), SIGKILL);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
  std::ifstream in(report);
  std::string socket, root, ran;
  std::getline(in, socket);
  std::getline(in, root);
  std::getline(in, ran);
  ASSERT_FALSE(socket.empty()) << "the child reported nothing";
  const std::string dir = std::filesystem::path(socket).parent_path();
  struct RemoveDir {  // the child's TempDir, which its destructor never removed
    std::string dir;
    ~RemoveDir() {
      std::error_code ec;
      std::filesystem::remove_all(dir, ec);
    }
  } remove_dir{dir};
  ASSERT_EQ(ran, "ran") << "the child could not run a container";

  // containerd (its config is in `dir`) and the shim (`-address SOCKET`), and with it the
  // container: the guard works asynchronously, so wait for them to go (bounded).
  const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  std::vector<std::string> left;
  do {
    left = processes_mentioning(dir + "/");
    if (left.empty()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  } while (std::chrono::steady_clock::now() < end);
  std::string ps;
  run_command("ps -ef | grep -F " + shell_quote(dir) + " | grep -v grep", &ps);
  EXPECT_TRUE(left.empty()) << "left running:\n" << ps;
  EXPECT_FALSE(std::filesystem::exists("/run/containerd/runc/default/" + id))
      << "runc still has the container's state";
  std::string mounts;
  run_command("cat /proc/mounts", &mounts);
  EXPECT_EQ(mounts.find(dir + "/"), std::string::npos) << "the container's rootfs is mounted";
  std::string guard_log;
  run_command("cat " + shell_quote(dir + "/guard.log"), &guard_log);
  EXPECT_NE(guard_log.find("container default/" + id), std::string::npos) << guard_log;
}

}  // namespace
}  // namespace ignite::containerd::testing
