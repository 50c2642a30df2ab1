#include "builder/verify/verify_version.h"

#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "builder/oci/image_config.h"
#include "builder/oci/image_reader.h"
#include "builder/oci/layer_writer.h"
#include "builder/oci/manifest.h"
#include "builder/oci/media_types.h"
#include "builder/oci/tree_layer_reader.h"
#include "builder/source/code_hash.h"
#include "builder/util/file_io.h"

namespace ignite::verify {
namespace {

// Manifests and configs are read whole; nothing the builder writes comes near this.
constexpr std::int64_t kMaxJsonBlobBytes = 16 << 20;

// The identity labels build_function puts on a function's image (and nothing else judged).
constexpr std::string_view kCodeHashLabel = "dev.ignite.code-hash";
constexpr std::string_view kLockHashLabel = "dev.ignite.lock-hash";
constexpr std::string_view kOrgLabel = "dev.ignite.org";
constexpr std::string_view kAppLabel = "dev.ignite.app";
constexpr std::string_view kAbsent = "(absent)";

std::string blob_text(const Digest& digest, std::optional<std::int64_t> size) {
  return digest.to_string() + (size ? ", " + std::to_string(*size) + " bytes" : "");
}

// The layers a version may keep only in the registry it was published to (docs/store.md, the
// same rule as `store check`): an image draft's, and those of a base taken from a registry.
std::set<Digest> layers_kept_in_registry(const oci::OciLayout& layout,
                                         const store::VersionRecord& record,
                                         const oci::ImageManifest& manifest) {
  std::set<Digest> out;
  if (record.registries.empty()) return out;
  auto inputs = nlohmann::json::parse(record.inputs, nullptr, /*allow_exceptions=*/false);
  if (!inputs.is_object()) return out;
  if (inputs.contains("image")) {
    for (const auto& l : manifest.layers) out.insert(l.digest);
    return out;
  }
  const auto base = inputs.find("base");
  if (base == inputs.end() || !base->is_string() ||
      !base->get<std::string>().starts_with("docker://")) {
    return out;
  }
  auto base_digest = Digest::parse(record.base_digest);
  if (!base_digest.ok()) return out;
  auto bytes = layout.read_blob(*base_digest);  // the build stored the base's manifest
  if (!bytes.ok()) return out;
  auto base_manifest = oci::parse_manifest(*bytes);
  if (!base_manifest.ok()) return out;
  for (const auto& l : base_manifest->layers) out.insert(l.digest);
  return out;
}

class Verifier {
 public:
  Verifier(const oci::OciLayout& layout, const store::AppId& app,
           const store::VersionRecord& record, const VerifyOptions& options)
      : layout_(layout), app_(app), record_(record), options_(options) {}

  VerifyReport run() {
    if (auto manifest = check_record()) {
      if (auto bytes = check_json_blob(*manifest, "manifest")) {
        auto parsed = oci::parse_manifest(*bytes);
        if (!parsed.ok()) {
          add("manifest", Outcome::kFail, std::string(oci::kMediaTypeManifest), "unreadable",
              parsed.status().message());
        } else {
          check_image(*parsed);
        }
      }
    }
    return std::move(report_);
  }

 private:
  void add(std::string check, Outcome result, std::string expected, std::string actual,
           std::string detail = "") {
    report_.checks.push_back(
        {std::move(check), result, std::move(expected), std::move(actual), std::move(detail)});
  }

  // The manifest to verify: the record's, as the layout's ref describes it when they agree.
  std::optional<oci::Descriptor> check_record() {
    const std::string ref = app_.ref_name(record_.number);
    auto digest = Digest::parse(record_.manifest_digest);
    if (!digest.ok()) {
      add("record", Outcome::kFail, "a manifest digest", record_.manifest_digest,
          "version " + std::to_string(record_.number) +
              " records no valid manifest digest: " + digest.status().message());
      return std::nullopt;
    }
    oci::Descriptor manifest{std::string(oci::kMediaTypeManifest), *digest, 0, {}, std::nullopt};
    auto named = layout_.resolve(ref);
    if (named.ok() && named->digest == *digest) {
      add("record", Outcome::kPass, digest->to_string(), named->digest.to_string(),
          "the store's version record and the layout's ref " + ref);
      manifest_size_ = named->size;
      return *named;
    }
    add("record", Outcome::kFail, digest->to_string(),
        named.ok() ? named->digest.to_string() : std::string("no ref"),
        named.ok() ? "the layout's ref " + ref + " names another manifest than the record"
                   : "the layout's ref " + ref + ": " + named.status().message() +
                         "; checking the record's manifest");
    return manifest;
  }

  // The blob line of a manifest or config; its bytes when they can be read.
  std::optional<std::string> check_json_blob(const oci::Descriptor& d, std::string_view what) {
    const std::optional<std::int64_t> size =
        what == "manifest" ? manifest_size_ : std::optional<std::int64_t>(d.size);
    const std::string name = "blob " + d.digest.to_string();
    auto content = oci::read_blob_content(layout_, d, oci::BlobRole::kWhole);
    if (!content.ok()) {
      add(name, Outcome::kFail, blob_text(d.digest, size),
          content.status().code() == Code::kNotFound ? "missing" : "unreadable",
          std::string(what) + ": " + content.status().message());
      return std::nullopt;
    }
    const bool same = content->digest == d.digest && (!size || content->size == *size);
    add(name, same ? Outcome::kPass : Outcome::kFail, blob_text(d.digest, size),
        blob_text(content->digest, content->size), std::string(what));
    if (content->size > kMaxJsonBlobBytes) return std::nullopt;
    auto bytes = read_file(layout_.blob_path(d.digest));
    if (!bytes.ok()) return std::nullopt;
    return std::move(*bytes);
  }

  void check_image(const oci::ImageManifest& manifest) {
    std::optional<oci::ImageConfig> config;
    if (auto bytes = check_json_blob(manifest.config, "config")) {
      auto parsed = oci::parse_image_config(*bytes);
      if (parsed.ok()) {
        config = std::move(*parsed);
      } else {
        add("config", Outcome::kFail, std::string(oci::kMediaTypeConfig), "unreadable",
            parsed.status().message());
      }
    }
    if (config && config->diff_ids.size() != manifest.layers.size()) {
      add("diff_ids", Outcome::kFail, std::to_string(manifest.layers.size()) + " (one per layer)",
          std::to_string(config->diff_ids.size()),
          "the config's rootfs.diff_ids against the manifest's layers");
    }
    const std::set<Digest> kept = layers_kept_in_registry(layout_, record_, manifest);
    for (std::size_t i = 0; i < manifest.layers.size(); ++i) {
      check_layer(i, manifest.layers[i], config, kept.count(manifest.layers[i].digest) > 0);
    }
    check_labels(config);
    check_code_hash(manifest, config, kept);
  }

  void check_layer(std::size_t i, const oci::Descriptor& layer,
                   const std::optional<oci::ImageConfig>& config, bool kept_in_registry) {
    const std::string what = "layer " + std::to_string(i);
    const std::string blob = "blob " + layer.digest.to_string();
    const std::string diff = "diff_id " + std::to_string(i);
    const std::optional<Digest> want = config && i < config->diff_ids.size()
                                           ? std::optional<Digest>(config->diff_ids[i])
                                           : std::nullopt;
    const std::string want_text = want ? want->to_string() : "(no diff_id in the config)";
    auto content = oci::read_blob_content(layout_, layer, oci::BlobRole::kLayer);
    if (!content.ok()) {
      const bool missing = content.status().code() == Code::kNotFound;
      if (missing && kept_in_registry) {
        const std::string why = what + " is kept only in registry " + registries() +
                                " (docs/store.md), not in this store's layout";
        add(blob, Outcome::kUnverifiable, blob_text(layer.digest, layer.size), "not here", why);
        add(diff, Outcome::kUnverifiable, want_text, "not here", why);
        return;
      }
      const std::string why = what + ": " + content.status().message();
      add(blob, Outcome::kFail, blob_text(layer.digest, layer.size),
          missing ? "missing" : "unreadable", why);
      add(diff, Outcome::kFail, want_text, missing ? "missing" : "unreadable", why);
      return;
    }
    const bool same = content->digest == layer.digest && content->size == layer.size;
    add(blob, same ? Outcome::kPass : Outcome::kFail, blob_text(layer.digest, layer.size),
        blob_text(content->digest, content->size), what);
    if (!content->diff_id) {
      add(diff, Outcome::kFail, want_text, "unreadable",
          what + " " + layer.digest.to_string() + ": " + content->uncompressed.message());
    } else if (!want) {
      add(diff, config ? Outcome::kFail : Outcome::kSkip, want_text, content->diff_id->to_string(),
          config ? what + ": the config lists fewer diff_ids than the manifest has layers"
                 : what + ": the config could not be read (its own line says why)");
    } else {
      add(diff, *content->diff_id == *want ? Outcome::kPass : Outcome::kFail, want->to_string(),
          content->diff_id->to_string(),
          what + " " + layer.digest.to_string() + " uncompressed, against the config's diff_id");
    }
  }

  void check_labels(const std::optional<oci::ImageConfig>& config) {
    if (record_.code_hash.empty()) {
      add("labels", Outcome::kSkip, "", "", no_code_hash());
      return;
    }
    if (!config) {
      add("labels", Outcome::kSkip, "", "", "the config could not be read (its own line says why)");
      return;
    }
    const std::map<std::string_view, std::string> expected = {
        {kCodeHashLabel, record_.code_hash},
        {kLockHashLabel, record_.lock_hash.empty() ? std::string(kAbsent) : record_.lock_hash},
        {kOrgLabel, app_.org()},
        {kAppLabel, app_.app()},
    };
    std::string want, got, differs;
    for (const auto& [key, value] : expected) {
      auto it = config->labels.find(std::string(key));
      const std::string actual = it == config->labels.end() ? std::string(kAbsent) : it->second;
      if (actual != value) differs += (differs.empty() ? "" : ", ") + std::string(key);
      want += (want.empty() ? "" : " ") + std::string(key) + "=" + value;
      got += (got.empty() ? "" : " ") + std::string(key) + "=" + actual;
    }
    add("labels", differs.empty() ? Outcome::kPass : Outcome::kFail, want, got,
        differs.empty() ? "the config's labels against the version record and the app"
                        : "differs: " + differs);
  }

  void check_code_hash(const oci::ImageManifest& manifest,
                       const std::optional<oci::ImageConfig>& config,
                       const std::set<Digest>& kept) {
    if (record_.code_hash.empty()) {
      add("codeHash", Outcome::kSkip, "", "", no_code_hash());
      if (options_.source_code_hash) add("source", Outcome::kSkip, "", "", no_code_hash());
      return;
    }
    Outcome result = Outcome::kFail;
    std::string actual = "unreadable", detail;
    std::optional<Digest> hash;
    if (manifest.layers.empty()) {
      detail = "the image has no layers, so no app layer";
    } else {
      const oci::Descriptor& top = manifest.layers.back();
      const std::string what = "the app layer " + top.digest.to_string() + " (layer " +
                               std::to_string(manifest.layers.size() - 1) + ", " +
                               std::string(oci::kAppPrefix) + "/)";
      auto tree = oci::read_tree_layer(layout_, top, oci::kAppPrefix);
      if (tree.ok()) {
        hash = code_hash(*tree);
        actual = hash->to_string();
        const std::string label = config ? label_of(*config, kCodeHashLabel) : "";
        if (hash->to_string() != record_.code_hash) {
          detail = what + " against the version record";
        } else if (config && label != record_.code_hash) {
          detail = what + ": the record's, but the label " + std::string(kCodeHashLabel) +
                   " says " + label;
        } else {
          result = Outcome::kPass;
          detail = what + " against the version record" +
                   (config ? " and the label " + std::string(kCodeHashLabel) : "") + " (" +
                   std::to_string(tree->entries().size()) + " files and symlinks, codeHash " +
                   std::string(kCodeHashVersion) + ")";
        }
      } else if (tree.status().code() == Code::kNotFound && kept.count(top.digest)) {
        result = Outcome::kUnverifiable;
        actual = "not here";
        detail = what + " is kept only in registry " + registries();
      } else {
        if (tree.status().code() == Code::kNotFound) actual = "missing";
        detail = tree.status().message();
      }
    }
    add("codeHash", result, record_.code_hash, actual, detail);
    if (!options_.source_code_hash) return;
    const std::string source = options_.source_code_hash->to_string();
    if (!hash) {
      add("source", result == Outcome::kUnverifiable ? result : Outcome::kSkip, source, actual,
          "the app layer's codeHash could not be computed (the codeHash line says why)");
      return;
    }
    add("source", *hash == *options_.source_code_hash ? Outcome::kPass : Outcome::kFail, source,
        hash->to_string(), "the codeHash of --source against the app layer's");
  }

  static std::string label_of(const oci::ImageConfig& config, std::string_view key) {
    auto it = config.labels.find(std::string(key));
    return it == config.labels.end() ? std::string(kAbsent) : it->second;
  }

  std::string no_code_hash() const {
    return "version " + std::to_string(record_.number) +
           " has no codeHash (an image published with publish-image): no app layer to check";
  }

  std::string registries() const {
    std::string out;
    for (const auto& r : record_.registries) out += (out.empty() ? "" : ", ") + r;
    return out;
  }

  const oci::OciLayout& layout_;
  const store::AppId& app_;
  const store::VersionRecord& record_;
  const VerifyOptions& options_;
  std::optional<std::int64_t> manifest_size_;
  VerifyReport report_;
};

}  // namespace

std::string_view outcome_name(Outcome outcome) {
  switch (outcome) {
    case Outcome::kPass:
      return "PASS";
    case Outcome::kFail:
      return "FAIL";
    case Outcome::kSkip:
      return "SKIP";
    case Outcome::kUnverifiable:
      return "UNVERIFIABLE";
  }
  return "?";
}

int VerifyReport::exit_code() const {
  bool passed = false, unverifiable = false;
  for (const auto& c : checks) {
    if (c.result == Outcome::kFail) return 1;
    passed |= c.result == Outcome::kPass;
    unverifiable |= c.result == Outcome::kUnverifiable;
  }
  return unverifiable || !passed ? 2 : 0;
}

std::string VerifyReport::unverifiable_reason() const {
  if (exit_code() != 2) return "";
  for (const auto& c : checks) {
    if (c.result == Outcome::kUnverifiable) return c.check + ": " + c.detail;
  }
  return "nothing could be checked";
}

VerifyReport verify_version(const oci::OciLayout& layout, const store::AppId& app,
                            const store::VersionRecord& record, const VerifyOptions& options) {
  return Verifier(layout, app, record, options).run();
}

}  // namespace ignite::verify
