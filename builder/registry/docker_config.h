// The credentials part of docker's client configuration, ~/.docker/config.json:
//
//   {"auths": {"HOST[:PORT]": {"auth": base64("USER:PASSWORD")}, ...},
//    "credHelpers": {"HOST[:PORT]": "NAME", ...},   // run docker-credential-NAME for HOST
//    "credsStore": "NAME"}                          // ... for every other host
//
// A registry's credentials come from its credHelpers entry, else credsStore, else auths
// (docker's order). "auths" keys may carry a scheme and a path ("https://HOST/v1/"); they are
// compared by host. Entries with "username" and "password" instead of "auth" are read too;
// an "identitytoken" (an OAuth refresh token) is not supported and says so.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "builder/registry/credentials.h"
#include "builder/util/status.h"

namespace ignite::registry {

class DockerConfig {
 public:
  // An empty configuration when `path` does not exist.
  static Result<DockerConfig> load(const std::string& path);
  // INVALID_ARGUMENT when `json` is not a configuration. Messages never quote the file: it
  // holds secrets.
  static Result<DockerConfig> parse(std::string_view json, std::string path);

  const std::string& path() const { return path_; }

  // The credential helper for `registry` ("" when none): credHelpers, else credsStore.
  std::string helper_for(std::string_view registry) const;

  // The "auths" entry for `registry`; nullopt when there is none. FAILED_PRECONDITION when it
  // holds only an identity token or an "auth" that is not base64 of "USER:PASSWORD".
  Result<std::optional<Credentials>> stored_for(std::string_view registry) const;

 private:
  struct StoredAuth {
    std::string auth;  // base64, as written
    std::string username, password;
    bool identity_token = false;
  };
  explicit DockerConfig(std::string path) : path_(std::move(path)) {}

  std::string path_;
  std::map<std::string, StoredAuth> auths_;  // by host[:port]
  std::map<std::string, std::string> cred_helpers_;
  std::string creds_store_;
};

// $DOCKER_CONFIG/config.json, else $HOME/.docker/config.json; "" when neither is set.
std::string default_docker_config_path();

// The key docker uses for `registry` in the configuration and with helpers: the host itself,
// or "https://index.docker.io/v1/" for Docker Hub.
std::string docker_config_key(std::string_view registry);

// The credentials for `registry` following `config`; nullopt when it has none (anonymous).
Result<std::optional<FoundCredentials>> find_credentials(const DockerConfig& config,
                                                         std::string_view registry);

}  // namespace ignite::registry
