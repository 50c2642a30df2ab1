// verify --rebuild (docs/verify.md, "Rebuilding"): the version built again from an independent
// copy of its source, with its recorded inputs, in a scratch store, and the manifest digests
// compared. A match says the image is exactly what that source and those inputs make; a
// difference is named: the first differing layer and, in it, the first differing file (or the
// config's or the manifest's first differing field).
//
//   verify::RebuildSource source{"./greet", "--source ./greet"};
//   report.checks.push_back(verify::check_rebuild(store, app, record, source, {}, progress));
//
// The recorded inputs: the builder version (another one makes the check UNVERIFIABLE "not
// comparable"), the lock's text (taken as it is, never resolved again: index::LockRequest's
// given_lock), the base (its manifest, config and layers from the store's layout, by the
// recorded baseDigest), SOURCE_DATE_EPOCH, the dependency layer's bytecode and RECORD choices,
// and for a git build the repository URL and commit (the image's source and revision labels).
// The store is only read: the rebuild runs in tmp/verify-rebuild-XXXXXX, removed when it ends.
#pragma once

#include <optional>
#include <string>

#include "builder/pipeline/function_store.h"
#include "builder/pipeline/progress.h"
#include "builder/pipeline/source_origin.h"
#include "builder/store/app_id.h"
#include "builder/store/version_store.h"
#include "builder/verify/deps_check.h"
#include "builder/verify/verify_version.h"

namespace ignite::verify {

inline constexpr std::string_view kRebuildCheck = "rebuild";

// The source to rebuild from: a file, directory or archive the build reads, and how the report
// names it ("--source ./greet", "git file:///r at 3f2a…").
struct RebuildSource {
  std::string path;
  std::string described;
};

// The git origin recorded with a version built from git (inputs.source.git), if any: where an
// independent copy of its source can be fetched.
std::optional<pipeline::GitOrigin> recorded_git_origin(const store::VersionRecord& record);

// The check:
// - UNVERIFIABLE "not comparable: built by ignite-builder X, this is ignite-builder Y" when the
//   record's builder version is not this one's;
// - SKIP for an image published with publish-image (not built from source);
// - UNVERIFIABLE when the rebuild cannot run here: the base's manifest, config or (with
//   bytecode) layers are not in the store, a lock's wheel no source has, the source cannot be
//   read or built (each names what);
// - PASS when the rebuilt manifest's digest is the recorded one;
// - FAIL otherwise: expected the recorded digest, actual the rebuild's; the detail names the
//   first differing layer (its index and role: base, runtime host, dependencies, app) and its
//   first differing files, or the first differing field of the config or the manifest.
Check check_rebuild(pipeline::FunctionStore& store, const store::AppId& app,
                    const store::VersionRecord& record, const RebuildSource& source,
                    const DepsCheckOptions& wheels, pipeline::Progress& progress);

// No independent source (no --source, and the version was not built from git): the check is
// UNVERIFIABLE "rebuild skipped: …", the reason given. Also for an image with no record.
Check rebuild_skipped(const std::string& why);

}  // namespace ignite::verify
