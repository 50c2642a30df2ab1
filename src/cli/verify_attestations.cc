#include "src/cli/verify_attestations.h"

#include "builder/oci/image_config.h"
#include "builder/oci/manifest.h"
#include "builder/oci/referrers.h"
#include "builder/verify/attestation_checks.h"

namespace ignite::cli {
namespace {

struct ReadImage {
  oci::ImageManifest manifest;
  std::map<std::string, std::string> labels;
};

// The image's manifest and labels; their own blob lines already said why when they cannot be
// read.
Result<ReadImage> read_image(const oci::OciLayout& layout, const Digest& digest) {
  IGNITE_ASSIGN_OR_RETURN(std::string bytes, layout.read_blob(digest));
  IGNITE_ASSIGN_OR_RETURN(oci::ImageManifest manifest, oci::parse_manifest(bytes));
  IGNITE_ASSIGN_OR_RETURN(std::string config_bytes, layout.read_blob(manifest.config.digest));
  IGNITE_ASSIGN_OR_RETURN(oci::ImageConfig config, oci::parse_image_config(config_bytes));
  return ReadImage{std::move(manifest), std::move(config.labels)};
}

void skip_all(verify::VerifyReport& report, const std::string& why,
              const std::optional<attest::VerifyingKey>& key) {
  for (const char* check : {"sbom", "provenance"}) {
    report.checks.push_back({check, verify::Outcome::kSkip, "", "", why});
  }
  report.checks.push_back({"signature", key ? verify::Outcome::kFail : verify::Outcome::kSkip,
                           key ? key->key_id() : "", key ? "unchecked" : "", why});
}

void add_checks(const oci::OciLayout& layout, const oci::Descriptor& manifest,
                const store::VersionRecord* record, const verify::AttestationEvidence& evidence,
                const std::optional<attest::VerifyingKey>& key, verify::VerifyReport& report) {
  auto image = read_image(layout, manifest.digest);
  if (!image.ok()) {
    skip_all(report, "the image's manifest or config cannot be read: " + image.status().message(),
             key);
    return;
  }
  for (auto& c : verify::check_attestations(layout, manifest, image->manifest, image->labels,
                                            record, evidence, key)) {
    report.checks.push_back(std::move(c));
  }
}

}  // namespace

void add_store_attestation_checks(const oci::OciLayout& layout, const store::AppId& app,
                                  const store::VersionRecord& record,
                                  const std::optional<attest::VerifyingKey>& key,
                                  verify::VerifyReport& report) {
  auto digest = Digest::parse(record.manifest_digest);
  if (!digest.ok()) {
    skip_all(report, "the record names no valid manifest digest", key);
    return;
  }
  const oci::Descriptor manifest{std::string(), *digest, 0, {}, std::nullopt};
  verify::AttestationEvidence evidence;
  evidence.layout = &layout;
  evidence.source = "the store's layout";
  auto referrers = oci::referrers_in_layout(layout, app.to_string(), *digest);
  if (referrers.ok()) {
    evidence.referrers = std::move(*referrers);
  } else {
    evidence.unread_reason = referrers.status().message();
  }
  add_checks(layout, manifest, &record, evidence, key, report);
}

void add_registry_attestation_checks(oci::OciLayout& scratch, const oci::Descriptor& manifest,
                                     const registry::ImageReference& ref,
                                     const registry::ClientOptions& options,
                                     const std::optional<attest::VerifyingKey>& key,
                                     verify::VerifyReport& report) {
  verify::AttestationEvidence evidence;
  evidence.layout = &scratch;
  evidence.source =
      "registry " + ref.registry + " (tag " + oci::referrers_tag(manifest.digest) + ")";
  // The fallback tag's index, then each artifact's manifest and blobs into the scratch layout.
  auto fetch = [&]() -> Result<std::vector<oci::Referrer>> {
    IGNITE_ASSIGN_OR_RETURN(registry::RegistryClient client,
                            registry::RegistryClient::create(ref.registry, options));
    auto index = client.get_manifest(ref.repository, oci::referrers_tag(manifest.digest));
    if (!index.ok()) {
      if (index.status().code() == Code::kNotFound) return std::vector<oci::Referrer>{};
      return index.status();
    }
    IGNITE_ASSIGN_OR_RETURN(std::vector<oci::Referrer> referrers,
                            oci::parse_referrers_index(index->bytes));
    for (const oci::Referrer& r : referrers) {
      auto artifact = client.get_manifest(ref.repository, r.manifest.digest.to_string());
      if (!artifact.ok()) continue;  // the check names it missing
      IGNITE_RETURN_IF_ERROR(scratch.add_blob(artifact->media_type, artifact->bytes).status());
      auto parsed = oci::parse_artifact_manifest(artifact->bytes);
      if (!parsed.ok()) continue;
      for (const oci::Descriptor& blob : parsed->blobs) {
        if (!scratch.has_blob(blob.digest)) {
          (void)client.fetch_blob(ref.repository, blob, scratch);  // missing: the check says
        }
      }
    }
    return referrers;
  };
  auto referrers = fetch();
  if (referrers.ok()) {
    evidence.referrers = std::move(*referrers);
  } else {
    evidence.unread_reason = referrers.status().message();
  }
  add_checks(scratch, manifest, nullptr, evidence, key, report);
}

}  // namespace ignite::cli
