#include "builder/pipeline/attestations.h"

#include <nlohmann/json.hpp>

#include "builder/attest/dsse.h"
#include "builder/attest/spdx_sbom.h"
#include "builder/index/content_cache.h"
#include "builder/index/lock_install.h"
#include "builder/index/wheel_metadata.h"
#include "builder/oci/image_file.h"
#include "builder/util/file_io.h"
#include "builder/util/wall_clock.h"

namespace ignite::pipeline {
namespace {

constexpr std::string_view kDpkgStatus = "var/lib/dpkg/status";
// Bumped when what the base-packages cache holds changes.
constexpr std::string_view kBasePackagesFormat = "ignite-base-packages 1";

nlohmann::json debian_to_json(const std::vector<attest::SbomDebianPackage>& packages) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& p : packages) {
    list.push_back({{"name", p.name},
                    {"version", p.version},
                    {"architecture", p.architecture},
                    {"maintainer", p.maintainer}});
  }
  return {{"format", kBasePackagesFormat}, {"packages", list}};
}

std::optional<std::vector<attest::SbomDebianPackage>> debian_from_json(const std::string& text) {
  auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || j.value("format", "") != kBasePackagesFormat) return std::nullopt;
  auto list = j.find("packages");
  if (list == j.end() || !list->is_array()) return std::nullopt;
  std::vector<attest::SbomDebianPackage> out;
  for (const auto& p : *list) {
    if (!p.is_object()) return std::nullopt;
    out.push_back({p.value("name", ""), p.value("version", ""), p.value("architecture", ""),
                   p.value("maintainer", "")});
  }
  return out;
}

// The base's installed Debian packages: from the cache, else read from its layers (the first
// build on a base reads its dpkg status once). A base with no dpkg (scratch, a synthetic
// base) has none; a base whose layers only a registry holds cannot be read: a warning.
Result<std::vector<attest::SbomDebianPackage>> base_debian_packages(
    FunctionStore& store, const oci::BaseImage& base, std::vector<std::string>& warnings) {
  if (base.is_scratch()) return std::vector<attest::SbomDebianPackage>{};
  const auto& image = base.image();
  const std::string path =
      store_cache_dir(store) + "/base-packages/" + image.manifest_descriptor.digest.hex() + ".json";
  if (auto text = read_file(path); text.ok()) {
    if (auto cached = debian_from_json(*text)) return *cached;
  }
  auto status = oci::read_image_file(store.layout(), image.manifest, kDpkgStatus);
  if (!status.ok()) {
    if (status.status().code() == Code::kNotFound) {
      warnings.push_back(
          "the SBOM lists no Debian packages: the base's layers are not in the "
          "store (" +
          status.status().message() + ")");
      return std::vector<attest::SbomDebianPackage>{};
    }
    return status.status().with_context("reading /" + std::string(kDpkgStatus) + " of the base " +
                                        image.manifest_descriptor.digest.to_string());
  }
  std::vector<attest::SbomDebianPackage> packages;
  if (*status) {
    auto parsed = attest::parse_dpkg_status(**status);
    if (!parsed.ok()) {
      return parsed.status().with_context("/" + std::string(kDpkgStatus) + " of the base " +
                                          image.manifest_descriptor.digest.to_string());
    }
    packages = std::move(*parsed);
  }
  IGNITE_RETURN_IF_ERROR(index::write_cache_file(path, debian_to_json(packages).dump() + "\n"));
  return packages;
}

}  // namespace

Result<std::vector<attest::SbomPythonPackage>> sbom_python_packages(FunctionStore& store,
                                                                    const index::Lock& lock,
                                                                    const DepsRequest& deps) {
  IGNITE_ASSIGN_OR_RETURN(std::vector<index::InstallItem> items,
                          index::install_set_for(lock, deps.target, deps.environment));
  const index::ContentCache cache(store_cache_dir(store));
  std::vector<attest::SbomPythonPackage> out;
  for (const index::InstallItem& item : items) {
    attest::SbomPythonPackage p;
    p.name = item.package->name;
    p.version = item.package->version;
    p.wheel = item.wheel->name;
    p.sha256 = item.wheel->sha256;
    p.download_location = item.wheel->url;
    std::optional<std::string> metadata = cache.find_metadata(item.wheel->sha256);
    if (!metadata) {
      if (auto wheel = cache.find_blob(item.wheel->sha256)) {
        if (auto read = index::read_wheel_metadata(*wheel, item.package->name); read.ok()) {
          metadata = std::move(*read);
        }
      }
    }
    p.license = metadata ? attest::wheel_license(*metadata) : "NOASSERTION";
    out.push_back(std::move(p));
  }
  return out;
}

Result<VersionAttestations> attest_image(FunctionStore& store, const store::AppId& app,
                                         const AttestInputs& inputs, const AttestOptions& options,
                                         Progress& progress) {
  VersionAttestations out;
  const oci::Descriptor& manifest = *inputs.manifest;
  attest::SbomInputs sbom;
  sbom.image_name = app.to_string();
  sbom.manifest_digest = manifest.digest.to_string();
  sbom.created = inputs.created;
  sbom.builder_version = inputs.claims.builder_version;
  if (inputs.lock) {
    IGNITE_ASSIGN_OR_RETURN(sbom.python, sbom_python_packages(store, *inputs.lock, *inputs.deps));
  }
  IGNITE_ASSIGN_OR_RETURN(sbom.debian, base_debian_packages(store, *inputs.base, out.warnings));
  out.python_packages = sbom.python.size();
  out.debian_packages = sbom.debian.size();
  const std::map<std::string, std::string> none;
  IGNITE_ASSIGN_OR_RETURN(
      oci::Referrer sbom_ref,
      oci::write_artifact(store.layout(), attest::kSpdxMediaType, attest::kSpdxMediaType,
                          attest::write_spdx_sbom(sbom), manifest, none));
  std::vector<oci::Referrer> attached = {sbom_ref};
  out.sbom = std::move(sbom_ref);

  if (options.signing_key) {
    attest::ProvenanceClaims claims = inputs.claims;
    claims.subject_name = app.to_string();
    claims.subject_digest = manifest.digest.to_string();
    claims.builder_id = options.builder_id;
    claims.finished_at_ms = unix_now_ms();
    IGNITE_ASSIGN_OR_RETURN(
        attest::DsseEnvelope envelope,
        attest::sign_envelope(attest::kInTotoPayloadType,
                              attest::write_provenance_statement(claims), *options.signing_key));
    IGNITE_ASSIGN_OR_RETURN(
        oci::Referrer provenance,
        oci::write_artifact(
            store.layout(), attest::kInTotoPayloadType, attest::kDsseMediaType,
            attest::envelope_json(envelope), manifest,
            {{"dev.ignite.predicate-type", std::string(attest::kSlsaProvenanceType)},
             {"dev.ignite.signed-by", options.signing_key->key_id()}}));
    attached.push_back(provenance);
    out.provenance = std::move(provenance);
    out.signed_by = options.signing_key->key_id();
  }
  IGNITE_RETURN_IF_ERROR(
      oci::attach_in_layout(store.layout(), app.to_string(), manifest.digest, attached));
  progress.note("SBOM " + out.sbom->manifest.digest.to_string() + " (" +
                std::to_string(out.python_packages) + " Python, " +
                std::to_string(out.debian_packages) + " Debian packages)" +
                (out.provenance ? ", provenance " + out.provenance->manifest.digest.to_string() +
                                      " signed by " + options.signing_key->key_id()
                                : ", no provenance (no signing key)"));
  return out;
}

}  // namespace ignite::pipeline
