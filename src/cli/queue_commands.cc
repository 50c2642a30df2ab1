// The build queue from the command line (docs/queue.md):
//   ignite-builder submit SOURCE --org ORG --app APP [--publish] [--max-attempts N] [--store DIR]
//   ignite-builder worker [--until-idle] [--lease SECONDS] [--base IMAGE] [--registry HOST] ...
//   ignite-builder builds [ORG/APP] [--store DIR] [-o text|json]
//   ignite-builder cancel BUILD [--store DIR]
// A submitted build is in the store (its source kept, the build queued) before submit returns;
// workers, in this process or others on the same store, claim builds under leases and publish
// them as the app's next version.
#include <sys/stat.h>
#include <unistd.h>
#include <iostream>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <iomanip>
#include <nlohmann/json.hpp>
#include <ostream>
#include <thread>
#include <variant>

#include "builder/util/file_io.h"
#include "src/cli/args.h"
#include "src/cli/commands.h"
#include "src/cli/package_sources.h"
#include "src/cli/publish_options.h"
#include "src/cli/remote_submit.h"
#include "src/cli/report.h"
#include "src/cli/store_option.h"
#include "src/cli/unavailable_wait.h"
#include "src/cli/worker_flags.h"
#include "workers/store_queue.h"
#include "workers/worker.h"

namespace ignite::cli {
namespace {

const std::string kSubmitUsage = std::string(
    "usage: ignite-builder submit SOURCE --org ORG --app APP [--publish] [--max-attempts N]\n"
    "                             [--idempotency-key KEY] [--store DIR] [--database URL]\n"
    "                             [-o text|json]\n"
    "       ignite-builder submit --server URL (SOURCE | --git URL --ref REF [--subdir DIR])\n"
    "                             --org ORG --app APP [--idempotency-key KEY] [--wait]\n"
    "                             [--token TOKEN] [-o text|json]\n"
    "  queues a build of SOURCE (a lone file, taken as handler.py, or a .tar, .tar.gz or .zip)\n"
    "  for the app's next version, and prints its build id; `ignite-builder worker` builds it.\n"
    "  The source is checked (intake, codeHash) before anything is kept.\n"
    "  --publish         build it before builds submitted without it\n"
    "  --max-attempts N  claims, lost leases and retried failures together (default 3)\n"
    "  --idempotency-key KEY  a retry with the same KEY and SOURCE within 24 h prints the\n"
    "                    first build instead of queueing another (per org; another SOURCE\n"
    "                    with the KEY is refused)\n") + kDatabaseUsage + kRemoteSubmitUsage;

const std::string kWorkerUsage =
    std::string(
        "usage: ignite-builder worker [--until-idle] [--lease SECONDS] [--id NAME] [--store DIR]\n"
        "                             [--database URL --registry HOST[:PORT]]\n"
        "                             [--base IMAGE] [package sources] [--allow-bad-record]\n"
        "                             [--no-compile] [--signing-key FILE] [--progress|--quiet]\n"
        "                             [--registry HOST[:PORT] [--registry-ca FILE] [--plain-http]\n"
        "                              [--registry-user USER [--registry-password-stdin]]]\n"
        "  claims queued builds of the store one at a time and publishes each as its app's next\n"
        "  version, under a lease renewed every lease/6; several workers (processes) may share a\n"
        "  store. Stops after the current build on SIGINT or SIGTERM (a second one stops at "
        "once).\n"
        "  An unreachable store (the database restarting or not up yet) is waited for, 1 s\n"
        "  doubling to 30 s, with a line on stderr each time.\n"
        "  --until-idle  exit when no build is ready to claim (default: wait for more); a store\n"
        "                unreachable at start is then an error, not waited for\n"
        "  --lease       seconds a claim lasts without a renewal (default 60)\n"
        "  --id          this worker's name in the queue (default HOST:PID)\n"
        "  --base, package sources, --allow-bad-record, --no-compile,\n"
        "  --signing-key: as for `build`\n"
        "  --registry HOST[:PORT]  also publish every version as HOST/ORG/APP:vN; the tag is set\n"
        "                          outside the store's transactions, under the app's publish "
        "lock\n") +
    kDatabaseUsage +
    "             (needs --registry: every version is then published to the registry)\n" +
    kRegistryFlagsUsage + kPackageSourcesUsage;

const std::string kBuildsUsage =
    "usage: ignite-builder builds [ORG/APP] [--store DIR] [--database URL] [-o text|json]\n"
    "  lists the store's builds, newest first: id, app, state, stage, attempts, version, error\n" +
    kDatabaseUsage;

const std::string kCancelUsage =
    "usage: ignite-builder cancel BUILD [--store DIR] [--database URL]\n"
    "  cancels a queued build at once, a running one at its next stage; a published build\n"
    "  cannot be cancelled\n" +
    kDatabaseUsage;

std::string utc_ms(std::int64_t ms) {
  if (ms == 0) return "-";
  std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

nlohmann::json build_json(const store::BuildRecord& b) {
  nlohmann::json j = {
      {"id", b.id},
      {"app", b.app.to_string()},
      {"state", std::string(store::build_state_name(b.state))},
      {"stage", b.stage},
      {"priority", b.priority == store::BuildPriority::kPublish ? "publish" : "normal"},
      {"codeHash", b.code_hash},
      {"sourceDigest", b.source_digest},
      {"attempts", b.attempts},
      {"maxAttempts", b.max_attempts},
      {"submittedAt", utc_ms(b.submitted_at_ms)},
      {"finishedAt", utc_ms(b.finished_at_ms)},
      {"cancelRequested", b.cancel_requested}};
  if (b.version > 0) {
    j["version"] = b.version;
    j["reference"] = b.app.ref_name(b.version);
    j["digest"] = b.manifest_digest;
    // The version's SBOM and provenance (docs/attestations.md), when it has them.
    if (!b.sbom_digest.empty()) j["sbomDigest"] = b.sbom_digest;
    if (!b.provenance_digest.empty()) j["provenanceDigest"] = b.provenance_digest;
  }
  if (!b.error.empty()) j["error"] = b.error;
  return j;
}

// The queue of a store that exists (builds, cancel): the exit code when there is none, or when
// the flags are wrong, said on the way.
std::variant<std::unique_ptr<store::BuildQueue>, int> open_existing_queue(const Args& args, Io io,
                                                                         const std::string& usage) {
  auto store = store_backend(args);
  if (!store.ok()) return usage_error(io, store.status().message(), usage);
  if (!store->is_postgres() && ::access(store->sqlite_path().c_str(), F_OK) != 0) {
    return report_error(io,
                        not_found("store " + store->dir() + " has no database (nothing was built)"));
  }
  auto queue = workers::open_store_queue(*store);
  if (!queue.ok()) return report_error(io, queue.status());
  return std::move(*queue);
}

}  // namespace

int run_submit(const std::vector<std::string>& argv, Io io) {
  std::vector<FlagSpec> flags = {kOrgFlag,
                                 kAppFlag,
                                 kStoreFlag,
                                 kDatabaseFlag,
                                 {"--publish", "", false},
                                 {"--max-attempts", "", true},
                                 {"--idempotency-key", "", true},
                                 {"--output", "-o", true}};
  const std::vector<FlagSpec> remote = remote_submit_flags();
  flags.insert(flags.end(), remote.begin(), remote.end());
  // --server is a mode of its own (remote_submit.h), with 0 or 1 positionals: told apart first.
  std::vector<FlagSpec> with_help = flags;
  with_help.push_back({"--help", "-h", false});
  auto all = Args::parse(argv, with_help);
  if (!all.ok()) return usage_error(io, all.status().message(), kSubmitUsage);
  if (all->has("--help")) {
    io.out << kSubmitUsage;
    return kExitOk;
  }
  if (all->has("--server")) return run_remote_submit(*all, io, kSubmitUsage);
  for (const FlagSpec& f : remote) {
    if (all->has(f.name)) return usage_error(io, f.name + " needs --server URL", kSubmitUsage);
  }
  auto parsed = parse_command(argv, flags, 1, "submit takes exactly one SOURCE", kSubmitUsage, io);
  if (const int* exit = std::get_if<int>(&parsed)) return *exit;
  const Args& args = std::get<Args>(parsed);
  auto format = parse_output_format(args.value_or("--output", "text"));
  if (!format.ok()) return usage_error(io, format.status().message(), kSubmitUsage);
  auto app = app_from(args);
  if (!app.ok()) return usage_error(io, app.status().message(), kSubmitUsage);
  store::SubmitOptions options;
  auto attempts = args.number_or("--max-attempts", 1, 100, options.max_attempts);
  if (!attempts.ok()) return usage_error(io, attempts.status().message(), kSubmitUsage);
  options.max_attempts = static_cast<int>(*attempts);
  options.idempotency_key = args.value_or("--idempotency-key", "");
  const std::string& source = args.positional()[0];
  struct stat st {};
  if (::stat(source.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
    return report_error(
        io, invalid_argument("submitting " + source +
                             ": a directory is not kept as it is; submit an "
                             "archive of it (tar -C " +
                             source + " -czf draft.tar.gz .) or build it with `build`"));
  }
  auto bytes = read_file(source);
  if (!bytes.ok()) return report_error(io, bytes.status().with_context("submitting " + source));
  auto store = store_backend(args);
  if (!store.ok()) return usage_error(io, store.status().message(), kSubmitUsage);
  auto build = workers::submit_draft(
      *store, *app, *bytes,
      args.has("--publish") ? store::BuildPriority::kPublish : store::BuildPriority::kNormal,
      options);
  if (!build.ok()) return report_error(io, build.status().with_context("submitting " + source));
  if (*format == OutputFormat::kJson) {
    io.out << build_json(*build).dump(2) << "\n";
  } else {
    io.out << build->id << "\n";
    io.err << "ignite-builder: queued " << app->to_string() << " (codeHash " << build->code_hash
           << "); run `ignite-builder worker` to build it\n";
  }
  return kExitOk;
}

int run_worker(const std::vector<std::string>& argv_in, Io io) {
  RepeatedSources repeated;
  auto rest = take_repeated_sources(argv_in, repeated);
  if (!rest.ok()) return usage_error(io, rest.status().message(), kWorkerUsage);
  std::vector<FlagSpec> flags = worker_build_flags();
  flags.insert(flags.end(), {kStoreFlag,
                             kDatabaseFlag,
                             {"--until-idle", "", false},
                             kLeaseFlag,
                             {"--id", "", true},
                             kProgressFlag,
                             kQuietFlag});
  auto parsed =
      parse_command(*rest, flags, 0, "worker takes no positional argument", kWorkerUsage, io);
  if (const int* exit = std::get_if<int>(&parsed)) return *exit;
  const Args& args = std::get<Args>(parsed);
  auto lease = lease_from(args);
  if (!lease.ok()) return usage_error(io, lease.status().message(), kWorkerUsage);
  auto registry = registry_target_from(args, std::cin);
  if (!registry.ok()) return usage_error(io, registry.status().message(), kWorkerUsage);
  auto backend = store_backend(args);
  if (!backend.ok()) return usage_error(io, backend.status().message(), kWorkerUsage);
  if (backend->is_postgres() && !*registry) {
    return usage_error(io,
                       "--database postgres://... needs --registry: with a shared database every "
                       "version is published to the registry, since nodes share no disk",
                       kWorkerUsage);
  }
  auto attest = attest_options_from(args);
  if (!attest.ok()) return report_error(io, attest.status());
  const workers::WorkerOptions options = worker_options(
      args, repeated, *backend, args.value_or("--id", ""), *lease, *registry, std::move(*attest));

  // The store unreachable (PostgreSQL restarting or not up yet, SQLite busy past its timeout)
  // is waited out, between builds and, unless this is a one-shot run (--until-idle, which says
  // so at once), at start: every connection is made again on its next call, and a build this
  // worker held goes on, or goes back to the queue when its lease ran out meanwhile. Anything
  // else stops the worker.
  const StopSignals stop;
  UnavailableWait unreachable("worker", io.err);
  const auto opened = [&](auto open) {
    return args.has("--until-idle") ? open() : unreachable.until_answered(open, stop);
  };
  auto store = opened([&] {
    return pipeline::FunctionStore::open(*backend, pipeline::OpenStore::kCreateIfMissing);
  });
  if (!store.ok()) return report_error(io, store.status());
  auto queue = opened([&] { return workers::open_store_queue(*backend); });
  if (!queue.ok()) return report_error(io, queue.status());
  const workers::SourceStore source_store(*backend);
  ProgressChoice choice(args, io.err);

  int built = 0, failed = 0;
  Status stopped_by;
  while (!stop.requested()) {
    auto turn = workers::run_one_build(*store, **queue, source_store, options, choice.progress());
    choice.progress().done();
    if (!turn.ok() && turn.status().code() == Code::kUnavailable) {
      if (unreachable.wait_after(turn.status(), stop)) continue;
      break;  // asked to stop while waiting
    }
    unreachable.reset();
    if (!turn.ok()) {
      stopped_by = turn.status();
      break;
    }
    if (turn->outcome == workers::TurnOutcome::kIdle) {
      if (args.has("--until-idle")) break;
      std::this_thread::sleep_for(std::chrono::seconds(1));
      continue;
    }
    const store::BuildRecord& b = *turn->build;
    switch (turn->outcome) {
      case workers::TurnOutcome::kSucceeded:
        ++built;
        io.out << b.id << " " << b.app.to_string() << " published " << b.app.ref_name(b.version)
               << " " << b.manifest_digest << "\n";
        break;
      case workers::TurnOutcome::kRetrying:
        io.out << b.id << " " << b.app.to_string() << " will be retried (attempt " << b.attempts
               << " of " << b.max_attempts << " failed): " << turn->error << "\n";
        break;
      case workers::TurnOutcome::kFailed:
        ++failed;
        io.out << b.id << " " << b.app.to_string() << " failed: " << b.error << "\n";
        break;
      case workers::TurnOutcome::kCancelled:
        io.out << b.id << " " << b.app.to_string() << " cancelled\n";
        break;
      case workers::TurnOutcome::kLeaseLost:
        io.out << b.id << " " << b.app.to_string()
               << " taken over by another worker: " << turn->error << "\n";
        break;
      case workers::TurnOutcome::kIdle:
        break;
    }
    io.out.flush();
  }
  if (!stopped_by.ok()) return report_error(io, stopped_by);
  if (args.has("--until-idle")) {
    auto waiting = (*queue)->list(store::BuildFilter{.state = store::BuildState::kQueued});
    const std::size_t later = waiting.ok() ? waiting->builds.size() : 0;
    io.err << "ignite-builder: worker idle: " << built << " published, " << failed << " failed"
           << (later ? ", " + std::to_string(later) + " queued for later (backoff)" : "") << "\n";
  }
  return failed > 0 ? kExitFailed : kExitOk;
}

int run_builds(const std::vector<std::string>& argv, Io io) {
  // Zero or one positional: parse_command wants an exact count, so it is given the one there is.
  const std::size_t given = [&] {
    auto probe = Args::parse(
        argv, {kStoreFlag, kDatabaseFlag, {"--output", "-o", true}, {"--help", "-h", false}});
    return probe.ok() ? std::min<std::size_t>(probe->positional().size(), 2) : 0;
  }();
  auto parsed = parse_command(argv, {kStoreFlag, kDatabaseFlag, {"--output", "-o", true}},
                              given > 1 ? 1 : given,
                              "builds takes at most one ORG/APP", kBuildsUsage, io);
  if (const int* exit = std::get_if<int>(&parsed)) return *exit;
  const Args& args = std::get<Args>(parsed);
  auto format = parse_output_format(args.value_or("--output", "text"));
  if (!format.ok()) return usage_error(io, format.status().message(), kBuildsUsage);
  store::BuildFilter filter;
  if (!args.positional().empty()) {
    auto app = store::AppId::parse(args.positional()[0]);
    if (!app.ok()) return usage_error(io, app.status().message(), kBuildsUsage);
    filter.app = *app;
  }
  auto queue = open_existing_queue(args, io, kBuildsUsage);
  if (const int* exit = std::get_if<int>(&queue)) return *exit;
  store::BuildQueue& q = *std::get<std::unique_ptr<store::BuildQueue>>(queue);
  filter.page_size = 500;
  std::vector<store::BuildRecord> all;
  for (;;) {
    auto page = q.list(filter);
    if (!page.ok()) return report_error(io, page.status());
    all.insert(all.end(), page->builds.begin(), page->builds.end());
    if (page->next_page_token.empty()) break;
    filter.page_token = page->next_page_token;
  }
  if (*format == OutputFormat::kJson) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& b : all) list.push_back(build_json(b));
    io.out << nlohmann::json{{"builds", list}}.dump(2) << "\n";
    return kExitOk;
  }
  io.out << std::left << std::setw(36) << "BUILD" << std::setw(24) << "APP" << std::setw(11)
         << "STATE" << std::setw(9) << "STAGE" << std::setw(9) << "ATTEMPTS" << std::setw(9)
         << "VERSION"
         << "ERROR\n";
  for (const auto& b : all) {
    io.out << std::setw(36) << b.id << std::setw(24) << b.app.to_string() << std::setw(11)
           << store::build_state_name(b.state) << std::setw(9) << (b.stage.empty() ? "-" : b.stage)
           << std::setw(9) << (std::to_string(b.attempts) + "/" + std::to_string(b.max_attempts))
           << std::setw(9) << (b.version > 0 ? "v" + std::to_string(b.version) : "-")
           << (b.error.empty() ? "" : b.error.substr(0, b.error.find('\n'))) << "\n";
  }
  return kExitOk;
}

int run_cancel(const std::vector<std::string>& argv, Io io) {
  auto parsed =
      parse_command(argv, {kStoreFlag, kDatabaseFlag}, 1, "cancel takes exactly one BUILD",
                    kCancelUsage, io);
  if (const int* exit = std::get_if<int>(&parsed)) return *exit;
  const Args& args = std::get<Args>(parsed);
  auto queue = open_existing_queue(args, io, kCancelUsage);
  if (const int* exit = std::get_if<int>(&queue)) return *exit;
  auto b = std::get<std::unique_ptr<store::BuildQueue>>(queue)->request_cancel(args.positional()[0]);
  if (!b.ok()) return report_error(io, b.status());
  io.out << b->id << " "
         << (b->state == store::BuildState::kCancelled ? "cancelled"
                                                       : "will stop at its next stage")
         << "\n";
  return kExitOk;
}

}  // namespace ignite::cli
