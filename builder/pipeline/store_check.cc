#include "builder/pipeline/store_check.h"

#include <dirent.h>
#include <sys/stat.h>

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "builder/oci/image_reader.h"
#include "builder/oci/referrers.h"
#include "builder/pipeline/version_commit.h"

namespace ignite::pipeline {
namespace {

// The layers a version may keep only in the registry it was published to (docs/store.md):
// an image draft's (published from a registry or a layout: publish-image sends its layers
// straight there), and those of a base taken from a registry. Every other layer must be here.
std::set<std::string> layers_kept_in_registry(const oci::OciLayout& layout,
                                              const store::VersionRecord& v) {
  std::set<std::string> out;
  if (v.registries.empty()) return out;
  auto inputs = nlohmann::json::parse(v.inputs, nullptr, /*allow_exceptions=*/false);
  if (!inputs.is_object()) return out;
  // The image's own manifest, or its registry base's (whose manifest the build stored).
  const std::string& of = inputs.contains("image")                              ? v.manifest_digest
                          : inputs.value("base", "").rfind("docker://", 0) == 0 ? v.base_digest
                                                                                : std::string();
  if (of.empty()) return out;
  auto manifest = stored_manifest_descriptor(layout, of);
  if (!manifest.ok()) return out;
  auto image = oci::read_image(layout, *manifest);
  if (!image.ok()) return out;
  for (const auto& l : image->manifest.layers) out.insert(l.digest.to_string());
  return out;
}

// Every blob of the image is present with the size its descriptor gives (kStructure), or
// hashes to its digest and diff_id (kContent); the manifest and config always, the layers
// unless `in_registry_only` names them and they are absent (*in_registry counts those).
// Returns a problem, or "" when fine.
std::string check_image(const oci::OciLayout& layout, const oci::Descriptor& manifest,
                        CheckDepth depth, const std::set<std::string>& in_registry_only,
                        int* in_registry) {
  auto image = oci::read_image(layout, manifest);
  if (!image.ok()) return image.status().message();
  oci::StoredImage present = *image;  // the layers to check: those in the layout
  if (!in_registry_only.empty()) {
    present.manifest.layers.clear();
    present.config.diff_ids.clear();
    for (std::size_t i = 0; i < image->manifest.layers.size(); ++i) {
      const oci::Descriptor& layer = image->manifest.layers[i];
      if (in_registry_only.count(layer.digest.to_string()) && !layout.has_blob(layer.digest)) {
        ++*in_registry;
        continue;
      }
      present.manifest.layers.push_back(image->manifest.layers[i]);
      present.config.diff_ids.push_back(image->config.diff_ids[i]);
    }
  }
  if (depth == CheckDepth::kContent) {
    Status s = oci::verify_image(layout, present);
    return s.ok() ? "" : s.message();
  }
  for (const auto& layer : present.manifest.layers) {
    struct stat st {};
    if (::stat(layout.blob_path(layer.digest).c_str(), &st) != 0) {
      return "layer blob " + layer.digest.to_string() + " is missing";
    }
    if (st.st_size != layer.size) {
      return "layer blob " + layer.digest.to_string() + " has " + std::to_string(st.st_size) +
             " bytes, its descriptor says " + std::to_string(layer.size);
    }
  }
  return "";
}

int count_temp_blobs(const std::string& layout_dir) {
  int n = 0;
  DIR* d = ::opendir((layout_dir + "/blobs/sha256").c_str());
  if (d == nullptr) return 0;
  while (dirent* e = ::readdir(d)) {
    if (std::string_view(e->d_name).starts_with(".tmp-")) ++n;
  }
  ::closedir(d);
  return n;
}

// A referrers index (ref "<org>/<app>:sha256-<hex>"): every artifact it lists is stored, with
// its blobs, and refers to that digest. "" when so, else what is wrong.
std::string check_referrers(const oci::OciLayout& layout, const oci::Descriptor& index,
                            const std::string& tag) {
  auto bytes = layout.read_blob(index.digest);
  if (!bytes.ok()) return bytes.status().message();
  auto referrers = oci::parse_referrers_index(*bytes);
  if (!referrers.ok()) return referrers.status().message();
  for (const oci::Referrer& r : *referrers) {
    const std::string what = "referrer " + r.manifest.digest.to_string();
    auto manifest = layout.read_blob(r.manifest.digest);
    if (!manifest.ok()) return what + ": " + manifest.status().message();
    auto artifact = oci::parse_artifact_manifest(*manifest);
    if (!artifact.ok()) return what + ": " + artifact.status().message();
    if (oci::referrers_tag(artifact->subject.digest) != tag) {
      return what + ": its subject is " + artifact->subject.digest.to_string();
    }
    for (const oci::Descriptor& blob : artifact->blobs) {
      if (!layout.has_blob(blob.digest))
        return what + ": blob " + blob.digest.to_string() + " is missing";
    }
  }
  return "";
}

}  // namespace

Result<StoreCheckReport> check_store(FunctionStore& store, CheckDepth depth) {
  StoreCheckReport report;
  // Refs first: they are set only after their version is recorded, so every ref read now names
  // a version the database holds by the time it is read next, even while builds commit.
  IGNITE_ASSIGN_OR_RETURN(auto refs, store.layout().list_refs());
  IGNITE_ASSIGN_OR_RETURN(auto apps, store.versions().all_versions());
  std::map<std::string, oci::Descriptor> by_name;
  for (const auto& r : refs) by_name.emplace(r.name, r.manifest);
  report.refs = static_cast<int>(refs.size());

  // Every recorded version has its ref, naming its manifest, whose blobs are all there.
  std::map<std::string, std::int64_t> latest;  // "org/app" -> highest recorded number
  int in_registry = 0;  // layers of published versions that only their registry holds
  for (const auto& [app, versions] : apps) {
    // A publication in flight, or one that stopped between its intent and its commit: its version
    // is the next one, and the app's next publication to that registry completes it.
    IGNITE_ASSIGN_OR_RETURN(std::optional<store::PublishIntent> intent,
                            store.versions().publish_intent(app));
    if (intent) {
      report.notes.push_back(
          "version " + app.ref_name(intent->record.number) + " (" + intent->record.manifest_digest +
          ") is being published to registry " + intent->registry +
          " (or its publication stopped before recording it); the next " + "build of " +
          app.to_string() + " with --registry " + intent->registry + " completes it");
    }
    for (const auto& v : versions) {
      ++report.versions;
      latest[app.to_string()] = v.number;
      const std::string name = app.ref_name(v.number);
      const std::string what = "version " + name + " (" + v.manifest_digest + ")";
      auto it = by_name.find(name);
      oci::Descriptor manifest{"", Digest::of(""), 0, {}, {}};
      if (it == by_name.end()) {
        // Refs follow commits (version_commit.h): the process stopped in between.
        auto stored = stored_manifest_descriptor(store.layout(), v.manifest_digest);
        if (!stored.ok()) {
          report.problems.push_back(what + ": no ref " + name + " in the image layout, and " +
                                    stored.status().message());
          continue;
        }
        report.notes.push_back(what +
                               " is recorded but its ref is not set yet (the process stopped "
                               "right after recording it); the next build of " +
                               app.to_string() + " sets it");
        manifest = *stored;
      } else if (it->second.digest.to_string() != v.manifest_digest) {
        report.problems.push_back(what + ": the layout's ref names " +
                                  it->second.digest.to_string());
        continue;
      } else {
        manifest = it->second;
      }
      const auto kept = layers_kept_in_registry(store.layout(), v);
      if (std::string p = check_image(store.layout(), manifest, depth, kept, &in_registry);
          !p.empty()) {
        report.problems.push_back(what + ": " + p);
      }
    }
  }

  // Every version-shaped ref is recorded.
  for (const auto& r : refs) {
    const auto parsed = store::parse_version_ref(r.name);
    if (const std::string tag = r.name.substr(r.name.rfind(':') + 1);
        !parsed && tag.starts_with("sha256-")) {
      // An image's referrers (its SBOM and provenance, oci/referrers.h).
      if (std::string p = check_referrers(store.layout(), r.manifest, tag); !p.empty()) {
        report.problems.push_back("ref " + r.name + ": " + p);
      }
      continue;
    }
    if (!parsed) {
      // Other refs (base images) must at least be whole images.
      if (std::string p = check_image(store.layout(), r.manifest, depth, {}, &in_registry);
          !p.empty()) {
        report.problems.push_back("ref " + r.name + ": " + p);
      }
      continue;
    }
    const std::string app = parsed->app.to_string();
    const std::int64_t number = parsed->number;
    const std::int64_t recorded = latest.count(app) ? latest[app] : 0;
    if (number <= recorded) continue;  // checked above
    // Refs are set only after their version is recorded (version_commit.h), and refs left by
    // builders of schema 1 were removed when the database was upgraded.
    report.problems.push_back(
        "ref " + r.name + " names version " + std::to_string(number) + ", but " + app + " has " +
        std::to_string(recorded) +
        " recorded versions: the database is older than the layout (restore it)");
  }

  if (in_registry > 0) {
    report.notes.push_back(std::to_string(in_registry) +
                           " layer(s) of versions published to a registry are kept only there "
                           "(a registry base's layers, or an image draft's)");
  }
  if (int temps = count_temp_blobs(store.layout_dir()); temps > 0) {
    report.notes.push_back(
        std::to_string(temps) +
        " partly written blob(s) left by interrupted builds in blobs/sha256/.tmp-*; "
        "nothing refers to them");
  }
  return report;
}

}  // namespace ignite::pipeline
