#include "builder/verify/deps_check.h"

#include <nlohmann/json.hpp>
#include <optional>

#include "builder/index/lock_install.h"
#include "builder/index/pylock.h"
#include "builder/oci/image_builder.h"
#include "builder/oci/image_config.h"
#include "builder/oci/image_reader.h"
#include "builder/oci/layer_diff.h"
#include "builder/oci/manifest.h"
#include "builder/oci/media_types.h"
#include "builder/pipeline/deps_layer.h"
#include "builder/python/platform_tags.h"
#include "builder/util/file_io.h"
#include "builder/util/json_codec.h"
#include "builder/verify/locked_wheels.h"

namespace ignite::verify {
namespace {

// How many differing files a FAIL names; the rest are counted.
constexpr std::size_t kShownDifferences = 5;
constexpr std::string_view kNotReinstalled = "not re-installed";
// A function image with dependencies: the base's layers, then the runtime host, the
// dependencies and the app (build_function.cc).
constexpr std::size_t kLayersAboveBase = 3;

Check result(Outcome outcome, std::string expected, std::string actual, std::string detail) {
  return {std::string(kDependenciesCheck), outcome, std::move(expected), std::move(actual),
          std::move(detail)};
}
Check skip(std::string why) { return result(Outcome::kSkip, "", "", std::move(why)); }

// The base to re-install on, in `scratch`. Without bytecode nothing of it is read: scratch.
// With bytecode, its interpreter runs: the image's own base layers (those below the runtime host,
// dependency and app layers), copied from the store's layout with their digests checked, under a
// manifest and config of their own, so that unpacking checks each against the image's diff_id.
// The base's manifest itself need not be in the store (a base given as DIR:REF is not).
Result<oci::BaseImage> base_from_image(const oci::OciLayout& from, const oci::ImageManifest& image,
                                       oci::OciLayout& scratch, pipeline::Bytecode bytecode) {
  if (bytecode == pipeline::Bytecode::kNone) return oci::BaseImage::scratch();
  const std::string context = "taking the image's base layers from the store";
  const std::size_t n = image.layers.size();
  if (n < kLayersAboveBase) return oci::BaseImage::scratch();
  const std::size_t base_layers = n - kLayersAboveBase;
  auto config_bytes = from.read_blob(image.config.digest);
  if (!config_bytes.ok()) return config_bytes.status().with_context(context);
  IGNITE_ASSIGN_OR_RETURN(oci::ImageConfig config, oci::parse_image_config(*config_bytes));
  if (config.diff_ids.size() != n) {
    return failed_precondition(context + ": the config lists " +
                               std::to_string(config.diff_ids.size()) + " diff_ids for " +
                               std::to_string(n) + " layers");
  }
  std::vector<oci::Descriptor> layers;
  nlohmann::json diff_ids = nlohmann::json::array();
  for (std::size_t i = 0; i < base_layers; ++i) {
    const oci::Descriptor& layer = image.layers[i];
    if (!from.has_blob(layer.digest)) {
      return failed_precondition(
          context + ": layer " + std::to_string(i) + " " + layer.digest.to_string() +
          " is not in the store (a base taken from a registry keeps its layers there), and "
          "compiling bytecode runs the base's own interpreter");
    }
    IGNITE_RETURN_IF_ERROR(scratch.copy_blob_from(from, layer).with_context(context));
    layers.push_back(layer);
    diff_ids.push_back(config.diff_ids[i].to_string());
  }
  const nlohmann::json base_config = {{"architecture", config.architecture},
                                      {"os", config.os},
                                      {"rootfs", {{"type", "layers"}, {"diff_ids", diff_ids}}}};
  IGNITE_ASSIGN_OR_RETURN(oci::Descriptor base_config_blob,
                          scratch.add_blob(oci::kMediaTypeConfig, base_config.dump()));
  const oci::ImageManifest base{std::move(base_config_blob), std::move(layers), {}};
  IGNITE_ASSIGN_OR_RETURN(std::string manifest_bytes, oci::manifest_json(base));
  IGNITE_ASSIGN_OR_RETURN(oci::Descriptor manifest,
                          scratch.add_blob(oci::kMediaTypeManifest, manifest_bytes));
  return oci::BaseImage::open(scratch, manifest);
}

bool holds_bytecode(const oci::LayerEntries& entries) {
  for (const auto& [path, entry] : entries) {
    if (path.ends_with(".pyc") && path.find("__pycache__/") != std::string::npos) return true;
  }
  return false;
}

std::string differences_text(const std::vector<oci::EntryDifference>& diffs,
                             const std::string& where) {
  if (diffs.empty()) {
    return "the re-installed layer and " + where +
           " hold the same paths, types, modes, owners and contents, in other bytes (entry "
           "order, mtimes or compression)";
  }
  return (diffs.size() == 1 ? "1 path differs" : std::to_string(diffs.size()) + " paths differ") +
         std::string(" between the re-installed layer (expected) and ") + where +
         " (actual): " + oci::differences_summary(diffs, kShownDifferences);
}

class DepsChecker {
 public:
  DepsChecker(pipeline::FunctionStore& store, const store::VersionRecord& record,
              const DepsCheckOptions& options, pipeline::Progress& progress)
      : store_(store), record_(record), options_(options), progress_(progress) {}

  Check run() {
    const std::string version = "version " + std::to_string(record_.number);
    const auto inputs = nlohmann::json::parse(record_.inputs, nullptr, /*allow_exceptions=*/false);
    if (!inputs.is_object()) {
      return result(Outcome::kFail, "inputs as a JSON object", "unreadable",
                    version + "'s recorded inputs are not a JSON object");
    }
    const auto lock_text = inputs.find("lock");
    if (lock_text == inputs.end() || !lock_text->is_string()) {
      return skip(inputs.contains("image")
                      ? version + " is an image published with publish-image: it has no lock"
                      : version +
                            " records no lock: its source had no requirements.txt or "
                            "pylock.toml");
    }
    const std::string& text = lock_text->get_ref<const std::string&>();
    const std::string text_hash = index::lock_hash(text).to_string();
    if (text_hash != record_.lock_hash) {
      return result(Outcome::kFail, record_.lock_hash, text_hash,
                    "the recorded lock's text (inputs.lock) against the recorded lockHash");
    }
    auto lock = index::read_pylock(text, "the recorded lock");
    if (!lock.ok()) {
      return result(Outcome::kFail, "a readable lock", "unreadable", lock.status().message());
    }
    if (lock->packages.empty()) {
      return skip("the lock " + record_.lock_hash + " has no packages: no dependency layer");
    }
    const pipeline::DepsRequest defaults;
    auto items = index::install_set_for(*lock, defaults.target, defaults.environment);
    if (!items.ok()) {
      return result(Outcome::kFail, "the lock's wheels for the target", "none fits",
                    items.status().message());
    }
    std::optional<std::string> recorded_layer;
    if (auto d = inputs.find("depsLayer"); d != inputs.end() && d->is_string()) {
      recorded_layer = d->get<std::string>();
    }
    if (items->empty()) {
      if (!recorded_layer) {
        return skip("the lock's " + std::to_string(lock->packages.size()) +
                    " packages install nothing on the target (their markers do not hold): no "
                    "dependency layer");
      }
      return result(Outcome::kFail, "no dependency layer", *recorded_layer,
                    "the lock installs nothing on the target, but the record names a dependency "
                    "layer");
    }
    return check_layer(*lock, *items, recorded_layer);
  }

 private:
  Check check_layer(const index::Lock& lock, const std::vector<index::InstallItem>& items,
                    const std::optional<std::string>& recorded_layer) {
    // The image's dependency layer: the one below the app layer, which the record names.
    auto manifest_digest = Digest::parse(record_.manifest_digest);
    auto manifest_bytes = manifest_digest.ok() ? store_.layout().read_blob(*manifest_digest)
                                               : Result<std::string>(manifest_digest.status());
    auto manifest = manifest_bytes.ok() ? oci::parse_manifest(*manifest_bytes)
                                        : Result<oci::ImageManifest>(manifest_bytes.status());
    if (!manifest.ok()) return skip("the manifest could not be read (its own line says why)");
    const std::size_t n = manifest->layers.size();
    if (n < 2) {
      return result(Outcome::kFail, recorded_layer.value_or("a dependency layer"), "none",
                    "the image has " + std::to_string(n) + " layer(s): none below the app layer");
    }
    const oci::Descriptor& layer = manifest->layers[n - 2];
    where_ = "the image's layer " + std::to_string(n - 2) + " " + layer.digest.to_string();
    if (recorded_layer && *recorded_layer != layer.digest.to_string()) {
      return result(Outcome::kFail, *recorded_layer, layer.digest.to_string(),
                    "the record's depsLayer against the image's layer " + std::to_string(n - 2) +
                        ", the one below the app layer");
    }
    auto stored = oci::read_blob_content(store_.layout(), layer, oci::BlobRole::kWhole);
    if (!stored.ok()) {
      return result(Outcome::kFail, layer.digest.to_string(),
                    stored.status().code() == Code::kNotFound ? "missing" : "unreadable",
                    where_ + ": " + stored.status().message());
    }
    const std::string actual = stored->digest.to_string();

    auto choices = recorded_deps_choices(record_, store_.layout(), layer, &image_entries_);
    if (!choices.ok()) {
      if (choices.status().code() == Code::kInvalidArgument) {
        return result(Outcome::kFail, "deps.bytecode compile|none, deps.record strict|warn",
                      "unreadable", choices.status().message());
      }
      return result(Outcome::kFail, layer.digest.to_string(), "unreadable",
                    where_ + ": " + choices.status().message());
    }
    pipeline::DepsRequest request;
    request.bytecode = choices->bytecode;
    request.record = choices->record;
    return reinstall(lock, items, *manifest, actual, choices->described, request);
  }

  // The lock installed in a scratch store and its layer compared with the image's.
  Check reinstall(const index::Lock& lock, const std::vector<index::InstallItem>& items,
                  const oci::ImageManifest& manifest, const std::string& actual,
                  const std::string& choices, const pipeline::DepsRequest& request) {
    const oci::Descriptor& layer = manifest.layers[manifest.layers.size() - 2];
    auto unverifiable = [&](const std::string& why) {
      return result(Outcome::kUnverifiable, std::string(kNotReinstalled), actual, why);
    };
    struct EndProgress {  // the last stage's line ends however the check does
      pipeline::Progress& progress;
      ~EndProgress() { progress.done(); }
    } end_progress{progress_};
    auto scratch_dir = make_temp_dir(store_.tmp_dir(), "verify-deps-");
    if (!scratch_dir.ok()) return unverifiable(scratch_dir.status().message());
    const ScratchDirGuard dir(*scratch_dir);
    auto scratch = pipeline::FunctionStore::open(dir.path, pipeline::OpenStore::kCreateIfMissing);
    if (!scratch.ok()) return unverifiable(scratch.status().message());
    auto base = base_from_image(store_.layout(), manifest, scratch->layout(), request.bytecode);
    if (!base.ok()) return unverifiable(base.status().message());

    const WheelSources sources{pipeline::store_cache_dir(store_), options_.find_links,
                               options_.index_urls};
    const index::ContentCache into(pipeline::store_cache_dir(*scratch));
    auto gathered = gather_locked_wheels(items, sources, into, progress_);
    if (!gathered.ok()) return unverifiable(gathered.status().message());
    if (!gathered->missing.empty()) {
      return unverifiable(missing_wheels_text(*gathered, items.size()));
    }
    const std::string origins = wheel_origins_text(*gathered);

    progress_.stage("deps", "re-installing the lock " + record_.lock_hash + " in a scratch store");
    auto rebuilt = pipeline::ensure_deps_layer(*scratch, *base, lock, request, progress_);
    if (!rebuilt.ok()) {
      return unverifiable("re-installing the lock in a scratch store (" + choices +
                          "): " + rebuilt.status().message());
    }
    const oci::Descriptor& made = rebuilt->layer.blob;
    const std::string expected = made.digest.to_string();
    const std::string how = "the lock's " + std::to_string(rebuilt->packages) +
                            (rebuilt->packages == 1 ? " package" : " packages") +
                            " re-installed in a scratch store (" + choices +
                            "; wheels: " + origins + ")";
    if (expected == actual) {
      return result(Outcome::kPass, expected, actual, how + " give " + where_ + " byte for byte");
    }
    auto ours = oci::read_layer_entries(scratch->layout(), made);
    if (!image_entries_) {
      auto entries = oci::read_layer_entries(store_.layout(), layer);
      if (!entries.ok()) {
        return result(Outcome::kFail, expected, actual,
                      how + " give another layer, and " + where_ +
                          " cannot be read file by file: " + entries.status().message());
      }
      image_entries_ = std::move(*entries);
    }
    if (!ours.ok()) {
      return result(
          Outcome::kFail, expected, actual,
          how + " give another layer, which cannot be read back: " + ours.status().message());
    }
    return result(Outcome::kFail, expected, actual,
                  differences_text(oci::diff_layer_entries(*ours, *image_entries_), where_) + " (" +
                      how + ")");
  }

  pipeline::FunctionStore& store_;
  const store::VersionRecord& record_;
  const DepsCheckOptions& options_;
  pipeline::Progress& progress_;
  std::string where_;                               // "the image's layer 2 sha256:…"
  std::optional<oci::LayerEntries> image_entries_;  // read once, when needed
};

}  // namespace

Result<DepsChoices> recorded_deps_choices(const store::VersionRecord& record,
                                          const oci::OciLayout& layout,
                                          const oci::Descriptor& layer,
                                          std::optional<oci::LayerEntries>* entries) {
  const auto inputs = nlohmann::json::parse(record.inputs, nullptr, /*allow_exceptions=*/false);
  DepsChoices out;
  if (const auto deps = inputs.is_object() ? inputs.find("deps") : inputs.end();
      inputs.is_object() && deps != inputs.end() && deps->is_object()) {
    const auto text = [&](std::string_view key) {
      auto member = json_optional_string(*deps, key, "inputs.deps");
      return member.ok() ? *member : "(not a string)";
    };
    const std::string b = text("bytecode"), r = text("record");
    auto bytecode = pipeline::parse_bytecode(b);
    auto policy = pipeline::parse_record_policy(r);
    if (!bytecode || !policy) {
      return invalid_argument("the record's inputs.deps cannot be read: bytecode \"" + b +
                              "\", record \"" + r + "\"");
    }
    out.bytecode = *bytecode;
    out.record = *policy;
    out.described = "bytecode " + b + ", record " + r + ", as recorded";
    return out;
  }
  IGNITE_ASSIGN_OR_RETURN(oci::LayerEntries read, oci::read_layer_entries(layout, layer));
  out.bytecode = holds_bytecode(read) ? pipeline::Bytecode::kCompile : pipeline::Bytecode::kNone;
  out.record = wheel::RecordPolicy::kStrict;
  out.described = "bytecode " + std::string(pipeline::bytecode_name(out.bytecode)) +
                  " inferred from the image's layer (" +
                  (out.bytecode == pipeline::Bytecode::kCompile ? "it holds" : "no") +
                  " __pycache__/*.pyc) and record strict assumed: the record predates inputs.deps";
  if (entries) *entries = std::move(read);
  return out;
}

Check check_dependencies(pipeline::FunctionStore& store, const store::VersionRecord& record,
                         const DepsCheckOptions& options, pipeline::Progress& progress) {
  return DepsChecker(store, record, options, progress).run();
}

Check unrecorded_dependencies_check() {
  return skip(
      "no version record, so no lock to re-install: a store's record keeps the lock's text, "
      "the image only its dev.ignite.lock-hash label");
}

}  // namespace ignite::verify
