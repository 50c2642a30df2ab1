#include "builder/registry/manifest_content.h"

#include <nlohmann/json.hpp>

#include "builder/oci/media_types.h"

namespace ignite::registry {
namespace {

using Json = nlohmann::json;

Result<oci::Descriptor> parse_descriptor(const Json& j, const std::string& what) {
  if (!j.is_object()) return invalid_argument(what + " is not an object");
  auto text = [&](const char* key) -> Result<std::string> {
    auto it = j.find(key);
    if (it == j.end() || !it->is_string()) {
      return invalid_argument(what + " has no string \"" + key + "\"");
    }
    return it->get<std::string>();
  };
  IGNITE_ASSIGN_OR_RETURN(std::string media_type, text("mediaType"));
  IGNITE_ASSIGN_OR_RETURN(std::string digest_text, text("digest"));
  auto digest = Digest::parse(digest_text);
  if (!digest.ok()) return digest.status().with_context(what);
  auto size = j.find("size");
  if (size == j.end() || !size->is_number_integer() || size->get<std::int64_t>() < 0) {
    return invalid_argument(what + " has no non-negative integer \"size\"");
  }
  oci::Descriptor d{std::move(media_type), *digest, size->get<std::int64_t>(), {}, {}};
  if (auto p = j.find("platform"); p != j.end() && p->is_object()) {
    oci::Platform platform;
    platform.architecture = p->value("architecture", std::string());
    platform.os = p->value("os", std::string());
    platform.variant = p->value("variant", std::string());
    d.platform = platform;
  }
  return d;
}

Result<std::vector<oci::Descriptor>> parse_list(const Json& doc, const char* key,
                                                const std::string& what) {
  auto it = doc.find(key);
  if (it == doc.end() || !it->is_array()) {
    return invalid_argument(what + " has no \"" + key + "\" array");
  }
  std::vector<oci::Descriptor> out;
  for (std::size_t i = 0; i < it->size(); ++i) {
    IGNITE_ASSIGN_OR_RETURN(
        oci::Descriptor d,
        parse_descriptor((*it)[i], what + ": " + key + "[" + std::to_string(i) + "]"));
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace

Result<ManifestContent> parse_manifest_content(std::string_view bytes,
                                               std::string_view media_type) {
  const std::string what = "manifest " + Digest::of(bytes).to_string();
  const Json doc = Json::parse(bytes.begin(), bytes.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object())
    return invalid_argument(what + " is not a JSON object");
  if (auto v = doc.find("schemaVersion"); v != doc.end() && *v == 1) {
    return unimplemented(what +
                         " is a Docker schema 1 manifest, which is not supported "
                         "(convert it: skopeo copy --format v2s2)");
  }
  ManifestContent content;
  if (auto mt = doc.find("mediaType"); mt != doc.end() && mt->is_string()) {
    content.media_type = mt->get<std::string>();
  } else if (!media_type.empty()) {
    content.media_type = std::string(media_type);
  } else {
    content.media_type =
        std::string(doc.contains("manifests") ? oci::kMediaTypeIndex : oci::kMediaTypeManifest);
  }
  const std::string& t = content.media_type;
  if (t == oci::kMediaTypeIndex || t == oci::kMediaTypeDockerManifestList) {
    content.is_index = true;
    IGNITE_ASSIGN_OR_RETURN(content.manifests, parse_list(doc, "manifests", what));
    return content;
  }
  if (t != oci::kMediaTypeManifest && t != oci::kMediaTypeDockerManifest) {
    return unimplemented(what + " has media type \"" + t +
                         "\", which is not an image manifest "
                         "or index this client copies");
  }
  auto config = doc.find("config");
  if (config == doc.end()) return invalid_argument(what + " has no \"config\"");
  IGNITE_ASSIGN_OR_RETURN(oci::Descriptor config_descriptor,
                          parse_descriptor(*config, what + ": config"));
  content.blobs.push_back(std::move(config_descriptor));
  IGNITE_ASSIGN_OR_RETURN(std::vector<oci::Descriptor> layers, parse_list(doc, "layers", what));
  for (auto& l : layers) content.blobs.push_back(std::move(l));
  return content;
}

bool is_foreign_layer(std::string_view media_type) {
  return media_type.find(".foreign.") != std::string_view::npos ||
         media_type.find("nondistributable") != std::string_view::npos;
}

Result<oci::Descriptor> select_linux_amd64(const ManifestContent& index) {
  std::string seen;
  for (const oci::Descriptor& d : index.manifests) {
    if (d.platform && d.platform->os == oci::kOs &&
        d.platform->architecture == oci::kArchitecture) {
      return d;
    }
    seen += seen.empty() ? "" : ", ";
    seen += d.platform ? d.platform->os + "/" + d.platform->architecture : "(no platform)";
  }
  return not_found("the image index has no linux/amd64 manifest (it has: " +
                   (seen.empty() ? std::string("nothing") : seen) + ")");
}

}  // namespace ignite::registry
