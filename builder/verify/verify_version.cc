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

// Where a blob was read from: the layout, or the scratch layout `fetch` put it in; or why it
// could not be fetched.
struct Located {
  const oci::OciLayout* layout = nullptr;
  Status error;
  bool fetched = false;
};

class Verifier {
 public:
  // `record` null: an image with no version record (verify_unrecorded_image).
  Verifier(const oci::OciLayout& layout, const store::AppId& app,
           const store::VersionRecord* record, const VerifyOptions& options)
      : layout_(layout), app_(app), record_(record), options_(options) {}

  VerifyReport run(std::optional<oci::Descriptor> unrecorded = std::nullopt) {
    std::optional<oci::Descriptor> manifest = record_ ? check_record() : skip_record(*unrecorded);
    if (manifest) {
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

  // Where blob `d` is read from: the layout when it has it; else, when `may_fetch`, where
  // options.fetch put it (asked once per blob).
  const Located& locate(const oci::Descriptor& d, bool may_fetch) {
    const std::string key = d.digest.to_string();
    if (auto it = located_.find(key); it != located_.end()) return it->second;
    Located out{&layout_, ok_status(), false};
    if (may_fetch && options_.fetch && !layout_.has_blob(d.digest)) {
      auto got = options_.fetch(d);
      if (got.ok()) {
        out = {*got, ok_status(), true};
      } else {
        out = {nullptr, got.status(), false};
      }
    }
    return located_.emplace(key, std::move(out)).first->second;
  }

  // The result of a check whose blob could not be fetched: other bytes contradict the digest;
  // a blob an unrecorded image's registry lacks is missing from the image; otherwise (a
  // registry-kept layer the registry lacks, a registry out of reach) the evidence is not here.
  Outcome fetch_failure(const Status& error) const {
    if (error.code() == Code::kDataLoss) return Outcome::kFail;
    if (error.code() == Code::kNotFound && !record_) return Outcome::kFail;
    return Outcome::kUnverifiable;
  }
  static std::string fetch_failure_actual(const Status& error) {
    if (error.code() == Code::kNotFound) return "missing";
    if (error.code() != Code::kDataLoss) return "not read";
    // "...: the bytes have digest sha256:HEX" (BlobWriter::commit)
    const std::string& m = error.message();
    const std::string marker = "have digest ";
    const auto at = m.find(marker);
    if (at != std::string::npos) return m.substr(at + marker.size(), 71);
    return "other bytes";
  }
  std::string fetched_note(const Located& where) const {
    return where.fetched ? ", read from " + options_.fetched_from : "";
  }

  std::optional<oci::Descriptor> skip_record(const oci::Descriptor& manifest) {
    add("record", Outcome::kSkip, "", "",
        "no version record: the image is verified against itself, its manifest " +
            manifest.digest.to_string() + " as " +
            (options_.fetched_from.empty() ? std::string("given") : options_.fetched_from) +
            " names it");
    manifest_size_ = manifest.size;
    return manifest;
  }

  // The manifest to verify: the record's, as the layout's ref describes it when they agree.
  std::optional<oci::Descriptor> check_record() {
    const std::string ref = app_.ref_name(record_->number);
    auto digest = Digest::parse(record_->manifest_digest);
    if (!digest.ok()) {
      add("record", Outcome::kFail, "a manifest digest", record_->manifest_digest,
          "version " + std::to_string(record_->number) +
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

  // The blob line of a manifest or config; its bytes when they can be read. Only an unrecorded
  // image's are fetched (a version's manifest and config are always in the store).
  std::optional<std::string> check_json_blob(const oci::Descriptor& d, std::string_view what) {
    const std::optional<std::int64_t> size =
        what == "manifest" ? manifest_size_ : std::optional<std::int64_t>(d.size);
    const std::string name = "blob " + d.digest.to_string();
    const Located& where = locate(d, !record_);
    if (!where.layout) {
      add(name, fetch_failure(where.error), blob_text(d.digest, size),
          fetch_failure_actual(where.error), std::string(what) + ": " + where.error.message());
      return std::nullopt;
    }
    auto content = oci::read_blob_content(*where.layout, d, oci::BlobRole::kWhole);
    if (!content.ok()) {
      add(name, Outcome::kFail, blob_text(d.digest, size),
          content.status().code() == Code::kNotFound ? "missing" : "unreadable",
          std::string(what) + ": " + content.status().message());
      return std::nullopt;
    }
    const bool same = content->digest == d.digest && (!size || content->size == *size);
    add(name, same ? Outcome::kPass : Outcome::kFail, blob_text(d.digest, size),
        blob_text(content->digest, content->size), std::string(what) + fetched_note(where));
    if (content->size > kMaxJsonBlobBytes) return std::nullopt;
    auto bytes = read_file(where.layout->blob_path(d.digest));
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
    const std::set<Digest> kept =
        record_ ? layers_kept_in_registry(layout_, *record_, manifest) : std::set<Digest>();
    for (std::size_t i = 0; i < manifest.layers.size(); ++i) {
      check_layer(i, manifest.layers[i], config, kept.count(manifest.layers[i].digest) > 0);
    }
    code_hash_ = expected_code_hash(config);
    config_read_ = config.has_value();
    check_labels(config);
    check_code_hash(manifest, config, kept);
  }

  // The app layer's codeHash should be: the record's, or without one the label's ("" for none).
  std::string expected_code_hash(const std::optional<oci::ImageConfig>& config) const {
    if (record_) return record_->code_hash;
    if (!config) return "";
    const std::string label = label_of(*config, kCodeHashLabel);
    return label == kAbsent ? "" : label;
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
    const Located& where = locate(layer, !record_ || kept_in_registry);
    if (!where.layout) {
      const Outcome result = fetch_failure(where.error);
      const std::string actual = fetch_failure_actual(where.error);
      const std::string why =
          record_ ? what + " is kept only in registry " + registries() +
                        " (docs/store.md), not in this store's layout, and reading it from "
                        "there failed: " +
                        where.error.message()
                  : what + ": " + where.error.message();
      add(blob, result, blob_text(layer.digest, layer.size), actual, why);
      add(diff, result, want_text, actual, why);
      return;
    }
    auto content = oci::read_blob_content(*where.layout, layer, oci::BlobRole::kLayer);
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
    const std::string note = fetched_note(where);
    const bool same = content->digest == layer.digest && content->size == layer.size;
    add(blob, same ? Outcome::kPass : Outcome::kFail, blob_text(layer.digest, layer.size),
        blob_text(content->digest, content->size), what + note);
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
          what + " " + layer.digest.to_string() + " uncompressed, against the config's diff_id" +
              note);
    }
  }

  void check_labels(const std::optional<oci::ImageConfig>& config) {
    if (record_ && code_hash_.empty()) {
      add("labels", Outcome::kSkip, "", "", no_code_hash());
      return;
    }
    if (!config) {
      add("labels", Outcome::kSkip, "", "", "the config could not be read (its own line says why)");
      return;
    }
    if (code_hash_.empty()) {
      add("labels", Outcome::kSkip, "", "", no_code_hash());
      return;
    }
    std::map<std::string_view, std::string> expected = {
        {kCodeHashLabel, code_hash_},
        {kOrgLabel, app_.org()},
        {kAppLabel, app_.app()},
    };
    if (record_) {
      expected[kLockHashLabel] =
          record_->lock_hash.empty() ? std::string(kAbsent) : record_->lock_hash;
    } else if (!Digest::parse(code_hash_).ok()) {
      expected[kCodeHashLabel] = "a sha256 digest";  // the label against itself: a digest
    }
    std::string want, got, differs;
    for (const auto& [key, value] : expected) {
      auto it = config->labels.find(std::string(key));
      const std::string actual = it == config->labels.end() ? std::string(kAbsent) : it->second;
      if (actual != value) differs += (differs.empty() ? "" : ", ") + std::string(key);
      want += (want.empty() ? "" : " ") + std::string(key) + "=" + value;
      got += (got.empty() ? "" : " ") + std::string(key) + "=" + actual;
    }
    const std::string against =
        record_ ? "the config's labels against the version record and the app"
                : "the config's labels against themselves and the repository " + app_.to_string();
    add("labels", differs.empty() ? Outcome::kPass : Outcome::kFail, want, got,
        differs.empty() ? against : "differs: " + differs);
  }

  void check_code_hash(const oci::ImageManifest& manifest,
                       const std::optional<oci::ImageConfig>& config,
                       const std::set<Digest>& kept) {
    if (code_hash_.empty()) {
      add("codeHash", Outcome::kSkip, "", "", no_code_hash());
      if (options_.source_code_hash) add("source", Outcome::kSkip, "", "", no_code_hash());
      return;
    }
    const std::string authority =
        record_ ? "the version record" : "the label " + std::string(kCodeHashLabel);
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
      const Located& where = locate(top, !record_ || kept.count(top.digest) > 0);
      auto tree = where.layout ? oci::read_tree_layer(*where.layout, top, oci::kAppPrefix)
                               : Result<SourceTree>(where.error);
      if (tree.ok()) {
        hash = code_hash(*tree);
        actual = hash->to_string();
        const std::string label = config ? label_of(*config, kCodeHashLabel) : "";
        if (hash->to_string() != code_hash_) {
          detail = what + " against " + authority;
        } else if (record_ && config && label != code_hash_) {
          detail = what + ": the record's, but the label " + std::string(kCodeHashLabel) +
                   " says " + label;
        } else {
          result = Outcome::kPass;
          detail = what + " against " + authority +
                   (record_ && config ? " and the label " + std::string(kCodeHashLabel) : "") +
                   " (" + std::to_string(tree->entries().size()) +
                   " files and symlinks, codeHash " + std::string(kCodeHashVersion) +
                   fetched_note(where) + ")";
        }
      } else if (!where.layout) {
        result = fetch_failure(where.error);
        actual = fetch_failure_actual(where.error);
        detail = what + ": " + where.error.message();
      } else if (tree.status().code() == Code::kNotFound && kept.count(top.digest)) {
        result = Outcome::kUnverifiable;
        actual = "not here";
        detail = what + " is kept only in registry " + registries();
      } else {
        if (tree.status().code() == Code::kNotFound) actual = "missing";
        detail = tree.status().message();
      }
    }
    add("codeHash", result, code_hash_, actual, detail);
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
    if (!record_ && !config_read_) {
      return "the config could not be read (its own line says why), so no label " +
             std::string(kCodeHashLabel) + " to check the app layer against";
    }
    if (!record_) {
      return "the config has no label " + std::string(kCodeHashLabel) +
             " (an image published with publish-image, or not a function): no app layer to "
             "check";
    }
    return "version " + std::to_string(record_->number) +
           " has no codeHash (an image published with publish-image): no app layer to check";
  }

  std::string registries() const {
    std::string out;
    if (!record_) return out;
    for (const auto& r : record_->registries) out += (out.empty() ? "" : ", ") + r;
    return out;
  }

  const oci::OciLayout& layout_;
  const store::AppId& app_;
  const store::VersionRecord* record_;
  const VerifyOptions& options_;
  std::optional<std::int64_t> manifest_size_;
  std::string code_hash_;  // expected_code_hash(), once the config is read
  bool config_read_ = false;
  std::map<std::string, Located> located_;
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
  return Verifier(layout, app, &record, options).run();
}

VerifyReport verify_unrecorded_image(const oci::OciLayout& layout, const oci::Descriptor& manifest,
                                     const store::AppId& app, const VerifyOptions& options) {
  return Verifier(layout, app, nullptr, options).run(manifest);
}

}  // namespace ignite::verify
