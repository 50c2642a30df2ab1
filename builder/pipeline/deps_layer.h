// The dependency layer: a lock's wheels installed under /opt/ignite/deps as one layer whose
// bytes depend only on what is installed (each wheel's sha256, which packages were named) and
// the target (its interpreter's digest when bytecode is compiled), never on the app, the
// machine or SOURCE_DATE_EPOCH (its mtimes are always 0). So every app with the same lock
// shares one blob in the store and in a registry. docs/dependencies.md has the whole story.
//
//   install set   the lock's packages for the target, each with its best wheel
//   fetch+verify  each wheel into <store>/cache/blobs/sha256/ (content_cache.h), its sha256
//                 checked against the lock before anything is unpacked
//   unpack        each wheel installed on its own (builder/wheel) into
//                 <store>/cache/installed/<wheel sha256>-<variant>/, and its bytecode compiled
//                 there by the target's interpreter (target_python.h); kept for every later lock
//                 that holds the same wheel
//   layer         the installed trees merged (a file installed by two packages is refused),
//                 written as one layer blob, and remembered in
//                 <store>/cache/deps-layers/<key>.json
//
// A later build with the same install set and target finds the record and its blob: no
// fetching, unpacking, compiling or compressing. A build killed before its trees are renamed
// into the cache (fault point "deps-installed") leaves only temporary directories there
// (cache/installed/.tmp-*), which nothing reads; removing the cache is always safe. Caches are
// written by rename, so builds running at once never see half an entry; the worst a race costs is
// work done twice.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "builder/index/http_client.h"
#include "builder/index/lock_requirements.h"
#include "builder/oci/image_builder.h"
#include "builder/pipeline/function_store.h"
#include "builder/pipeline/progress.h"
#include "builder/wheel/wheel_install.h"

namespace ignite::pipeline {

enum class Bytecode {
  kCompile,  // __pycache__/*.pyc in unchecked-hash mode, by the target's interpreter (default)
  kNone,     // no bytecode: the interpreter compiles every module at every cold start
};

// The names a version's inputs record them by ("deps": {"bytecode": "compile", "record":
// "strict"}), and back; nullopt for a name that is not one.
std::string_view bytecode_name(Bytecode bytecode);  // "compile", "none"
std::optional<Bytecode> parse_bytecode(std::string_view name);
std::string_view record_policy_name(wheel::RecordPolicy policy);  // "strict", "warn"
std::optional<wheel::RecordPolicy> parse_record_policy(std::string_view name);

struct DepsRequest {
  wheel::RecordPolicy record = wheel::RecordPolicy::kStrict;
  Bytecode bytecode = Bytecode::kCompile;
  python::PythonTarget target;
  python::Environment environment = python::Environment::target_default();
  // Credentials and netrc for wheels the lock names by URL (those of the index URLs in use).
  index::HttpOptions http;
};

// Where the time went, for `build -o json` and the bench (milliseconds).
struct DepsTimings {
  double fetch_ms = 0;     // fetch and verify every wheel
  double unpack_ms = 0;    // install the wheels not yet installed
  double bytecode_ms = 0;  // compile them
  double layer_ms = 0;     // merge, tar, gzip and store the blob
};

struct DepsLayer {
  oci::Layer layer;
  std::string key{};  // the layer cache key (64 hex)
  std::size_t packages = 0;
  std::size_t wheels_fetched = 0;    // not yet in the cache
  std::size_t wheels_installed = 0;  // not yet installed in the cache
  bool cached = false;               // the whole layer came from the cache
  DepsTimings timings{};
  std::vector<std::string> warnings{};  // RECORD problems let through, files left uncompiled
};

// The layer for `lock` on `base`. Errors name the package and why (a wheel missing or
// different from the lock, a wheel that will not install); nothing is recorded then, and what
// the caches kept stays reusable.
Result<DepsLayer> ensure_deps_layer(FunctionStore& store, const oci::BaseImage& base,
                                    const index::Lock& lock, const DepsRequest& request,
                                    Progress& progress);

// The directory of the store's caches (locks, wheels, installed trees, layer records).
std::string store_cache_dir(const FunctionStore& store);

}  // namespace ignite::pipeline
