#include "builder/registry/docker_config.h"

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "builder/registry/credential_helper.h"
#include "builder/registry/image_reference.h"
#include "builder/util/base64.h"
#include "builder/util/file_io.h"

namespace ignite::registry {
namespace {

using Json = nlohmann::json;

// "https://HOST:PORT/v1/" -> "HOST:PORT".
std::string host_of_key(std::string_view key) {
  if (const std::size_t scheme = key.find("://"); scheme != std::string_view::npos) {
    key.remove_prefix(scheme + 3);
  }
  return std::string(key.substr(0, key.find('/')));
}

Status field_error(const std::string& path, const std::string& field, std::string_view want) {
  return invalid_argument("reading docker configuration " + path + ": \"" + field + "\" is not " +
                          std::string(want));
}

}  // namespace

std::string default_docker_config_path() {
  if (const char* dir = std::getenv("DOCKER_CONFIG"); dir != nullptr && *dir != '\0') {
    return std::string(dir) + "/config.json";
  }
  if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
    return std::string(home) + "/.docker/config.json";
  }
  return "";
}

std::string docker_config_key(std::string_view registry) {
  if (registry == kDockerHub || registry == kDockerHubApiHost || registry == "index.docker.io") {
    return "https://index.docker.io/v1/";
  }
  return std::string(registry);
}

Result<DockerConfig> DockerConfig::load(const std::string& path) {
  std::error_code ec;
  if (path.empty() || !std::filesystem::exists(path, ec)) return DockerConfig(path);
  IGNITE_ASSIGN_OR_RETURN(std::string bytes, read_file(path));
  return parse(bytes, path);
}

Result<DockerConfig> DockerConfig::parse(std::string_view json, std::string path) {
  // Parsed without exceptions; a parse error's text would quote the file, secrets included.
  const Json doc = Json::parse(json.begin(), json.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) {
    return invalid_argument("reading docker configuration " + path +
                            ": not a JSON object (contents not shown: they may hold secrets)");
  }
  DockerConfig config(std::move(path));
  if (auto it = doc.find("auths"); it != doc.end() && !it->is_null()) {
    if (!it->is_object()) return field_error(config.path_, "auths", "an object");
    for (const auto& item : it->items()) {
      const std::string& key = item.key();
      const Json& entry = item.value();
      if (!entry.is_object()) return field_error(config.path_, "auths." + key, "an object");
      StoredAuth stored;
      auto string_field = [&](const char* name, std::string& out) -> Status {
        auto f = entry.find(name);
        if (f == entry.end() || f->is_null()) return ok_status();
        if (!f->is_string())
          return field_error(config.path_, "auths." + key + "." + name, "a string");
        out = f->get<std::string>();
        return ok_status();
      };
      std::string identity;
      IGNITE_RETURN_IF_ERROR(string_field("auth", stored.auth));
      IGNITE_RETURN_IF_ERROR(string_field("username", stored.username));
      IGNITE_RETURN_IF_ERROR(string_field("password", stored.password));
      IGNITE_RETURN_IF_ERROR(string_field("identitytoken", identity));
      stored.identity_token = !identity.empty();
      config.auths_[host_of_key(key)] = std::move(stored);
    }
  }
  if (auto it = doc.find("credHelpers"); it != doc.end() && !it->is_null()) {
    if (!it->is_object()) return field_error(config.path_, "credHelpers", "an object");
    for (const auto& [key, helper] : it->items()) {
      if (!helper.is_string()) return field_error(config.path_, "credHelpers." + key, "a string");
      config.cred_helpers_[host_of_key(key)] = helper.get<std::string>();
    }
  }
  if (auto it = doc.find("credsStore"); it != doc.end() && !it->is_null()) {
    if (!it->is_string()) return field_error(config.path_, "credsStore", "a string");
    config.creds_store_ = it->get<std::string>();
  }
  return config;
}

std::string DockerConfig::helper_for(std::string_view registry) const {
  auto it = cred_helpers_.find(host_of_key(docker_config_key(registry)));
  if (it != cred_helpers_.end()) return it->second;
  return creds_store_;
}

Result<std::optional<Credentials>> DockerConfig::stored_for(std::string_view registry) const {
  auto it = auths_.find(host_of_key(docker_config_key(registry)));
  if (it == auths_.end()) return std::optional<Credentials>();
  const StoredAuth& stored = it->second;
  const std::string where = "the auths entry for " + std::string(registry) + " in " + path_;
  if (!stored.auth.empty()) {
    std::optional<std::string> decoded = base64_decode(stored.auth);
    const std::size_t colon = decoded ? decoded->find(':') : std::string::npos;
    if (colon == std::string::npos) {
      return failed_precondition(where + ": \"auth\" is not base64 of USER:PASSWORD");
    }
    return std::optional<Credentials>(
        Credentials{decoded->substr(0, colon), decoded->substr(colon + 1)});
  }
  if (!stored.username.empty()) {
    return std::optional<Credentials>(Credentials{stored.username, stored.password});
  }
  if (stored.identity_token) {
    return failed_precondition(where +
                               " holds only an identitytoken (OAuth refresh token), which "
                               "ignite-builder does not support; log in with a password or token");
  }
  return std::optional<Credentials>();
}

Result<std::optional<FoundCredentials>> find_credentials(const DockerConfig& config,
                                                         std::string_view registry) {
  const std::string helper = config.helper_for(registry);
  if (!helper.empty()) {
    Result<Credentials> got = run_credential_helper(helper, docker_config_key(registry));
    if (got.ok()) {
      return std::optional<FoundCredentials>(FoundCredentials{
          std::move(got).value(), "credential helper docker-credential-" + helper});
    }
    if (got.status().code() != Code::kNotFound) return got.status();
    // The helper knows nothing of this registry: go on as docker does, anonymously, unless
    // auths has an entry.
  }
  IGNITE_ASSIGN_OR_RETURN(std::optional<Credentials> stored, config.stored_for(registry));
  if (!stored) return std::optional<FoundCredentials>();
  return std::optional<FoundCredentials>(
      FoundCredentials{std::move(*stored), "auths in " + config.path()});
}

}  // namespace ignite::registry
