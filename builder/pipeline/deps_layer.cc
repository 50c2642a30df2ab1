#include "builder/pipeline/deps_layer.h"

#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include "builder/index/content_cache.h"
#include "builder/index/lock_install.h"
#include "builder/oci/media_types.h"
#include "builder/pipeline/target_python.h"
#include "builder/util/fault.h"
#include "builder/util/file_io.h"
#include "builder/util/sha256.h"

namespace ignite::pipeline {
namespace {

namespace fs = std::filesystem;

// Bumped whenever the installer or the layer's layout changes what a key's layer holds.
constexpr std::string_view kDepsLayerFormat = "ignite-deps-layer 1";
constexpr std::string_view kDepsPrefix = "opt/ignite/deps";

using Clock = std::chrono::steady_clock;
double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// Runs work(i) for i in [0, n) on up to one thread per core; the first error (by index) wins.
Status run_parallel(std::size_t n, const std::function<Status(std::size_t)>& work) {
  std::vector<Status> results(n, ok_status());
  std::atomic<std::size_t> next{0};
  auto worker = [&] {
    for (std::size_t i = next++; i < n; i = next++) results[i] = work(i);
  };
  const std::size_t threads =
      std::min<std::size_t>(n, std::max(1u, std::thread::hardware_concurrency()));
  std::vector<std::thread> pool;
  for (std::size_t t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  for (Status& s : results) {
    if (!s.ok()) return s;
  }
  return ok_status();
}

// The HTTP client holds one connection and is not for several threads: downloads take turns,
// while hashing and writing into the cache go on in parallel.
class SerializedHttp final : public index::HttpClient {
 public:
  explicit SerializedHttp(index::HttpClient& inner) : inner_(inner) {}
  Result<index::HttpResponse> get(const index::Url& url, std::string_view accept) override {
    std::lock_guard<std::mutex> hold(mutex_);
    return inner_.get(url, accept);
  }

 private:
  index::HttpClient& inner_;
  std::mutex mutex_;
};

// One wheel to put in the layer, and where its installed tree lives in the cache.
struct WheelJob {
  index::InstallItem item;
  std::string wheel_path;  // in the content cache, checked
  std::string tree;        // <cache>/installed/<sha256>-<variant>
  std::string tmp;         // where it is being installed, when not cached yet
  std::vector<std::string> warnings;
};

// What every installed tree and layer depends on beside the wheels: the format, the target's
// interpreter and the record policy.
std::string target_text(const std::string& interpreter_id, const DepsRequest& request) {
  return std::string(kDepsLayerFormat) + "\ninterpreter " + std::string(kTargetInterpreter) + " " +
         interpreter_id + "\nrecord " + std::string(record_policy_name(request.record)) + "\n";
}

// An installed tree's variant: the target, and whether the package was named (REQUESTED).
std::string variant_of(const std::string& interpreter_id, const DepsRequest& request,
                       bool requested) {
  return sha256_hex(target_text(interpreter_id, request) + "requested " + (requested ? "1" : "0") +
                    "\n")
      .substr(0, 16);
}

std::string layer_key(const std::vector<WheelJob>& jobs, const std::string& interpreter_id,
                      const DepsRequest& request) {
  std::string text = target_text(interpreter_id, request);
  for (const WheelJob& j : jobs) {
    text += "wheel " + j.item.wheel->sha256 + " " + (j.item.requested ? "1 " : "0 ") +
            j.item.wheel->name + "\n";
  }
  return sha256_hex(text);
}

// A layer record: the blob and the warnings of the trees in it, so a cache hit reads one file.
struct LayerRecord {
  oci::Layer layer;
  std::vector<std::string> warnings;
};

std::optional<LayerRecord> cached_layer(const std::string& record_path,
                                        const oci::OciLayout& layout) {
  auto text = read_file(record_path);
  if (!text.ok()) return std::nullopt;
  auto j = nlohmann::json::parse(*text, nullptr, false);
  if (!j.is_object()) return std::nullopt;
  auto digest = Digest::parse(j.value("digest", ""));
  auto diff_id = Digest::parse(j.value("diffId", ""));
  if (!digest.ok() || !diff_id.ok() || !layout.has_blob(*digest)) return std::nullopt;
  std::vector<std::string> warnings;
  if (auto w = j.find("warnings"); w != j.end() && w->is_array()) {
    for (const auto& item : *w) {
      if (item.is_string()) warnings.push_back(item.get<std::string>());
    }
  }
  return LayerRecord{oci::Layer{oci::Descriptor{std::string(oci::kMediaTypeLayerGzip),
                                                *digest,
                                                j.value("size", std::int64_t{0}),
                                                {},
                                                std::nullopt},
                                *diff_id,
                                j.value("tarSize", std::uint64_t{0}),
                                {}},
                     std::move(warnings)};
}

// write_cache_file makes the directory.
Status remember_layer(const std::string& record_path, const oci::Layer& layer,
                      const std::vector<std::string>& warnings) {
  nlohmann::json j = {{"digest", layer.blob.digest.to_string()},
                      {"diffId", layer.diff_id.to_string()},
                      {"size", layer.blob.size},
                      {"tarSize", layer.tar_size},
                      {"warnings", warnings}};
  return index::write_cache_file(record_path, j.dump() + "\n");
}

// Notes kept beside an installed tree (<tree>.json), so a cache hit repeats its warnings.
Status write_tree_notes(const std::string& tree, const std::vector<std::string>& warnings) {
  return index::write_cache_file(tree + ".json",
                                 nlohmann::json{{"warnings", warnings}}.dump() + "\n");
}

std::vector<std::string> read_tree_notes(const std::string& tree) {
  auto text = read_file(tree + ".json");
  if (!text.ok()) return {};
  auto j = nlohmann::json::parse(*text, nullptr, false);
  if (!j.is_object() || !j.contains("warnings") || !j["warnings"].is_array()) return {};
  std::vector<std::string> out;
  for (const auto& w : j["warnings"]) {
    if (w.is_string()) out.push_back(w.get<std::string>());
  }
  return out;
}

// Every installed tree's files under opt/ignite/deps, as one plan. Two packages installing the
// same file would make the result depend on which wins: refused, naming both.
Result<oci::LayerPlan> merged_plan(const std::vector<WheelJob>& jobs) {
  oci::LayerPlan merged;
  std::map<std::string, const WheelJob*> owner;
  for (const WheelJob& job : jobs) {
    oci::DirectoryLayerOptions options;
    options.prefix = std::string(kDepsPrefix);
    options.modes = oci::ModePolicy::kNormalize;
    options.special_files = oci::SpecialFiles::kRefuse;
    IGNITE_ASSIGN_OR_RETURN(oci::DirectoryPlan plan, oci::plan_directory_layer(job.tree, options));
    for (const auto& [path, entry] : plan.plan.entries()) {
      auto existing = merged.entries().find(path);
      if (existing != merged.entries().end()) {
        if (existing->second.type == oci::LayerEntryType::kDirectory &&
            entry.type == oci::LayerEntryType::kDirectory) {
          continue;
        }
        const WheelJob* other = owner.count(path) ? owner[path] : nullptr;
        return failed_precondition(
            "installing " + job.item.package->name + " " + job.item.package->version + ": /" +
            path + " is also installed by " +
            (other ? other->item.package->name + " " + other->item.package->version
                   : "another package") +
            "; packages of one lock must not overwrite each other's files");
      }
      IGNITE_RETURN_IF_ERROR(merged.add(path, entry));
      owner[path] = &job;
    }
  }
  IGNITE_RETURN_IF_ERROR(merged.check());
  return merged;
}

}  // namespace

std::string_view bytecode_name(Bytecode bytecode) {
  return bytecode == Bytecode::kCompile ? "compile" : "none";
}

std::optional<Bytecode> parse_bytecode(std::string_view name) {
  if (name == "compile") return Bytecode::kCompile;
  if (name == "none") return Bytecode::kNone;
  return std::nullopt;
}

std::string_view record_policy_name(wheel::RecordPolicy policy) {
  return policy == wheel::RecordPolicy::kStrict ? "strict" : "warn";
}

std::optional<wheel::RecordPolicy> parse_record_policy(std::string_view name) {
  if (name == "strict") return wheel::RecordPolicy::kStrict;
  if (name == "warn") return wheel::RecordPolicy::kWarn;
  return std::nullopt;
}

std::string store_cache_dir(const FunctionStore& store) { return store.dir() + "/cache"; }

Result<DepsLayer> ensure_deps_layer(FunctionStore& store, const oci::BaseImage& base,
                                    const index::Lock& lock, const DepsRequest& request,
                                    Progress& progress) {
  // Digests have no empty value; the layer is filled in below, from the cache or written.
  DepsLayer out{
      .layer = oci::Layer{
          oci::Descriptor{"", Digest::of(""), 0, {}, std::nullopt}, Digest::of(""), 0, {}}};
  const std::string cache_dir = store_cache_dir(store);
  const index::ContentCache cache(cache_dir);
  IGNITE_ASSIGN_OR_RETURN(std::vector<index::InstallItem> items,
                          index::install_set_for(lock, request.target, request.environment));
  out.packages = items.size();

  // The target: the base's own interpreter, when bytecode is made with it.
  std::optional<TargetPython> python;
  std::string interpreter_id = "no-bytecode";
  if (request.bytecode == Bytecode::kCompile) {
    auto opened = open_target_python(store, base);
    if (!opened.ok()) {
      return opened.status().with_context(
          "compiling the dependencies' bytecode with the base image's interpreter (build with "
          "--no-compile to ship none)");
    }
    python = std::move(*opened);
    interpreter_id = python->interpreter_digest;
  }

  std::vector<WheelJob> jobs;
  for (const index::InstallItem& item : items) {
    WheelJob job{item, "", "", "", {}};
    job.tree = cache_dir + "/installed/" + item.wheel->sha256 + "-" +
               variant_of(interpreter_id, request, item.requested);
    jobs.push_back(std::move(job));
  }
  out.key = layer_key(jobs, interpreter_id, request);
  const std::string record_path = cache_dir + "/deps-layers/" + out.key + ".json";
  if (auto record = cached_layer(record_path, store.layout())) {
    out.layer = std::move(record->layer);
    out.warnings = std::move(record->warnings);
    out.cached = true;
    progress.note(std::to_string(out.packages) + " packages, layer " +
                  out.layer.blob.digest.to_string() + " (cached)");
    return out;
  }

  // Fetch and verify what is not installed yet. URLs need the HTTP client; paths do not.
  auto start = Clock::now();
  std::vector<WheelJob*> missing;
  for (WheelJob& j : jobs) {
    if (!fs::is_directory(j.tree)) missing.push_back(&j);
  }
  std::optional<index::CurlHttpClient> curl;
  for (WheelJob* j : missing) {
    if (!j->item.wheel->url.empty() && !curl) curl.emplace(request.http);
  }
  std::optional<SerializedHttp> http;
  if (curl) http.emplace(*curl);
  std::atomic<std::size_t> fetched{0};
  IGNITE_RETURN_IF_ERROR(run_parallel(missing.size(), [&](std::size_t i) -> Status {
    WheelJob& j = *missing[i];
    const bool had = cache.find_blob(j.item.wheel->sha256).has_value();
    IGNITE_ASSIGN_OR_RETURN(
        j.wheel_path,
        index::fetch_locked_wheel(cache, http ? &*http : nullptr, *j.item.package, *j.item.wheel));
    if (!had) ++fetched;
    return ok_status();
  }));
  out.wheels_fetched = fetched;
  out.timings.fetch_ms = ms_since(start);

  // Install each missing wheel into a temporary directory of the cache.
  start = Clock::now();
  const std::string installed_dir = cache_dir + "/installed";
  struct TempTrees {  // removed on every way out; renamed ones are gone already
    std::vector<WheelJob*>& jobs;
    ~TempTrees() {
      for (WheelJob* j : jobs) {
        std::error_code ec;
        if (!j->tmp.empty()) fs::remove_all(j->tmp, ec);
      }
    }
  } cleanup{missing};
  IGNITE_RETURN_IF_ERROR(run_parallel(missing.size(), [&](std::size_t i) -> Status {
    WheelJob& j = *missing[i];
    IGNITE_ASSIGN_OR_RETURN(j.tmp, make_temp_dir(installed_dir, ".tmp-"));
    wheel::InstallOptions options;
    options.interpreter = std::string(kTargetInterpreter);
    options.record = request.record;
    options.requested = j.item.requested;
    const std::string target = j.tmp + "/tree";
    auto installed = wheel::install_wheel(j.wheel_path, j.item.wheel->name, target, options);
    if (!installed.ok()) {
      return installed.status().with_context("installing " + j.item.package->name + " " +
                                             j.item.package->version);
    }
    for (const std::string& w : installed->warnings) {
      j.warnings.push_back(j.item.package->name + " " + j.item.package->version + ": " + w);
    }
    return ok_status();
  }));
  out.timings.unpack_ms = ms_since(start);

  start = Clock::now();
  if (python) {
    IGNITE_RETURN_IF_ERROR(run_parallel(missing.size(), [&](std::size_t i) -> Status {
      WheelJob& j = *missing[i];
      auto compiled = compile_bytecode(*python, j.tmp + "/tree");
      if (!compiled.ok()) {
        return compiled.status().with_context("compiling the bytecode of " + j.item.package->name +
                                              " " + j.item.package->version);
      }
      for (const std::string& f : compiled->failed) {
        j.warnings.push_back(j.item.package->name + " " + j.item.package->version + ": " + f +
                             " does not compile; it ships without bytecode (as pip leaves it)");
      }
      return ok_status();
    }));
  }
  out.timings.bytecode_ms = ms_since(start);

  fault_point("deps-installed");
  // Into the cache: notes first, then the tree by rename, so a tree present has its notes.
  for (WheelJob* j : missing) {
    IGNITE_RETURN_IF_ERROR(write_tree_notes(j->tree, j->warnings));
    if (::rename((j->tmp + "/tree").c_str(), j->tree.c_str()) != 0) {
      if (errno != EEXIST && errno != ENOTEMPTY) {
        return errno_status(
            "keeping the installed tree of " + j->item.package->name + " in " + j->tree, errno);
      }
      // Another build installed the same wheel meanwhile; both trees are the same.
    }
  }
  out.wheels_installed = missing.size();
  for (const WheelJob& j : jobs) {
    for (const std::string& w : read_tree_notes(j.tree)) out.warnings.push_back(w);
  }

  start = Clock::now();
  IGNITE_ASSIGN_OR_RETURN(oci::LayerPlan plan, merged_plan(jobs));
  // Epoch 0 whatever SOURCE_DATE_EPOCH says: the layer is shared by every app and machine.
  IGNITE_ASSIGN_OR_RETURN(out.layer, oci::write_layer(store.layout(), plan, {oci::Epoch::zero()}));
  IGNITE_RETURN_IF_ERROR(remember_layer(record_path, out.layer, out.warnings));
  out.timings.layer_ms = ms_since(start);
  progress.note(std::to_string(out.packages) + " packages (" + std::to_string(out.wheels_fetched) +
                " fetched, " + std::to_string(out.wheels_installed) + " installed), layer " +
                out.layer.blob.digest.to_string());
  return out;
}

}  // namespace ignite::pipeline
