#include "builder/oci/referrers.h"

#include <algorithm>

#include "builder/oci/descriptor_json.h"
#include "builder/oci/manifest.h"
#include "builder/oci/media_types.h"
#include "builder/util/file_lock.h"
#include "builder/util/json_codec.h"

namespace ignite::oci {
namespace {

Json referrer_to_json(const Referrer& r) {
  Json j = descriptor_to_json(r.manifest);
  if (!r.artifact_type.empty()) j["artifactType"] = r.artifact_type;
  return j;
}

std::string index_ref(std::string_view repository, const Digest& subject) {
  return std::string(repository) + ":" + referrers_tag(subject);
}

}  // namespace

std::string referrers_tag(const Digest& subject) { return "sha256-" + subject.hex(); }

Result<Referrer> write_artifact(OciLayout& layout, std::string_view artifact_type,
                                std::string_view media_type, std::string_view document,
                                const Descriptor& subject,
                                const std::map<std::string, std::string>& annotations) {
  IGNITE_ASSIGN_OR_RETURN(Descriptor config, layout.add_blob(kMediaTypeEmpty, "{}"));
  IGNITE_ASSIGN_OR_RETURN(Descriptor blob, layout.add_blob(media_type, document));
  Descriptor subject_entry = subject;
  subject_entry.annotations.clear();  // the subject is named by digest; its ref name is not ours
  subject_entry.platform.reset();
  Json j = Json::object();
  j["schemaVersion"] = 2;
  j["mediaType"] = kMediaTypeManifest;
  j["artifactType"] = artifact_type;
  j["config"] = descriptor_to_json(config);
  j["layers"] = Json::array({descriptor_to_json(blob)});
  j["subject"] = descriptor_to_json(subject_entry);
  if (!annotations.empty()) j["annotations"] = annotations;
  IGNITE_ASSIGN_OR_RETURN(std::string bytes, canonical_json(j));
  IGNITE_ASSIGN_OR_RETURN(Descriptor manifest, layout.add_blob(kMediaTypeManifest, bytes));
  manifest.annotations = annotations;
  return Referrer{std::move(manifest), std::string(artifact_type)};
}

Result<ArtifactManifest> parse_artifact_manifest(std::string_view bytes) {
  constexpr std::string_view kWhat = "artifact manifest";
  IGNITE_ASSIGN_OR_RETURN(Json j, parse_json_object(bytes, kWhat));
  IGNITE_ASSIGN_OR_RETURN(std::int64_t version, json_int(j, "schemaVersion", kWhat));
  if (version != 2) {
    return invalid_argument("artifact manifest: schemaVersion " + std::to_string(version) +
                            ", not 2");
  }
  IGNITE_ASSIGN_OR_RETURN(std::string media_type, json_optional_string(j, "mediaType", kWhat));
  if (!media_type.empty() && media_type != kMediaTypeManifest) {
    return invalid_argument("artifact manifest: mediaType \"" + media_type + "\" is not " +
                            std::string(kMediaTypeManifest));
  }
  IGNITE_ASSIGN_OR_RETURN(std::string artifact_type,
                          json_optional_string(j, "artifactType", kWhat));
  auto config = j.find("config");
  if (config == j.end()) return invalid_argument("artifact manifest: no \"config\"");
  IGNITE_ASSIGN_OR_RETURN(Descriptor config_d,
                          descriptor_from_json(*config, "artifact manifest: config"));
  // Without artifactType the config's media type is the artifact's type (image-spec 1.1).
  if (artifact_type.empty() && config_d.media_type != kMediaTypeEmpty) {
    artifact_type = config_d.media_type;
  }
  if (artifact_type.empty()) {
    return invalid_argument("artifact manifest: no \"artifactType\" and an empty config");
  }
  auto subject = j.find("subject");
  if (subject == j.end()) return invalid_argument("artifact manifest: no \"subject\"");
  IGNITE_ASSIGN_OR_RETURN(Descriptor subject_d,
                          descriptor_from_json(*subject, "artifact manifest: subject"));
  ArtifactManifest out{std::move(artifact_type), std::move(config_d), std::move(subject_d), {}, {}};
  auto layers = j.find("layers");
  if (layers == j.end() || !layers->is_array()) {
    return invalid_argument("artifact manifest: \"layers\" is missing or not an array");
  }
  for (std::size_t i = 0; i < layers->size(); ++i) {
    IGNITE_ASSIGN_OR_RETURN(
        Descriptor d,
        descriptor_from_json((*layers)[i], "artifact manifest: layer " + std::to_string(i)));
    out.blobs.push_back(std::move(d));
  }
  IGNITE_ASSIGN_OR_RETURN(out.annotations, json_optional_string_map(j, "annotations", kWhat));
  return out;
}

Result<std::vector<Referrer>> parse_referrers_index(std::string_view bytes) {
  constexpr std::string_view kWhat = "referrers index";
  IGNITE_ASSIGN_OR_RETURN(Json j, parse_json_object(bytes, kWhat));
  IGNITE_ASSIGN_OR_RETURN(std::string media_type, json_optional_string(j, "mediaType", kWhat));
  if (!media_type.empty() && media_type != kMediaTypeIndex) {
    return invalid_argument("referrers index: mediaType \"" + media_type + "\" is not " +
                            std::string(kMediaTypeIndex));
  }
  IGNITE_ASSIGN_OR_RETURN(std::vector<Descriptor> manifests, index_manifests(j));
  std::vector<Referrer> out;
  const Json& entries = j["manifests"];
  for (std::size_t i = 0; i < manifests.size(); ++i) {
    IGNITE_ASSIGN_OR_RETURN(std::string type,
                            json_optional_string(entries[i], "artifactType",
                                                 "referrers index: manifest " + std::to_string(i)));
    out.push_back(Referrer{std::move(manifests[i]), std::move(type)});
  }
  return out;
}

Result<std::string> referrers_index_json(std::vector<Referrer> existing,
                                         const std::vector<Referrer>& add) {
  for (const Referrer& r : add) {
    std::erase_if(existing,
                  [&](const Referrer& e) { return e.manifest.digest == r.manifest.digest; });
    existing.push_back(r);
  }
  std::sort(existing.begin(), existing.end(), [](const Referrer& a, const Referrer& b) {
    return a.manifest.digest.to_string() < b.manifest.digest.to_string();
  });
  Json j = Json::object();
  j["schemaVersion"] = 2;
  j["mediaType"] = kMediaTypeIndex;
  j["manifests"] = Json::array();
  for (const Referrer& r : existing) j["manifests"].push_back(referrer_to_json(r));
  return canonical_json(j);
}

Result<std::vector<Referrer>> referrers_in_layout(const OciLayout& layout,
                                                  std::string_view repository,
                                                  const Digest& subject) {
  auto index = layout.resolve(index_ref(repository, subject));
  if (!index.ok()) {
    if (index.status().code() == Code::kNotFound) return std::vector<Referrer>{};
    return index.status();
  }
  IGNITE_ASSIGN_OR_RETURN(std::string bytes, layout.read_blob(index->digest));
  auto referrers = parse_referrers_index(bytes);
  if (!referrers.ok()) {
    return referrers.status().with_context("the referrers of " + subject.to_string() + " (ref " +
                                           index_ref(repository, subject) + ")");
  }
  return referrers;
}

Status attach_in_layout(OciLayout& layout, std::string_view repository, const Digest& subject,
                        const std::vector<Referrer>& add) {
  // set_ref takes index.json's own lock; this one spans the read, the merge and the move.
  IGNITE_ASSIGN_OR_RETURN(FileLock lock, FileLock::acquire(layout.dir() + "/referrers.lock"));
  IGNITE_ASSIGN_OR_RETURN(std::vector<Referrer> existing,
                          referrers_in_layout(layout, repository, subject));
  IGNITE_ASSIGN_OR_RETURN(std::string bytes, referrers_index_json(std::move(existing), add));
  IGNITE_ASSIGN_OR_RETURN(Descriptor index, layout.add_blob(kMediaTypeIndex, bytes));
  return layout.set_ref(index_ref(repository, subject), index, ExistingRef::kReplace);
}

}  // namespace ignite::oci
