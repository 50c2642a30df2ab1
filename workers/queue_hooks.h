// The queue's gates on a build's way, as the pipeline's BuildHooks: every stage boundary, and
// the fenced commit, without a registry or around the registry's tag with one
// (docs/publish-lock.md). A worker hands them to each build it runs (worker.cc).
#pragma once

#include <cstdint>
#include <string>

#include "builder/pipeline/build_function.h"
#include "builder/store/build_queue.h"
#include "builder/store/version_store.h"

namespace ignite::workers {

// What a build's record takes from the version committed as `number`: the image, its lock, its
// codeHash and the digests of its SBOM and provenance, all as `record` holds them (the version's
// own row), so that the build, its SUCCEEDED event and the version never disagree.
// `source_commit`: the git commit the build fetched, "" when there is none or it is not known
// here (another build's, rolled forward).
store::BuildOutcome committed_outcome(const store::VersionRecord& record, std::int64_t number,
                                      std::string source_commit);

// The hooks of build `id` under `epoch`: set_stage at each stage, succeed_in_transaction in the
// commit without a registry, publishing_in_transaction in the intent's transaction and
// succeed_published_in_transaction in the one that records an intent's version (this build's,
// or one left by a build whose worker stopped: the intent names it). `commit`: this build's git
// commit ("" for any other source). `queue` must outlive the hooks.
pipeline::BuildHooks queue_hooks(store::BuildQueue& queue, const std::string& id,
                                 std::int64_t epoch, const std::string& commit);

}  // namespace ignite::workers
