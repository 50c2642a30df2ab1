#include "src/cli/worker_flags.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>

#include "workers/store_queue.h"

namespace ignite::cli {
namespace {

std::atomic<bool> g_stop{false};
struct sigaction g_old_int {};
struct sigaction g_old_term {};

void on_stop_signal(int sig) {
  if (g_stop.exchange(true)) {
    ::signal(sig, SIG_DFL);
    ::raise(sig);
  }
}


}  // namespace

std::string host_and_pid() {
  char host[256] = {0};
  if (::gethostname(host, sizeof host - 1) != 0) return "localhost:" + std::to_string(::getpid());
  return std::string(host) + ":" + std::to_string(::getpid());
}

std::vector<FlagSpec> worker_build_flags() {
  return {{"--base", "", true},
          kIndexUrlFlag,
          kNoIndexFlag,
          kRefreshFlag,
          {"--allow-bad-record", "", false},
          {"--no-compile", "", false},
          kRegistryFlag,
          kRegistryCaFlag,
          kPlainHttpFlag,
          kRegistryUserFlag,
          kPasswordStdinFlag,
          kSigningKeyFlag};
}

workers::WorkerOptions worker_options(const Args& args, const RepeatedSources& repeated,
                                      const store::StoreBackend& store, std::string id,
                                      std::chrono::milliseconds lease,
                                      std::optional<pipeline::RegistryTarget> registry,
                                      pipeline::AttestOptions attest) {
  workers::WorkerOptions options;
  options.worker_id = id.empty() ? host_and_pid() : std::move(id);
  options.lease = lease;
  options.heartbeat_interval = lease / 6;
  options.open_heartbeat_queue = workers::store_queue_opener(store);
  const std::optional<std::string> base = args.value("--base");
  const index::SourceOptions sources = source_options(args, repeated);
  const bool refresh = args.has(kRefreshFlag.name);
  const bool warn_record = args.has("--allow-bad-record");
  const bool no_compile = args.has("--no-compile");
  const char* epoch_env = std::getenv("SOURCE_DATE_EPOCH");
  const std::optional<std::string> epoch =
      epoch_env ? std::optional<std::string>(epoch_env) : std::nullopt;
  options.configure = [=](pipeline::BuildRequest& r) {
    r.base = base;
    r.source_date_epoch = epoch;
    r.sources = sources;
    r.refresh = refresh ? index::Refresh::kYes : index::Refresh::kNo;
    r.record = warn_record ? wheel::RecordPolicy::kWarn : wheel::RecordPolicy::kStrict;
    r.bytecode = no_compile ? pipeline::Bytecode::kNone : pipeline::Bytecode::kCompile;
    r.registry = registry;
    r.attest = attest;
  };
  return options;
}

StopSignals::StopSignals() {
  g_stop = false;
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  ::sigemptyset(&sa.sa_mask);
  ::sigaction(SIGINT, &sa, &g_old_int);
  ::sigaction(SIGTERM, &sa, &g_old_term);
}

StopSignals::~StopSignals() {
  ::sigaction(SIGINT, &g_old_int, nullptr);
  ::sigaction(SIGTERM, &g_old_term, nullptr);
}

bool StopSignals::requested() const { return g_stop; }

Result<std::chrono::milliseconds> lease_from(const Args& args) {
  IGNITE_ASSIGN_OR_RETURN(long seconds, args.number_or("--lease", 5, 3600, 60, "seconds"));
  return std::chrono::milliseconds(std::chrono::seconds(seconds));
}

}  // namespace ignite::cli
