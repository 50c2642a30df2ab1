#include "builder/oci/manifest.h"

#include "builder/oci/descriptor_json.h"
#include "builder/oci/media_types.h"
#include "builder/util/json_codec.h"

namespace ignite::oci {

Json descriptor_to_json(const Descriptor& d) {
  Json j = Json::object();
  j["mediaType"] = d.media_type;
  j["digest"] = d.digest.to_string();
  j["size"] = d.size;
  if (!d.annotations.empty()) j["annotations"] = d.annotations;
  if (d.platform) {
    Json p = {{"architecture", d.platform->architecture}, {"os", d.platform->os}};
    if (!d.platform->variant.empty()) p["variant"] = d.platform->variant;
    j["platform"] = std::move(p);
  }
  return j;
}

Result<Descriptor> descriptor_from_json(const Json& j, std::string_view what) {
  if (!j.is_object()) return invalid_argument(std::string(what) + ": not a JSON object");
  IGNITE_ASSIGN_OR_RETURN(std::string media_type, json_string(j, "mediaType", what));
  IGNITE_ASSIGN_OR_RETURN(std::string digest_text, json_string(j, "digest", what));
  auto digest = Digest::parse(digest_text);
  if (!digest.ok()) return digest.status().with_context(what);
  IGNITE_ASSIGN_OR_RETURN(std::int64_t size, json_int(j, "size", what));
  if (size < 0) return invalid_argument(std::string(what) + ": negative size");
  Descriptor d{std::move(media_type), *digest, size, {}, std::nullopt};
  IGNITE_ASSIGN_OR_RETURN(d.annotations, json_optional_string_map(j, "annotations", what));
  if (auto it = j.find("platform"); it != j.end() && !it->is_null()) {
    if (!it->is_object())
      return invalid_argument(std::string(what) + ": platform is not an object");
    const std::string pw = std::string(what) + ": platform";
    Platform p;
    IGNITE_ASSIGN_OR_RETURN(p.architecture, json_string(*it, "architecture", pw));
    IGNITE_ASSIGN_OR_RETURN(p.os, json_string(*it, "os", pw));
    IGNITE_ASSIGN_OR_RETURN(p.variant, json_optional_string(*it, "variant", pw));
    d.platform = std::move(p);
  }
  return d;
}

Result<std::string> manifest_json(const ImageManifest& manifest) {
  Json j = Json::object();
  j["schemaVersion"] = 2;
  j["mediaType"] = kMediaTypeManifest;
  j["config"] = descriptor_to_json(manifest.config);
  j["layers"] = Json::array();
  for (const auto& l : manifest.layers) j["layers"].push_back(descriptor_to_json(l));
  if (!manifest.annotations.empty()) j["annotations"] = manifest.annotations;
  return canonical_json(j);
}

Result<ImageManifest> parse_manifest(std::string_view bytes) {
  constexpr std::string_view kWhat = "image manifest";
  IGNITE_ASSIGN_OR_RETURN(Json j, parse_json_object(bytes, kWhat));
  IGNITE_ASSIGN_OR_RETURN(std::int64_t version, json_int(j, "schemaVersion", kWhat));
  IGNITE_ASSIGN_OR_RETURN(std::string media_type, json_optional_string(j, "mediaType", kWhat));
  const bool docker = media_type == kMediaTypeDockerManifest;
  if (version != 2 || (!media_type.empty() && media_type != kMediaTypeManifest && !docker)) {
    return invalid_argument(
        "image manifest: neither an OCI nor a Docker schema 2 image manifest (schemaVersion " +
        std::to_string(version) + ", mediaType \"" + media_type + "\")");
  }
  auto config = j.find("config");
  if (config == j.end()) return invalid_argument("image manifest: field \"config\" is missing");
  IGNITE_ASSIGN_OR_RETURN(Descriptor config_d,
                          descriptor_from_json(*config, "image manifest: config"));
  ImageManifest m{std::move(config_d),
                  {},
                  {},
                  std::string(docker ? kMediaTypeDockerManifest : kMediaTypeManifest)};
  auto layers = j.find("layers");
  if (layers == j.end() || !layers->is_array()) {
    return invalid_argument("image manifest: field \"layers\" is missing or not an array");
  }
  for (std::size_t i = 0; i < layers->size(); ++i) {
    IGNITE_ASSIGN_OR_RETURN(
        Descriptor d,
        descriptor_from_json((*layers)[i], "image manifest: layer " + std::to_string(i)));
    m.layers.push_back(std::move(d));
  }
  IGNITE_ASSIGN_OR_RETURN(m.annotations, json_optional_string_map(j, "annotations", kWhat));
  return m;
}

std::string_view layer_media_type_as_oci(std::string_view media_type) {
  if (media_type == kMediaTypeDockerLayerGzip) return kMediaTypeLayerGzip;
  return media_type;
}

Result<std::vector<Descriptor>> parse_index_manifests(std::string_view bytes) {
  IGNITE_ASSIGN_OR_RETURN(Json j, parse_json_object(bytes, "image index"));
  return index_manifests(j);
}

Result<std::vector<Descriptor>> index_manifests(const Json& j) {
  constexpr std::string_view kWhat = "image index";
  IGNITE_ASSIGN_OR_RETURN(std::int64_t version, json_int(j, "schemaVersion", kWhat));
  if (version != 2) {
    return invalid_argument("image index: schemaVersion " + std::to_string(version) + ", not 2");
  }
  std::vector<Descriptor> out;
  auto manifests = j.find("manifests");
  if (manifests == j.end() || manifests->is_null()) return out;
  if (!manifests->is_array()) return invalid_argument("image index: \"manifests\" is not an array");
  for (std::size_t i = 0; i < manifests->size(); ++i) {
    IGNITE_ASSIGN_OR_RETURN(
        Descriptor d,
        descriptor_from_json((*manifests)[i], "image index: manifest " + std::to_string(i)));
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace ignite::oci
