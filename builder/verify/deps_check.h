// verify's `dependencies` check (docs/verify.md, "The dependency layer"): the version's
// recorded lock re-installed by the pipeline in a scratch store, and the layer it makes compared
// with the image's dependency layer, file by file when they differ.
//
//   pipeline::StreamProgress progress(std::cerr);
//   report.checks.push_back(verify::check_dependencies(store, record, {}, progress));
//
// The store is only read: the re-install runs in a fresh FunctionStore under the store's tmp/
// (tmp/verify-deps-XXXXXX), removed when the check ends, whatever happens. Bytecode is made by
// the image's own base: its layers below the runtime host, copied from the store's layout
// (digests checked) and unpacked afresh in the scratch store (each layer checked against the
// image's diff_id); the store's cache/rootfs, which the builder made, is not trusted. Without
// bytecode no base is needed. Wheels come from the sources of locked_wheels.h, each held to the
// lock's sha256.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "builder/oci/layer_diff.h"
#include "builder/pipeline/deps_layer.h"
#include "builder/pipeline/function_store.h"
#include "builder/pipeline/progress.h"
#include "builder/store/version_store.h"
#include "builder/verify/verify_version.h"

namespace ignite::verify {

inline constexpr std::string_view kDependenciesCheck = "dependencies";

struct DepsCheckOptions {
  std::vector<std::string> find_links;  // --find-links DIR, in order
  std::vector<std::string> index_urls;  // --index-url URL, then each --extra-index-url
};

// The check of version `record` of `store`:
// - SKIP when the record holds no lock (no requirements, an image draft), or the lock installs
//   nothing on the target; or when the manifest cannot be read (its blob line says why);
// - FAIL when the recorded lock's text does not hash to the recorded lockHash or cannot be read,
//   when the record's depsLayer is not the image's layer below the app layer, or when the
//   re-installed layer differs from the image's (expected: its digest; actual: the digest of
//   the image's layer as stored; the detail names the first differing files);
// - UNVERIFIABLE when a wheel cannot be had from any source (the detail names each, and where it
//   was looked for), or the re-install cannot run here (the reason);
// - PASS when the re-installed layer is byte for byte the image's.
// The bytecode and RECORD choices are the record's `inputs.deps`; a version recorded before it
// has its bytecode inferred from the image's layer (any __pycache__/*.pyc) and RECORD strict
// assumed, as the detail says.
Check check_dependencies(pipeline::FunctionStore& store, const store::VersionRecord& record,
                         const DepsCheckOptions& options, pipeline::Progress& progress);

// The choices (bytecode, RECORD policy) the image's dependency layer `layer` was made with: the
// record's inputs.deps, or for a version recorded before it bytecode inferred from the layer
// (any __pycache__/*.pyc; its entries then left in *entries when given) and RECORD strict.
// INVALID_ARGUMENT when inputs.deps cannot be read; the layer's read error when it is needed.
struct DepsChoices {
  pipeline::Bytecode bytecode = pipeline::Bytecode::kCompile;
  wheel::RecordPolicy record = wheel::RecordPolicy::kStrict;
  std::string described;  // "bytecode none, record strict, as recorded"
};
Result<DepsChoices> recorded_deps_choices(const store::VersionRecord& record,
                                          const oci::OciLayout& layout,
                                          const oci::Descriptor& layer,
                                          std::optional<oci::LayerEntries>* entries = nullptr);

// The check for an image with no version record (a registry reference): SKIP, since only a
// store's record holds the lock's text (the image carries its lockHash alone).
Check unrecorded_dependencies_check();

}  // namespace ignite::verify
