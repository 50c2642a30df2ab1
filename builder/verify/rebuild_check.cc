#include "builder/verify/rebuild_check.h"

#include <nlohmann/json.hpp>

#include "builder/index/lock_install.h"
#include "builder/index/pylock.h"
#include "builder/oci/layer_diff.h"
#include "builder/oci/manifest.h"
#include "builder/oci/media_types.h"
#include "builder/pipeline/build_function.h"
#include "builder/python/platform_tags.h"
#include "builder/util/builder_version.h"
#include "builder/util/file_io.h"
#include "builder/util/json_codec.h"
#include "builder/verify/json_difference.h"
#include "builder/verify/locked_wheels.h"

namespace ignite::verify {
namespace {

using Json = nlohmann::json;

// How many differing files a FAIL names; the rest are counted.
constexpr std::size_t kShownDifferences = 5;
// The ref the base gets in the scratch store's layout, for the build to open it by.
constexpr std::string_view kBaseRef = "ignite-verify/rebuild-base:latest";
constexpr std::string_view kNotRebuilt = "not rebuilt";

Check result(Outcome outcome, std::string expected, std::string actual, std::string detail) {
  return {std::string(kRebuildCheck), outcome, std::move(expected), std::move(actual),
          std::move(detail)};
}

// An image manifest read from `layout` by digest, with its bytes.
struct ReadManifest {
  std::string bytes;
  oci::ImageManifest manifest;
};
Result<ReadManifest> read_manifest(const oci::OciLayout& layout, const Digest& digest) {
  IGNITE_ASSIGN_OR_RETURN(std::string bytes, layout.read_blob(digest));
  IGNITE_ASSIGN_OR_RETURN(oci::ImageManifest manifest, oci::parse_manifest(bytes));
  return ReadManifest{std::move(bytes), std::move(manifest)};
}

// What layer `i` of the recorded image is: the app on top, then the dependencies (when the
// record names a dependency layer), the runtime host, and the base's layers below.
std::string layer_role(std::size_t i, std::size_t layers, bool has_deps) {
  const std::size_t above_base = has_deps ? 3 : 2;
  if (i + 1 == layers) return "the app layer";
  if (has_deps && i + 2 == layers) return "the dependency layer";
  if (i + above_base == layers) return "the runtime host layer";
  return "base layer " + std::to_string(i);
}

class Rebuilder {
 public:
  Rebuilder(pipeline::FunctionStore& store, const store::AppId& app,
            const store::VersionRecord& record, const RebuildSource& source,
            const DepsCheckOptions& wheels, pipeline::Progress& progress)
      : store_(store),
        app_(app),
        record_(record),
        source_(source),
        wheels_(wheels),
        progress_(progress) {}

  Check run() {
    const std::string version = "version " + std::to_string(record_.number);
    inputs_ = Json::parse(record_.inputs, nullptr, /*allow_exceptions=*/false);
    if (!inputs_.is_object()) {
      return result(Outcome::kFail, "inputs as a JSON object", "unreadable",
                    version + "'s recorded inputs are not a JSON object");
    }
    if (inputs_.contains("image")) {
      return result(Outcome::kSkip, "", "",
                    version + " is an image published with publish-image: not built from source");
    }
    auto recorded_builder = json_optional_string(inputs_, "builderVersion", "the recorded inputs");
    if (!recorded_builder.ok()) {
      return result(Outcome::kFail, "inputs.builderVersion as a string", "unreadable",
                    recorded_builder.status().message());
    }
    const std::string built_by =
        recorded_builder->empty() ? std::string("an unknown version") : *recorded_builder;
    if (built_by != kBuilderVersion) {
      return result(Outcome::kUnverifiable, record_.manifest_digest, std::string(kNotRebuilt),
                    "not comparable: built by ignite-builder " + built_by +
                        ", this is ignite-builder " + kBuilderVersion +
                        " (another builder version may lay out the same inputs in other bytes)");
    }
    const auto epoch = inputs_.find("sourceDateEpoch");
    if (epoch == inputs_.end() || !epoch->is_number_integer()) {
      return result(Outcome::kFail, "inputs.sourceDateEpoch", "absent",
                    version + "'s recorded inputs have no SOURCE_DATE_EPOCH to rebuild with");
    }
    epoch_ = epoch->get<std::int64_t>();
    auto recorded = Digest::parse(record_.manifest_digest);
    if (!recorded.ok()) return unverifiable(recorded.status().message());
    auto image = read_manifest(store_.layout(), *recorded);
    if (!image.ok()) {
      return unverifiable("the version's manifest cannot be read (its blob line says why): " +
                          image.status().message());
    }
    image_.emplace(std::move(image->manifest));
    has_deps_ = inputs_.contains("depsLayer");

    struct EndProgress {  // the last stage's line ends however the check does
      pipeline::Progress& progress;
      ~EndProgress() { progress.done(); }
    } end_progress{progress_};
    auto scratch_dir = make_temp_dir(store_.tmp_dir(), "verify-rebuild-");
    if (!scratch_dir.ok()) return unverifiable(scratch_dir.status().message());
    const ScratchDirGuard dir(*scratch_dir);
    auto scratch = pipeline::FunctionStore::open(dir.path, pipeline::OpenStore::kCreateIfMissing);
    if (!scratch.ok()) return unverifiable(scratch.status().message());
    return rebuild(*scratch);
  }

 private:
  Check unverifiable(const std::string& why) {
    return result(Outcome::kUnverifiable, record_.manifest_digest, std::string(kNotRebuilt), why);
  }

  // The recorded base, from the store's layout into the scratch store's, under kBaseRef. Its
  // layers are only read when bytecode is compiled (the base's interpreter runs): without them
  // the image is composed from the base's manifest and config alone.
  Status copy_base(oci::OciLayout& scratch, bool needs_layers) {
    const std::string context = "the recorded base " + record_.base_digest;
    if (record_.base_digest.empty()) {
      return failed_precondition("the version records no base digest");
    }
    IGNITE_ASSIGN_OR_RETURN(Digest digest, Digest::parse(record_.base_digest));
    auto base = read_manifest(store_.layout(), digest);
    if (!base.ok()) {
      return failed_precondition(context + ": its manifest is not in the store (" +
                                 base.status().message() + ")");
    }
    const Json media = Json::parse(base->bytes, nullptr, false);
    oci::Descriptor manifest{.media_type = std::string(oci::kMediaTypeManifest),
                             .digest = digest,
                             .size = static_cast<std::int64_t>(base->bytes.size()),
                             .annotations = {},
                             .platform = std::nullopt};
    if (media.is_object() && media.contains("mediaType") && media["mediaType"].is_string()) {
      manifest.media_type = media["mediaType"].get<std::string>();
    }
    if (!store_.layout().has_blob(base->manifest.config.digest)) {
      return failed_precondition(context + ": its config " +
                                 base->manifest.config.digest.to_string() + " is not in the store");
    }
    IGNITE_RETURN_IF_ERROR(scratch.copy_blob_from(store_.layout(), base->manifest.config));
    IGNITE_RETURN_IF_ERROR(scratch.copy_blob_from(store_.layout(), manifest));
    for (std::size_t i = 0; i < base->manifest.layers.size(); ++i) {
      const oci::Descriptor& layer = base->manifest.layers[i];
      if (store_.layout().has_blob(layer.digest)) {
        IGNITE_RETURN_IF_ERROR(scratch.copy_blob_from(store_.layout(), layer));
      } else if (needs_layers) {
        return failed_precondition(
            context + ": its layer " + std::to_string(i) + " " + layer.digest.to_string() +
            " is not in the store (a base taken from a registry keeps its layers there), and "
            "compiling bytecode runs the base's own interpreter");
      }
    }
    return scratch.set_ref(kBaseRef, manifest, oci::ExistingRef::kReplace);
  }

  Check rebuild(pipeline::FunctionStore& scratch) {
    pipeline::BuildRequest request{.source = source_.path, .app = app_};
    request.source_date_epoch = std::to_string(epoch_);
    request.make_version = false;
    request.origin = pipeline::SourceOrigin{recorded_git_origin(record_)};
    // Nothing is resolved: the recorded lock is the lock. A version recorded without one gets
    // an empty lock, so that a source that gained requirements builds (and differs) too.
    request.sources.no_index = true;
    index::Lock lock;
    if (const auto text = inputs_.find("lock"); text != inputs_.end() && text->is_string()) {
      auto read = index::read_pylock(text->get<std::string>(), "the recorded lock");
      if (!read.ok()) {
        return result(Outcome::kFail, "a readable lock", "unreadable", read.status().message());
      }
      lock = std::move(*read);
      request.given_lock = text->get<std::string>();
    } else {
      request.given_lock = index::write_pylock(lock);
    }
    std::string choices;
    if (has_deps_ && image_->layers.size() >= 2) {
      auto deps = recorded_deps_choices(record_, store_.layout(),
                                        image_->layers[image_->layers.size() - 2]);
      if (!deps.ok())
        return unverifiable("the dependency layer's choices: " + deps.status().message());
      request.bytecode = deps->bytecode;
      request.record = deps->record;
      choices = ", " + deps->described;
    }
    const bool compiles = has_deps_ && request.bytecode == pipeline::Bytecode::kCompile;
    if (Status s = copy_base(scratch.layout(), compiles); !s.ok()) {
      return unverifiable(s.message());
    }
    request.base = scratch.layout().dir() + ":" + std::string(kBaseRef);

    std::string wheels_from;
    if (!lock.packages.empty()) {
      const pipeline::DepsRequest defaults;
      auto items = index::install_set_for(lock, defaults.target, defaults.environment);
      if (!items.ok()) {
        return result(Outcome::kFail, "the lock's wheels for the target", "none fits",
                      items.status().message());
      }
      const WheelSources sources{pipeline::store_cache_dir(store_), wheels_.find_links,
                                 wheels_.index_urls};
      const index::ContentCache into(pipeline::store_cache_dir(scratch));
      auto gathered = gather_locked_wheels(*items, sources, into, progress_);
      if (!gathered.ok()) return unverifiable(gathered.status().message());
      if (!gathered->missing.empty()) {
        return unverifiable(missing_wheels_text(*gathered, items->size()));
      }
      if (!items->empty()) wheels_from = "; wheels: " + wheel_origins_text(*gathered);
    }

    auto built = pipeline::build_function(scratch, request, progress_);
    if (!built.ok()) {
      return unverifiable("rebuilding from " + source_.described + ": " + built.status().message());
    }
    const std::string actual = built->manifest_digest.to_string();
    const std::string how = "rebuilt from " + source_.described + " (codeHash " +
                            built->code_hash.to_string() + ") in a scratch store with the " +
                            "recorded lock, base " + record_.base_digest + ", SOURCE_DATE_EPOCH " +
                            std::to_string(epoch_) + choices + wheels_from;
    if (actual == record_.manifest_digest) {
      return result(Outcome::kPass, record_.manifest_digest, actual,
                    how + ": the same manifest, byte for byte");
    }
    return result(Outcome::kFail, record_.manifest_digest, actual,
                  first_difference(scratch.layout(), built->manifest_digest) + " (" + how + ")");
  }

  // Where the rebuilt image first differs from the recorded one: a layer, the config, or the
  // manifest itself.
  std::string first_difference(const oci::OciLayout& scratch, const Digest& rebuilt_digest) {
    auto rebuilt = read_manifest(scratch, rebuilt_digest);
    if (!rebuilt.ok()) return "the rebuilt manifest cannot be read: " + rebuilt.status().message();
    const auto& ours = rebuilt->manifest.layers;
    const auto& theirs = image_->layers;
    for (std::size_t i = 0; i < std::max(ours.size(), theirs.size()); ++i) {
      if (i >= ours.size() || i >= theirs.size()) {
        return "the image has " + std::to_string(theirs.size()) + " layers, the rebuild " +
               std::to_string(ours.size());
      }
      if (ours[i].digest == theirs[i].digest) continue;
      return layer_difference(scratch, i, theirs[i], ours[i]);
    }
    if (rebuilt->manifest.config.digest != image_->config.digest) {
      auto recorded = store_.layout().read_blob(image_->config.digest);
      auto made = scratch.read_blob(rebuilt->manifest.config.digest);
      std::string where = "the config differs (" + image_->config.digest.to_string() +
                          " != " + rebuilt->manifest.config.digest.to_string() + ")";
      if (!recorded.ok() || !made.ok()) return where;
      auto d = first_json_difference(Json::parse(*recorded, nullptr, false),
                                     Json::parse(*made, nullptr, false), "config");
      return where + (d ? ": " + *d : "");
    }
    auto recorded = store_.layout().read_blob(*Digest::parse(record_.manifest_digest));
    std::string where = "every layer and the config are the same; the manifest differs";
    if (!recorded.ok()) return where;
    auto d = first_json_difference(Json::parse(*recorded, nullptr, false),
                                   Json::parse(rebuilt->bytes, nullptr, false), "manifest");
    return where + (d ? ": " + *d : "");
  }

  std::string layer_difference(const oci::OciLayout& scratch, std::size_t i,
                               const oci::Descriptor& recorded, const oci::Descriptor& rebuilt) {
    const std::string where =
        "layer " + std::to_string(i) + " (" + layer_role(i, image_->layers.size(), has_deps_) +
        ") differs: " + recorded.digest.to_string() + " != " + rebuilt.digest.to_string();
    auto theirs = oci::read_layer_entries(store_.layout(), recorded);
    if (!theirs.ok()) {
      return where +
             "; the image's layer cannot be read file by file: " + theirs.status().message();
    }
    auto ours = oci::read_layer_entries(scratch, rebuilt);
    if (!ours.ok()) {
      return where + "; the rebuilt layer cannot be read back: " + ours.status().message();
    }
    const auto diffs = oci::diff_layer_entries(*theirs, *ours);
    if (diffs.empty()) {
      return where +
             "; the same paths, types, modes, owners and contents, in other bytes (entry "
             "order, mtimes or compression)";
    }
    return where + "; " +
           (diffs.size() == 1 ? "1 path differs" : std::to_string(diffs.size()) + " paths differ") +
           " (expected: the image's, actual: the rebuild's): " +
           oci::differences_summary(diffs, kShownDifferences);
  }

  pipeline::FunctionStore& store_;
  const store::AppId& app_;
  const store::VersionRecord& record_;
  const RebuildSource& source_;
  const DepsCheckOptions& wheels_;
  pipeline::Progress& progress_;
  Json inputs_;
  std::int64_t epoch_ = 0;
  std::optional<oci::ImageManifest> image_;  // the recorded image's
  bool has_deps_ = false;
};

}  // namespace

std::optional<pipeline::GitOrigin> recorded_git_origin(const store::VersionRecord& record) {
  const Json inputs = Json::parse(record.inputs, nullptr, /*allow_exceptions=*/false);
  if (!inputs.is_object()) return std::nullopt;
  const auto source = inputs.find("source");
  if (source == inputs.end() || !source->is_object()) return std::nullopt;
  const auto git = source->find("git");
  if (git == source->end() || !git->is_object()) return std::nullopt;
  // A member of another type (a record someone edited) reads as absent: no git origin then.
  const auto member = [&](std::string_view key) {
    auto text = json_optional_string(*git, key, "inputs.source.git");
    return text.ok() ? *text : std::string();
  };
  pipeline::GitOrigin origin{member("url"), member("ref"), member("commit"), member("subdir")};
  if (origin.url.empty() || origin.commit.empty()) return std::nullopt;
  return origin;
}

Check check_rebuild(pipeline::FunctionStore& store, const store::AppId& app,
                    const store::VersionRecord& record, const RebuildSource& source,
                    const DepsCheckOptions& wheels, pipeline::Progress& progress) {
  return Rebuilder(store, app, record, source, wheels, progress).run();
}

Check rebuild_skipped(const std::string& why) {
  return result(Outcome::kUnverifiable, "", std::string(kNotRebuilt), "rebuild skipped: " + why);
}

}  // namespace ignite::verify
