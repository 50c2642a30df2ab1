// ignite-builder serve [--listen HOST:PORT] [--workers N] [--store DIR] [--base IMAGE] [...]
// The build service on the embedded store: dodil.ignite.builder.v1.BuildService over gRPC, and a
// pool of worker threads building what is queued (docs/api.md, docs/queue.md).
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <ostream>
#include <thread>

#include "src/cli/args.h"
#include "src/cli/commands.h"
#include "src/cli/package_sources.h"
#include "src/cli/report.h"
#include "src/cli/store_option.h"
#include "src/cli/worker_flags.h"
#include "src/service/build_service.h"

namespace ignite::cli {
namespace {

const std::string kServeUsage =
    std::string(
        "usage: ignite-builder serve [--listen HOST:PORT] [--workers N] [--store DIR]\n"
        "                            [--base IMAGE] [package sources] [--allow-bad-record]\n"
        "                            [--no-compile]\n"
        "  serves dodil.ignite.builder.v1.BuildService over gRPC (proto/, docs/api.md) on the\n"
        "  store, with N worker threads building what is queued (other `worker` processes may\n"
        "  share the store). Stops on SIGINT or SIGTERM after the builds in progress.\n"
        "  --listen   where to listen (default 127.0.0.1:0: a free port, printed on stderr)\n"
        "  --workers  worker threads (default 2)\n"
        "  --base, package sources, --allow-bad-record, --no-compile: as for `build`\n") +
    kPackageSourcesUsage;

}  // namespace

int run_serve(const std::vector<std::string>& argv_in, Io io) {
  RepeatedSources repeated;
  auto rest = take_repeated_sources(argv_in, repeated);
  if (!rest.ok()) return usage_error(io, rest.status().message(), kServeUsage);
  std::vector<FlagSpec> flags = worker_build_flags();
  flags.insert(flags.end(), {kStoreFlag, {"--listen", "", true}, {"--workers", "", true}});
  auto parsed =
      parse_command(*rest, flags, 0, "serve takes no positional argument", kServeUsage, io);
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

  const workers::WorkerOptions options =
      worker_options(args, repeated, dir, "", std::chrono::seconds(60));

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

  {
    const StopSignals stop;
    while (!stop.requested()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  io.err << "ignite-builder: stopping (builds in progress finish first)\n";
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
  return kExitOk;
}

}  // namespace ignite::cli
