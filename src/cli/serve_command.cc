// ignite-builder serve [--listen HOST:PORT] [--workers N] [--store DIR] [--base IMAGE] [...]
// The build service on the embedded store: dodil.ignite.builder.v1.BuildService over gRPC, and a
// pool of worker threads building what is queued (docs/api.md, docs/queue.md).
#include <grpcpp/grpcpp.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <ostream>
#include <thread>

#include "builder/store/sqlite_build_queue.h"
#include "src/cli/args.h"
#include "src/cli/commands.h"
#include "src/cli/package_sources.h"
#include "src/cli/report.h"
#include "src/cli/store_option.h"
#include "src/service/build_service.h"

namespace ignite::cli {
namespace {

const std::string kServeUsage =
    std::string(
        "usage: ignite-builder serve [--listen HOST:PORT] [--workers N] [--store DIR]\n"
        "                            [--base IMAGE] [package sources] [--no-compile]\n"
        "  serves dodil.ignite.builder.v1.BuildService over gRPC (proto/, docs/api.md) on the\n"
        "  store, with N worker threads building what is queued (other `worker` processes may\n"
        "  share the store). Stops on SIGINT or SIGTERM after the builds in progress.\n"
        "  --listen   where to listen (default 127.0.0.1:0: a free port, printed on stderr)\n"
        "  --workers  worker threads (default 2)\n") +
    kPackageSourcesUsage;

std::atomic<bool> g_stop{false};
void on_stop_signal(int sig) {
  if (g_stop.exchange(true)) {
    ::signal(sig, SIG_DFL);
    ::raise(sig);
  }
}

}  // namespace

int run_serve(const std::vector<std::string>& argv_in, Io io) {
  RepeatedSources repeated;
  auto rest = take_repeated_sources(argv_in, repeated);
  if (!rest.ok()) return usage_error(io, rest.status().message(), kServeUsage);
  auto parsed = parse_command(*rest,
                              {kStoreFlag,
                               {"--listen", "", true},
                               {"--workers", "", true},
                               {"--base", "", true},
                               kIndexUrlFlag,
                               kNoIndexFlag,
                               {"--no-compile", "", false}},
                              0, "serve takes no positional argument", kServeUsage, io);
  if (const int* exit = std::get_if<int>(&parsed)) return *exit;
  const Args& args = std::get<Args>(parsed);
  int threads = 2;
  if (auto w = args.value("--workers")) {
    char* end = nullptr;
    const long v = std::strtol(w->c_str(), &end, 10);
    if (w->empty() || *end != '\0' || v < 0 || v > 64) {
      return usage_error(io, "--workers takes a number from 0 to 64, not \"" + *w + "\"",
                         kServeUsage);
    }
    threads = static_cast<int>(v);
  }
  const std::string dir = store_dir(args);
  auto store = pipeline::FunctionStore::open(dir, pipeline::OpenStore::kCreateIfMissing);
  if (!store.ok()) return report_error(io, store.status());

  workers::WorkerOptions options;
  char host[256] = {0};
  ::gethostname(host, sizeof host - 1);
  options.worker_id = std::string(host) + ":" + std::to_string(::getpid());
  options.heartbeat_interval = options.lease / 6;
  options.open_heartbeat_queue = [dir]() -> Result<std::unique_ptr<store::BuildQueue>> {
    IGNITE_ASSIGN_OR_RETURN(store::SqliteBuildQueue q,
                            store::SqliteBuildQueue::open(dir + "/ignite.db"));
    return std::unique_ptr<store::BuildQueue>(
        std::make_unique<store::SqliteBuildQueue>(std::move(q)));
  };
  const std::optional<std::string> base = args.value("--base");
  const index::SourceOptions sources = source_options(args, repeated);
  const bool no_compile = args.has("--no-compile");
  const bool refresh = args.has(kRefreshFlag.name);
  const char* epoch = std::getenv("SOURCE_DATE_EPOCH");
  options.configure = [=](pipeline::BuildRequest& r) {
    r.base = base;
    if (epoch) r.source_date_epoch = epoch;
    r.sources = sources;
    r.refresh = refresh ? index::Refresh::kYes : index::Refresh::kNo;
    r.bytecode = no_compile ? pipeline::Bytecode::kNone : pipeline::Bytecode::kCompile;
  };

  service::WorkerPool pool(dir, threads, options);
  service::BuildServiceImpl build_service(dir, [&pool] { pool.notify(); });
  const std::string listen = args.value_or("--listen", "127.0.0.1:0");
  int port = 0;
  grpc::ServerBuilder builder;
  builder.AddListeningPort(listen, grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&build_service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) {
    return report_error(io, unavailable("serve: cannot listen on " + listen +
                                        " (address in use, or not a HOST:PORT)"));
  }
  const std::string shown = listen.substr(0, listen.rfind(':')) + ":" + std::to_string(port);
  io.err << "ignite-builder: serving BuildService (gRPC) on " << shown << ", " << threads
         << " worker thread" << (threads == 1 ? "" : "s") << ", store " << dir << "\n";
  io.err.flush();

  g_stop = false;
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  ::sigemptyset(&sa.sa_mask);
  struct sigaction old_int {
  }, old_term{};
  ::sigaction(SIGINT, &sa, &old_int);
  ::sigaction(SIGTERM, &sa, &old_term);
  while (!g_stop) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  io.err << "ignite-builder: stopping (builds in progress finish first)\n";
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
  ::sigaction(SIGINT, &old_int, nullptr);
  ::sigaction(SIGTERM, &old_term, nullptr);
  return kExitOk;
}

}  // namespace ignite::cli
