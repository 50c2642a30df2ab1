#include "builder/verify/attestation_checks.h"

#include <nlohmann/json.hpp>
#include <set>
#include <tuple>

#include "builder/attest/dsse.h"
#include "builder/attest/provenance.h"
#include "builder/attest/spdx_sbom.h"
#include "builder/index/lock_install.h"
#include "builder/index/pylock.h"
#include "builder/oci/image_file.h"
#include "builder/oci/media_types.h"
#include "builder/python/platform_tags.h"
#include "builder/util/json_codec.h"

namespace ignite::verify {
namespace {

constexpr std::size_t kMaxListed = 5;  // differences named in a detail; the rest are counted

// An artifact read back: its manifest and its one document, each checked against its digest.
struct Artifact {
  oci::Referrer referrer;
  std::string document;
};

// Reads `r`'s manifest and document from `layout`, checking digests and the subject; the
// error says which.
Result<Artifact> read_artifact(const oci::OciLayout& layout, const oci::Referrer& r,
                               const oci::Descriptor& subject) {
  const std::string what = "artifact " + r.manifest.digest.to_string();
  auto bytes = layout.read_blob(r.manifest.digest);
  if (!bytes.ok()) return bytes.status().with_context(what);
  if (Digest::of(*bytes) != r.manifest.digest) {
    return data_loss(what + ": its manifest's bytes have digest " + Digest::of(*bytes).to_string());
  }
  auto parsed = oci::parse_artifact_manifest(*bytes);
  if (!parsed.ok()) return parsed.status().with_context(what);
  if (parsed->subject.digest != subject.digest) {
    return failed_precondition(what + ": its subject is " + parsed->subject.digest.to_string() +
                               ", not the image " + subject.digest.to_string());
  }
  if (parsed->blobs.size() != 1) {
    return failed_precondition(what + ": " + std::to_string(parsed->blobs.size()) +
                               " layers, not one document");
  }
  const oci::Descriptor& doc = parsed->blobs[0];
  auto document = layout.read_blob(doc.digest);
  if (!document.ok()) return document.status().with_context(what + ": its document");
  if (Digest::of(*document) != doc.digest ||
      static_cast<std::int64_t>(document->size()) != doc.size) {
    return data_loss(what + ": its document " + doc.digest.to_string() + " has digest " +
                     Digest::of(*document).to_string() + ", " + std::to_string(document->size()) +
                     " bytes");
  }
  return Artifact{r, std::move(*document)};
}

// The referrers of `type`; with `recorded` (the record's digest), only that one, and an error
// when the relation does not list it.
Result<std::vector<oci::Referrer>> candidates(const AttestationEvidence& evidence,
                                              std::string_view type, const std::string& recorded) {
  std::vector<oci::Referrer> out;
  for (const oci::Referrer& r : *evidence.referrers) {
    if (!recorded.empty() ? r.manifest.digest.to_string() == recorded : r.artifact_type == type) {
      out.push_back(r);
    }
  }
  if (!recorded.empty() && out.empty()) {
    return not_found("the version record names " + recorded + ", but " + evidence.source +
                     " lists no such referrer of the image");
  }
  return out;
}

std::string listed(const std::vector<std::string>& items) {
  std::string out;
  for (std::size_t i = 0; i < items.size() && i < kMaxListed; ++i) {
    out += (i ? "; " : "") + items[i];
  }
  if (items.size() > kMaxListed)
    out += "; and " + std::to_string(items.size() - kMaxListed) + " more";
  return out;
}

using PackageKey = std::tuple<std::string, std::string, std::string>;

// What is in one set and not the other, as "only in the SBOM: …" lines.
void compare_sets(const std::set<PackageKey>& expected, const std::set<PackageKey>& actual,
                  std::string_view kind, std::vector<std::string>& out) {
  auto text = [](const PackageKey& k) {
    return std::get<0>(k) + " " + std::get<1>(k) +
           (std::get<2>(k).empty() ? "" : " (" + std::get<2>(k) + ")");
  };
  for (const auto& k : expected) {
    if (!actual.count(k))
      out.push_back(std::string(kind) + " " + text(k) + " missing from the SBOM");
  }
  for (const auto& k : actual) {
    if (!expected.count(k)) out.push_back(std::string(kind) + " " + text(k) + " only in the SBOM");
  }
}

// The Python packages the record's lock installs on the default target: what build installed.
Result<std::optional<std::set<PackageKey>>> recorded_python(const store::VersionRecord& record) {
  auto inputs = nlohmann::json::parse(record.inputs, nullptr, false);
  if (!inputs.is_object() || !inputs.contains("lock") || !inputs["lock"].is_string()) {
    return std::optional<std::set<PackageKey>>(std::set<PackageKey>{});
  }
  IGNITE_ASSIGN_OR_RETURN(
      index::Lock lock, index::read_pylock(inputs["lock"].get<std::string>(), "the recorded lock"));
  IGNITE_ASSIGN_OR_RETURN(
      std::vector<index::InstallItem> items,
      index::install_set_for(lock, python::PythonTarget{}, python::Environment::target_default()));
  std::set<PackageKey> out;
  for (const auto& item : items) {
    out.insert({item.package->name, item.package->version, item.wheel->sha256});
  }
  return std::optional<std::set<PackageKey>>(std::move(out));
}

class AttestationChecker {
 public:
  AttestationChecker(const oci::OciLayout& image_layout, const oci::Descriptor& manifest,
                     const oci::ImageManifest& image,
                     const std::map<std::string, std::string>& labels,
                     const store::VersionRecord* record, const AttestationEvidence& evidence,
                     const std::optional<attest::VerifyingKey>& key)
      : image_layout_(image_layout),
        manifest_(manifest),
        image_(image),
        labels_(labels),
        record_(record),
        evidence_(evidence),
        key_(key) {}

  std::vector<Check> run() {
    if (!evidence_.referrers) {
      const std::string why = "the image's referrers could not be read from " + evidence_.source +
                              ": " + evidence_.unread_reason;
      add("sbom", Outcome::kUnverifiable, "", "not read", why);
      add("provenance", Outcome::kUnverifiable, "", "not read", why);
      add("signature", key_ ? Outcome::kUnverifiable : Outcome::kSkip, "", "",
          key_ ? why : "no --key given: the provenance's signature is not checked");
      return std::move(checks_);
    }
    check_sbom();
    check_provenance();
    return std::move(checks_);
  }

 private:
  void add(std::string check, Outcome result, std::string expected, std::string actual,
           std::string detail) {
    checks_.push_back(
        {std::move(check), result, std::move(expected), std::move(actual), std::move(detail)});
  }

  std::string recorded(const std::string store::VersionRecord::*field) const {
    return record_ ? record_->*field : "";
  }

  // A version recorded before attestations existed (or an image draft) has none to check.
  bool predates_attestations() const {
    return record_ && record_->sbom_digest.empty() && record_->provenance_digest.empty();
  }

  void check_sbom() {
    const std::string expected = recorded(&store::VersionRecord::sbom_digest);
    auto found = candidates(evidence_, attest::kSpdxMediaType, expected);
    if (!found.ok()) {
      add("sbom", Outcome::kFail, expected, "missing", found.status().message());
      return;
    }
    if (found->empty()) {
      add("sbom", Outcome::kSkip, "", "",
          predates_attestations()
              ? "the version records no attestations (recorded before they existed, or an image "
                "published with publish-image)"
              : "no SBOM among the image's referrers in " + evidence_.source);
      return;
    }
    // Several SBOMs of one image (none recorded) must all hold: they describe the same bytes.
    for (const oci::Referrer& r : *found) check_one_sbom(r);
  }

  void check_one_sbom(const oci::Referrer& r) {
    const std::string digest = r.manifest.digest.to_string();
    auto artifact = read_artifact(*evidence_.layout, r, manifest_);
    if (!artifact.ok()) {
      add("sbom", Outcome::kFail, digest,
          artifact.status().code() == Code::kNotFound ? "missing" : "unreadable",
          artifact.status().message());
      return;
    }
    auto sbom = attest::read_spdx_sbom(artifact->document, "SBOM " + digest);
    if (!sbom.ok()) {
      add("sbom", Outcome::kFail, digest, "unreadable", sbom.status().message());
      return;
    }
    std::vector<std::string> problems;
    std::vector<std::string> notes;
    if (sbom->manifest_digest != manifest_.digest.to_string()) {
      problems.push_back("it describes image " + sbom->manifest_digest);
    }
    std::set<PackageKey> python;
    for (const auto& p : sbom->python) python.insert({p.name, p.version, p.sha256});
    if (record_) {
      auto expected = recorded_python(*record_);
      if (!expected.ok()) {
        problems.push_back("the recorded lock cannot be read: " + expected.status().message());
      } else {
        compare_sets(**expected, python, "Python package", problems);
      }
    } else {
      notes.push_back("Python packages not compared (no version record holds the lock)");
    }
    std::set<PackageKey> debian;
    for (const auto& p : sbom->debian) debian.insert({p.name, p.version, p.architecture});
    auto status = oci::read_image_file(image_layout_, image_, "var/lib/dpkg/status");
    if (!status.ok()) {
      notes.push_back("Debian packages not compared: " + status.status().message());
    } else {
      std::set<PackageKey> installed;
      if (*status) {
        auto parsed = attest::parse_dpkg_status(**status);
        if (!parsed.ok()) {
          problems.push_back("the image's dpkg status cannot be read: " +
                             parsed.status().message());
        } else {
          for (const auto& p : *parsed) installed.insert({p.name, p.version, p.architecture});
        }
      }
      compare_sets(installed, debian, "Debian package", problems);
    }
    const std::string counts = std::to_string(python.size()) + " Python, " +
                               std::to_string(debian.size()) + " Debian packages";
    if (!problems.empty()) {
      add("sbom", Outcome::kFail, digest, digest + " (" + counts + ")", listed(problems));
      return;
    }
    add("sbom", Outcome::kPass, digest, digest,
        "SPDX 2.3 of " + manifest_.digest.to_string() + ", " + counts +
            (record_ ? ", as the recorded lock installs and the image's dpkg status lists"
                     : ", as the image's dpkg status lists") +
            (notes.empty() ? "" : "; " + listed(notes)) + " (" + evidence_.source + ")");
  }

  // What the provenance must claim: the record's inputs, or the image's labels.
  std::map<std::string, std::string> expected_claims() const {
    std::map<std::string, std::string> out;
    if (record_) {
      auto inputs = nlohmann::json::parse(record_->inputs, nullptr, false);
      auto text = [&](const char* key) -> std::string {
        if (!inputs.is_object() || !inputs.contains(key)) return "";
        const auto& v = inputs[key];
        if (v.is_string()) return v.get<std::string>();
        if (v.is_number_integer()) return std::to_string(v.get<std::int64_t>());
        return "";
      };
      out["codeHash"] = record_->code_hash;
      out["lockHash"] = record_->lock_hash;
      out["baseDigest"] = record_->base_digest;
      out["base"] = text("base");
      out["sourceDateEpoch"] = text("sourceDateEpoch");
      out["builderVersion"] = text("builderVersion");
      out["org"] = text("org");
      out["app"] = text("app");
      out["git.url"] = "";
      out["git.commit"] = "";
      if (inputs.is_object() && inputs.contains("source") && inputs["source"].is_object() &&
          inputs["source"].contains("git") && inputs["source"]["git"].is_object()) {
        // A member of another type (an edited record) reads as absent, never as an exception.
        const auto& g = inputs["source"]["git"];
        for (const auto& [claim, key] : {std::pair{"git.url", "url"}, {"git.commit", "commit"}}) {
          auto member = json_optional_string(g, key, "inputs.source.git");
          if (member.ok()) out[claim] = *member;
        }
      }
      return out;
    }
    auto label = [&](const char* key) {
      auto it = labels_.find(key);
      return it == labels_.end() ? std::string() : it->second;
    };
    out["codeHash"] = label("dev.ignite.code-hash");
    out["lockHash"] = label("dev.ignite.lock-hash");
    out["org"] = label("dev.ignite.org");
    out["app"] = label("dev.ignite.app");
    out["builderVersion"] = label("dev.ignite.builder-version");
    out["git.url"] = label("org.opencontainers.image.source");
    out["git.commit"] = label("org.opencontainers.image.revision");
    auto base = image_.annotations.find(std::string(oci::kAnnotationBaseDigest));
    out["baseDigest"] = base == image_.annotations.end() ? "" : base->second;
    return out;
  }

  static std::map<std::string, std::string> claimed(const attest::ProvenanceClaims& c) {
    return {{"codeHash", c.code_hash},
            {"lockHash", c.lock_hash},
            {"baseDigest", c.base_digest},
            {"base", c.base},
            {"sourceDateEpoch", std::to_string(c.source_date_epoch)},
            {"builderVersion", c.builder_version},
            {"org", c.org},
            {"app", c.app},
            {"git.url", c.git ? c.git->url : ""},
            {"git.commit", c.git ? c.git->commit : ""}};
  }

  void check_provenance() {
    const std::string expected = recorded(&store::VersionRecord::provenance_digest);
    auto found = candidates(evidence_, attest::kInTotoPayloadType, expected);
    if (!found.ok()) {
      add("provenance", Outcome::kFail, expected, "missing", found.status().message());
      skip_signature("the recorded provenance is missing");
      return;
    }
    if (found->empty()) {
      const std::string why =
          predates_attestations()
              ? "the version records no attestations (recorded before they existed, or an image "
                "published with publish-image)"
              : "no provenance among the image's referrers in " + evidence_.source +
                    " (built without a signing key)";
      if (key_) {
        add("provenance", Outcome::kFail, "a provenance signed by " + key_->key_id(), "none", why);
        add("signature", Outcome::kFail, key_->key_id(), "unsigned", why);
      } else {
        add("provenance", Outcome::kSkip, "", "", why);
        skip_signature(why);
      }
      return;
    }
    // With a key, the provenance it signed is the one judged (an image built twice may have
    // several); else the first.
    std::optional<Artifact> chosen;
    std::optional<attest::DsseEnvelope> envelope;
    std::string first_error;
    for (const oci::Referrer& r : *found) {
      auto artifact = read_artifact(*evidence_.layout, r, manifest_);
      if (!artifact.ok()) {
        if (first_error.empty()) first_error = artifact.status().message();
        continue;
      }
      auto env =
          attest::parse_envelope(artifact->document, "provenance " + r.manifest.digest.to_string());
      if (!env.ok()) {
        if (first_error.empty()) first_error = env.status().message();
        continue;
      }
      const bool signed_by_key = key_ && attest::verify_envelope(*env, *key_).ok();
      if (!chosen || signed_by_key) {
        chosen = std::move(*artifact);
        envelope = std::move(*env);
      }
      if (signed_by_key) break;
    }
    if (!chosen) {
      add("provenance", Outcome::kFail, expected.empty() ? "a provenance" : expected, "unreadable",
          first_error);
      skip_signature("the provenance cannot be read");
      return;
    }
    const std::string digest = chosen->referrer.manifest.digest.to_string();
    std::vector<std::string> problems;
    if (envelope->payload_type != attest::kInTotoPayloadType) {
      problems.push_back("payloadType " + envelope->payload_type);
    }
    auto claims = attest::read_provenance_statement(envelope->payload, "provenance " + digest);
    if (!claims.ok()) {
      problems.push_back(claims.status().message());
    } else {
      if (claims->subject_digest != manifest_.digest.to_string()) {
        problems.push_back("its subject is " + claims->subject_digest + ", not the image");
      }
      const auto want = expected_claims();
      const auto have = claimed(*claims);
      for (const auto& [key, value] : want) {
        auto it = have.find(key);
        if (it != have.end() && it->second != value) {
          problems.push_back(key + ": claims " + (it->second.empty() ? "(none)" : it->second) +
                             ", " + (record_ ? "the record has " : "the image's labels have ") +
                             (value.empty() ? "(none)" : value));
        }
      }
    }
    if (!problems.empty()) {
      add("provenance", Outcome::kFail, digest, digest, listed(problems));
    } else {
      add("provenance", Outcome::kPass, digest, digest,
          "in-toto statement, SLSA v1 predicate: subject " + manifest_.digest.to_string() +
              ", and codeHash, lockHash, base, epoch, source, org, app and builder version as " +
              (record_ ? "recorded" : "the image's labels say") + " (" + evidence_.source + ")");
    }
    check_signature(*envelope, digest);
  }

  void skip_signature(const std::string& why) {
    if (key_) {
      add("signature", Outcome::kFail, key_->key_id(), "unchecked", why);
    } else {
      add("signature", Outcome::kSkip, "", "", "no --key given: the signature is not checked");
    }
  }

  void check_signature(const attest::DsseEnvelope& envelope, const std::string& digest) {
    if (!key_) {
      add("signature", Outcome::kSkip, "", "",
          "no --key given: the provenance's signature is not checked");
      return;
    }
    std::vector<std::string> ids;
    for (const auto& s : envelope.signatures)
      ids.push_back(s.keyid.empty() ? "(no keyid)" : s.keyid);
    const std::string signers = listed(ids);
    Status verified = attest::verify_envelope(envelope, *key_);
    if (verified.ok()) {
      add("signature", Outcome::kPass, key_->key_id(), key_->key_id(),
          "the DSSE envelope of " + digest + " verifies with the given " +
              std::string(attest::key_algorithm_name(key_->algorithm())) + " key");
    } else {
      add("signature", Outcome::kFail, key_->key_id(), "signed by " + signers, verified.message());
    }
  }

  const oci::OciLayout& image_layout_;
  const oci::Descriptor& manifest_;
  const oci::ImageManifest& image_;
  const std::map<std::string, std::string>& labels_;
  const store::VersionRecord* record_;
  const AttestationEvidence& evidence_;
  const std::optional<attest::VerifyingKey>& key_;
  std::vector<Check> checks_;
};

}  // namespace

std::vector<Check> check_attestations(const oci::OciLayout& image_layout,
                                      const oci::Descriptor& manifest,
                                      const oci::ImageManifest& image,
                                      const std::map<std::string, std::string>& labels,
                                      const store::VersionRecord* record,
                                      const AttestationEvidence& evidence,
                                      const std::optional<attest::VerifyingKey>& key) {
  return AttestationChecker(image_layout, manifest, image, labels, record, evidence, key).run();
}

}  // namespace ignite::verify
