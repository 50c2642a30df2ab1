// What `worker` and `serve` share: the build flags a worker applies to every build it runs, the
// worker's options from them, and stopping on SIGINT/SIGTERM after the work in progress.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "src/cli/args.h"
#include "src/cli/package_sources.h"
#include "src/cli/publish_options.h"
#include "src/cli/signing_flags.h"
#include "workers/worker.h"

namespace ignite::cli {

// --base, --index-url, --no-index, --refresh, --allow-bad-record, --no-compile (with
// --find-links and --extra-index-url taken out by take_repeated_sources), and the registry's
// flags (--registry, --registry-ca, --plain-http, --registry-user, --registry-password-stdin),
// and --signing-key (signing_flags.h).
std::vector<FlagSpec> worker_build_flags();

// --lease SECONDS: how long a claim lasts without a renewal, 5 to 3600 (default 60).
inline const FlagSpec kLeaseFlag{"--lease", "", true};
Result<std::chrono::milliseconds> lease_from(const Args& args);

// "HOST:PID": this process among the store's workers and deliverers.
std::string host_and_pid();

// Options for the store's workers: named `id` (HOST:PID when empty), a lease of `lease`
// renewed every lease/6 on a connection of their own, and every build's request set from the
// flags above and SOURCE_DATE_EPOCH; with `registry` (registry_target_from), every version is
// also published there, as `build --registry` does (docs/publish-lock.md); `attest` signs
// every version's provenance (attest_options_from).
workers::WorkerOptions worker_options(const Args& args, const RepeatedSources& repeated,
                                      const store::StoreBackend& store, std::string id,
                                      std::chrono::milliseconds lease,
                                      std::optional<pipeline::RegistryTarget> registry,
                                      pipeline::AttestOptions attest);

// While alive, the first SIGINT or SIGTERM sets requested(); a second one stops the process at
// once, as the signal would. The previous handlers come back when it goes.
class StopSignals {
 public:
  StopSignals();
  ~StopSignals();
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;
  bool requested() const;
};

}  // namespace ignite::cli
