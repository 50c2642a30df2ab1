// A private containerd for tests: Debian's containerd 1.6 with its own config, root, state and
// socket in a temporary directory (the CRI plugin off), and ctr to look at what it holds and to
// run images with runc.
//
// What it leaves behind, and what not:
// - containerd is a ChildProcess (tests/testing/child_process.h): SIGTERM and wait when the
//   object goes away, PR_SET_PDEATHSIG when the test program dies.
// - The runc shims (containerd-shim-runc-v2) and their containers outlive containerd. Containers
//   started with run_and_post() are killed and removed right after their call, and any left
//   (a failed assertion in between) by the destructor, before containerd stops. When the test
//   program dies without its destructors, containerd_guard.sh (beside this file, in a session of
//   its own) sees its pipe close and removes every shim of this socket and its container.
// - runc keeps container state under /run/containerd/runc/<namespace>/<id> and cgroups under
//   /<namespace>/<id>, shared by every containerd on the machine: container ids are unique per
//   process and call (ctest -j runs tests side by side).
//
// Needs root and /usr/bin/containerd, /usr/bin/ctr and /usr/sbin/runc (Debian packages
// containerd and runc): see unavailable_reason().
#pragma once

#include <sys/types.h>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "tests/testing/child_process.h"
#include "tests/testing/temp_dir.h"

namespace ignite::containerd::testing {

inline constexpr const char* kContainerdBinary = "/usr/bin/containerd";
inline constexpr const char* kCtrBinary = "/usr/bin/ctr";
inline constexpr const char* kRuncBinary = "/usr/sbin/runc";

// Why a private containerd cannot run here ("" when it can): not root, or one of the binaries
// above missing. Tests skip with it (and fail under CI, where all of them are there).
std::string unavailable_reason();

class ContainerdServer {
 public:
  // Starts containerd and waits until `ctr version` answers (bounded). A failure to start fails
  // the test (non-fatally; ASSERT_TRUE(server.ready()) to stop there).
  ContainerdServer();
  ~ContainerdServer();
  ContainerdServer(const ContainerdServer&) = delete;
  ContainerdServer& operator=(const ContainerdServer&) = delete;

  // The gRPC socket's path, as ctr and `ignite-builder --containerd` take it.
  const std::string& socket() const { return socket_; }
  const std::string& root() const { return root_; }
  const std::string& log_path() const { return log_; }
  // Whether containerd runs and answered ctr at its last start.
  bool ready() const { return ready_; }
  // The tail of containerd's log, for failure messages.
  std::string log_tail() const;

  // Stops containerd (SIGTERM, wait) and starts it again on the same config, root and state.
  // Running containers keep running (their shims do), as in a real restart.
  void restart();

  // Runs `ctr -a SOCKET ARGS` (ARGS already shell-quoted as needed, e.g. "-n ns images ls")
  // with a bound on its time; returns its exit status and fills `out` with stdout and stderr.
  int ctr(const std::string& args, std::string* out) const;
  // The same, failing the test (EXPECT) on a non-zero exit; returns the output.
  std::string ctr_ok(const std::string& args) const;

  // `ctr images ls` of namespace `ns`: image name -> manifest digest ("sha256:...").
  std::map<std::string, std::string> images(const std::string& ns = "default") const;
  // `ctr content ls` of namespace `ns`: the digests of the blobs it holds.
  std::set<std::string> content(const std::string& ns = "default") const;
  // `ctr leases ls` of namespace `ns`: the lease ids.
  std::vector<std::string> leases(const std::string& ns = "default") const;

  // Runs image `image` of namespace `ns` with runc (`ctr run -d --net-host --env PORT=0`: the
  // runtime host binds a free port on the host's network and logs which; no port is picked
  // beforehand, so parallel tests never race for one), POSTs `payload` (JSON) to it once it
  // listens, and returns the answer's body; the answer must be 200. The container is killed
  // and removed before this returns. Waits are bounded (kWaitBound), not timed assertions.
  std::string run_and_post(const std::string& image, const std::string& payload,
                           const std::string& ns = "default");

 private:
  void start();
  // Kills and removes the task and the container `id` of `ns`; whatever of them exists.
  void remove_container(const std::string& ns, const std::string& id);
  void start_guard();

  ignite::testing::TempDir dir_;
  std::string config_, root_, socket_, log_;
  std::unique_ptr<ignite::testing::ChildProcess> process_;
  bool ready_ = false;
  pid_t guard_pid_ = -1;
  int guard_fd_ = -1;  // the write end of the guard's stdin
  std::vector<std::pair<std::string, std::string>> containers_;  // (namespace, id) not removed
};

}  // namespace ignite::containerd::testing
