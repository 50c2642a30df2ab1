// bench_lock: `lock` of a 20-wheel requirement set from a loopback PEP 691 index
// (tests/index/serve_index.py over ../shared/wheelhouse), cold (empty cache) and warm
// (the lock cache hit), in-process and as the CLI, next to `pip install --dry-run` of the
// same set from the same index in the same run. Prints figures; asserts nothing.
//
//   bench_lock [--rounds N] [--no-pip]
// Goal (the issue): cold 10x faster than pip cold, warm under 10 ms.
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "builder/index/lock_requirements.h"

namespace {

using Clock = std::chrono::steady_clock;

constexpr const char* kRequirements = "flask\nrequests\npydantic\npyyaml\norjson\nsix\n";

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

struct Server {
  pid_t pid = -1;
  int stdin_fd = -1;
  int port = 0;
  ~Server() {
    if (stdin_fd >= 0) close(stdin_fd);
    if (pid > 0) {
      kill(pid, SIGTERM);
      waitpid(pid, nullptr, 0);
    }
  }
};

bool start_server(Server& s) {
  int out[2], in[2];
  if (pipe(out) != 0 || pipe(in) != 0) return false;
  s.pid = fork();
  if (s.pid == 0) {
    dup2(in[0], 0);
    dup2(out[1], 1);
    close(in[1]);
    close(out[0]);
    const std::string script = std::string(IGNITE_SOURCE_DIR) + "/tests/index/serve_index.py";
    const std::string wheels = std::string(IGNITE_SHARED_DIR) + "/wheelhouse";
    execlp("python3", "python3", script.c_str(), "--wheelhouse", wheels.c_str(), nullptr);
    _exit(127);
  }
  close(in[0]);
  close(out[1]);
  s.stdin_fd = in[1];
  std::string line;
  while (line.find('\n') == std::string::npos) {
    pollfd p{out[0], POLLIN, 0};
    if (poll(&p, 1, 30000) <= 0) break;
    char buf[64];
    const ssize_t n = read(out[0], buf, sizeof buf);
    if (n <= 0) break;
    line.append(buf, static_cast<size_t>(n));
  }
  close(out[0]);
  if (line.rfind("PORT ", 0) == 0) s.port = std::atoi(line.c_str() + 5);
  return s.port != 0;
}

int run(const std::string& command) { return std::system(command.c_str()); }

}  // namespace

int main(int argc, char** argv) {
  int rounds = 5;
  bool pip = true;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--rounds" && i + 1 < argc) rounds = std::max(1, std::atoi(argv[++i]));
    if (a == "--no-pip") pip = false;
  }
  Server server;
  if (!start_server(server)) {
    std::fprintf(stderr, "bench_lock: serve_index.py did not start\n");
    return 1;
  }
  const std::string index = "http://127.0.0.1:" + std::to_string(server.port) + "/simple/";
  const std::string work =
      std::filesystem::temp_directory_path() / ("bench-lock-" + std::to_string(getpid()));
  std::filesystem::create_directories(work + "/app");
  {
    FILE* f = std::fopen((work + "/app/requirements.txt").c_str(), "w");
    std::fputs(kRequirements, f);
    std::fclose(f);
  }
  ignite::python::InMemoryFileSource source;
  source.add("requirements.txt", kRequirements);

  ignite::index::LockRequest request;
  request.sources.index_url = index;
  std::vector<double> cold, warm, cli_cold, cli_warm, pip_cold, pip_warm;
  std::size_t packages = 0, requests = 0;
  for (int r = 0; r < rounds; ++r) {
    request.cache_dir = work + "/cache-" + std::to_string(r);
    auto start = Clock::now();
    auto lock = ignite::index::lock_requirements(source, request);
    cold.push_back(ms_since(start));
    if (!lock.ok()) {
      std::fprintf(stderr, "bench_lock: %s\n", lock.status().message().c_str());
      return 1;
    }
    packages = lock->lock.packages.size();
    requests = lock->http_requests;
    for (int w = 0; w < 20; ++w) {
      start = Clock::now();
      auto again = ignite::index::lock_requirements(source, request);
      warm.push_back(ms_since(start));
      if (!again.ok() || again->origin != ignite::index::LockOrigin::kCached) {
        std::fprintf(stderr, "bench_lock: the warm run missed the cache\n");
        return 1;
      }
    }
    const std::string cli = std::string(IGNITE_BINARY) + " lock " + work + "/app --index-url " +
                            index + " --cache-dir " + work + "/cli-cache-" + std::to_string(r) +
                            " >/dev/null";
    start = Clock::now();
    run(cli);
    cli_cold.push_back(ms_since(start));
    for (int w = 0; w < 5; ++w) {
      start = Clock::now();
      run(cli);
      cli_warm.push_back(ms_since(start));
    }
    if (pip) {
      const std::string pip_cmd =
          "python3 -m pip install --quiet --disable-pip-version-check --dry-run "
          "--ignore-installed --report /dev/null --index-url " +
          index + " -r " + work + "/app/requirements.txt >/dev/null 2>&1";
      start = Clock::now();
      run("PIP_NO_CACHE_DIR=1 " + pip_cmd);
      pip_cold.push_back(ms_since(start));
      start = Clock::now();
      run("PIP_CACHE_DIR=" + work + "/pip-cache " + pip_cmd);
      pip_warm.push_back(ms_since(start));
    }
  }
  std::filesystem::remove_all(work);

  std::printf(
      "lock of %zu packages from a loopback PEP 691 index (%zu HTTP requests cold), median of %d "
      "rounds\n",
      packages, requests, rounds);
  std::printf("  %-34s %9.2f ms\n", "ignite lock, cold (in-process)", median(cold));
  std::printf("  %-34s %9.3f ms\n", "ignite lock, warm (in-process)", median(warm));
  std::printf("  %-34s %9.2f ms\n", "ignite-builder lock, cold (CLI)", median(cli_cold));
  std::printf("  %-34s %9.2f ms\n", "ignite-builder lock, warm (CLI)", median(cli_warm));
  if (pip) {
    std::printf("  %-34s %9.2f ms\n", "pip install --dry-run, no cache", median(pip_cold));
    std::printf("  %-34s %9.2f ms\n", "pip install --dry-run, its cache", median(pip_warm));
    std::printf("  cold speedup over pip: %.1fx (goal 10x); warm: %.3f ms (goal < 10 ms)\n",
                median(pip_cold) / median(cold), median(warm));
  }
  return 0;
}
