// ignite-builder serve [--listen HOST:PORT] [--http HOST:PORT] [--workers N] [--store DIR] [...]
// The build service on the embedded store: dodil.ignite.builder.v1.BuildService and
// dodil.ignite.v1.ComputeService over gRPC, both over HTTP/JSON, and a pool of worker threads
// building what is queued (docs/api.md, docs/compute.md, docs/queue.md).
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <iostream>
#include <ostream>
#include <thread>

#include "builder/metrics/metrics.h"
#include "builder/registry/blob_metrics.h"
#include "builder/net/url_redaction.h"
#include "src/cli/args.h"
#include "src/cli/commands.h"
#include "src/cli/events_flags.h"
#include "src/cli/package_sources.h"
#include "src/cli/report.h"
#include "src/cli/serve_auth.h"
#include "src/cli/store_option.h"
#include "src/cli/unavailable_wait.h"
#include "src/cli/worker_flags.h"
#include "src/service/build_service.h"
#include "src/service/build_waiter.h"
#include "src/service/compute.h"
#include "src/service/compute_service.h"
#include "src/service/http_gateway.h"
#include "src/service/service_metrics.h"
#include "workers/store_queue.h"

namespace ignite::cli {
namespace {

const std::string kServeUsage =
    std::string(
        "usage: ignite-builder serve [--listen HOST:PORT] [--http HOST:PORT] [--workers N]\n"
        "                            [--lease SECONDS]\n"
        "                            [--events-url URL [--events-secret-file FILE]\n"
        "                             [--events-ca FILE]]\n"
        "                            [--auth-keys FILE[,FILE...] | --auth-jwks FILE\n"
        "                             --auth-audience AUD [--auth-org-claim NAME]]\n"
        "                            [--store DIR] [--database URL] [--base IMAGE] [package sources]\n"
        "                            [--allow-bad-record] [--no-compile] [--signing-key FILE]\n"
        "                            [--registry HOST[:PORT] [--registry-ca FILE] [--plain-http]\n"
        "                             [--registry-user USER [--registry-password-stdin]]]\n"
        "  serves dodil.ignite.v1.ComputeService (CreateApp, SaveDraft, PublishDraft) and\n"
        "  dodil.ignite.builder.v1.BuildService over gRPC, and both over HTTP/JSON (proto/,\n"
        "  docs/api.md), on the store, with N worker threads building what is queued (other\n"
        "  `worker` processes may share the store). Stops on SIGINT or SIGTERM after the\n"
        "  builds in progress. A store unreachable at start (the database not up yet) is waited\n"
        "  for, 1 s doubling to 30 s, with a line on stderr each time.\n"
        "  --listen   gRPC's address (default 127.0.0.1:0: a free port, printed on stderr)\n"
        "  --http     HTTP/JSON's address (default 127.0.0.1:0: a free port, printed on stderr);\n"
        "             GET /metrics there: the service's figures for Prometheus (docs/metrics.md)\n"
        "  --workers  worker threads (default 2; 0: only `worker` processes build)\n"
        "  --lease    seconds a worker's claim lasts without a renewal (default 60; 5 to 3600):\n"
        "             a build whose server died is taken up again after it\n"
        "  --base, package sources, --allow-bad-record, --no-compile,\n"
        "  --signing-key: as for `build`\n"
        "  --registry HOST[:PORT]  also publish every version as HOST/ORG/APP:vN (as `worker`)\n") +
    kDatabaseUsage +
    "             (needs --registry, and --workers 0 or its workers publish there)\n" +
    kEventsUsage + kServeAuthUsage + kRegistryFlagsUsage + kPackageSourcesUsage;

}  // namespace

int run_serve(const std::vector<std::string>& argv_in, Io io) {
  RepeatedSources repeated;
  auto rest = take_repeated_sources(argv_in, repeated);
  if (!rest.ok()) return usage_error(io, rest.status().message(), kServeUsage);
  std::vector<FlagSpec> flags = worker_build_flags();
  flags.insert(flags.end(), {kStoreFlag,
                             kDatabaseFlag,
                             {"--listen", "", true},
                             {"--http", "", true},
                             kLeaseFlag,
                             {"--workers", "", true}});
  const std::vector<FlagSpec> event_flags = events_flags();
  flags.insert(flags.end(), event_flags.begin(), event_flags.end());
  flags.insert(flags.end(), kServeAuthFlags.begin(), kServeAuthFlags.end());
  auto parsed =
      parse_command(*rest, flags, 0, "serve takes no positional argument", kServeUsage, io);
  if (const int* exit = std::get_if<int>(&parsed)) return *exit;
  const Args& args = std::get<Args>(parsed);
  // Before anything is opened: serve without auth on a reachable address does not start.
  auto auth = serve_auth_from(
      args, {args.value_or("--listen", "127.0.0.1:0"), args.value_or("--http", "127.0.0.1:0")});
  if (!auth.ok()) {
    if (auth.status().code() == Code::kInvalidArgument) {
      return usage_error(io, auth.status().message(), kServeUsage);
    }
    return report_error(io, auth.status());
  }
  auto workers = args.number_or("--workers", 0, 64, 2);
  if (!workers.ok()) return usage_error(io, workers.status().message(), kServeUsage);
  const int threads = static_cast<int>(*workers);
  auto backend = store_backend(args);
  if (!backend.ok()) return usage_error(io, backend.status().message(), kServeUsage);

  auto lease = lease_from(args);
  if (!lease.ok()) return usage_error(io, lease.status().message(), kServeUsage);
  auto registry = registry_target_from(args, std::cin);
  if (!registry.ok()) return usage_error(io, registry.status().message(), kServeUsage);
  if (backend->is_postgres() && threads > 0 && !*registry) {
    return usage_error(io,
                       "--database postgres://... needs --registry (or --workers 0): with a shared "
                       "database every version is published to the registry, since nodes share "
                       "no disk",
                       kServeUsage);
  }
  // The store unreachable at start (PostgreSQL not up yet, as when a whole site starts at once)
  // is waited out, as a worker does; a stop asked for meanwhile ends the wait, and serve.
  const StopSignals stop;
  UnavailableWait unreachable("serve", io.err);
  auto store = unreachable.until_answered(
      [&] {
        return pipeline::FunctionStore::open(*backend, pipeline::OpenStore::kCreateIfMissing);
      },
      stop);
  if (!store.ok()) return report_error(io, store.status());
  // The process's figures, served on /metrics (docs/metrics.md).
  metrics::Registry& metrics = metrics::default_registry();
  service::register_build_info(metrics);
  if (*registry) (*registry)->on_blob = ignite::registry::count_blob_bytes(metrics);
  auto attest = attest_options_from(args);
  if (!attest.ok()) return report_error(io, attest.status());
  const workers::WorkerOptions options =
      worker_options(args, repeated, *backend, "", *lease, *registry, std::move(*attest));
  auto event_options = event_delivery_options(args);
  if (!event_options.ok()) return usage_error(io, event_options.status().message(), kServeUsage);

  const std::string http_listen = args.value_or("--http", "127.0.0.1:0");
  const auto colon = http_listen.rfind(':');
  int http_port = -1;
  if (colon != std::string::npos && colon + 1 < http_listen.size()) {
    char* end = nullptr;
    const long p = std::strtol(http_listen.c_str() + colon + 1, &end, 10);
    if (*end == '\0' && p >= 0 && p <= 65535) http_port = static_cast<int>(p);
  }
  if (colon == std::string::npos || colon == 0 || http_port < 0) {
    return usage_error(io,
                       "--http takes HOST:PORT (e.g. 127.0.0.1:8080), not \"" + http_listen + "\"",
                       kServeUsage);
  }
  const std::string http_host = http_listen.substr(0, colon);

  // The catalog's tables are made now, so the first request never waits for the write lock.
  if (auto catalog = unreachable.until_answered([&] { return backend->open_catalog(); }, stop);
      !catalog.ok()) {
    return report_error(io, catalog.status());
  }
  // Events are delivered from before the first request: the outbox is on before any build.
  std::unique_ptr<events::EventDelivery> delivery;
  if (*event_options) {
    auto started = unreachable.until_answered(
        [&] { return events::EventDelivery::start(*backend, **event_options); }, stop);
    if (!started.ok()) return report_error(io, started.status());
    delivery = std::move(*started);
  }
  service::BuildWaiter waiter;
  service::WorkerPool pool(
      *backend, threads, options, [&waiter] { waiter.notify(); }, service::kWorkerIdlePoll, &metrics);
  const metrics::Registry::CollectorHandle queue_figures =
      service::add_queue_collector(metrics, *backend);
  // The deliverer's own counts (the outbox's depth is among the queue's figures).
  metrics::Registry::CollectorHandle delivery_figures;
  if (delivery) {
    delivery_figures = metrics.add_collector([d = delivery.get()](metrics::MetricWriter& out) {
      const events::EventDeliveryStats stats = d->stats();
      out.family("ignite_events_delivered_total",
                 "Build events the control plane's receiver acknowledged (2xx) since start.",
                 metrics::MetricType::kCounter);
      out.sample("ignite_events_delivered_total", {}, static_cast<double>(stats.delivered));
      out.family("ignite_event_delivery_failures_total",
                 "Event POSTs that failed or were refused since start (each is retried).",
                 metrics::MetricType::kCounter);
      out.sample("ignite_event_delivery_failures_total", {}, static_cast<double>(stats.failures));
    });
  }
  const auto notify_pool = [&pool] { pool.notify(); };
  service::BuildServiceImpl build_service(*backend, notify_pool, auth->authenticator);
  service::Compute compute(*backend, notify_pool, waiter);
  service::ComputeServiceImpl compute_service(compute, auth->authenticator);

  const std::string listen = args.value_or("--listen", "127.0.0.1:0");
  int port = 0;
  grpc::ServerBuilder builder;
  builder.AddListeningPort(listen, grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&build_service);
  builder.RegisterService(&compute_service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) {
    return report_error(io, unavailable("serve: cannot listen on " + listen +
                                        " (address in use, or not a HOST:PORT)"));
  }
  service::HttpGatewayOptions http_options;
  http_options.ready = [store = *backend] { return workers::open_store_queue(store).status(); };
  http_options.metrics = &metrics;
  service::HttpGateway http(compute, build_service, auth->authenticator, http_options);
  auto http_bound = http.start(http_host, http_port);
  if (!http_bound.ok()) {
    server->Shutdown();
    return report_error(io, http_bound.status());
  }
  const std::string shown = listen.substr(0, listen.rfind(':')) + ":" + std::to_string(port);
  io.err << "ignite-builder: serving gRPC on " << shown << " and HTTP/JSON on http://" << http_host
         << ":" << *http_bound << ", " << threads << " worker thread" << (threads == 1 ? "" : "s")
         << ", store " << backend->dir();
  if (backend->is_postgres()) io.err << " with records in " << backend->describe();
  if (*event_options) io.err << ", events to " << net::url_for_messages((*event_options)->url);
  io.err << "\n";
  io.err << "ignite-builder: " << auth->mode << "\n";
  io.err.flush();

  while (!stop.requested()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  io.err << "ignite-builder: stopping (builds in progress finish first)\n";
  waiter.shutdown();  // a PublishDraft waiting for its build answers now
  http.stop();
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
  return kExitOk;
}

}  // namespace ignite::cli
