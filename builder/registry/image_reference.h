// Names in a distribution registry: the registry host, repository names, tags, and image
// references "HOST[:PORT]/REPOSITORY[:TAG][@DIGEST]" (the docker:// transport's syntax).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "builder/util/digest.h"
#include "builder/util/status.h"

namespace ignite::registry {

// Docker Hub's names: references without a registry mean it; its API is on another host.
inline constexpr std::string_view kDockerHub = "docker.io";
inline constexpr std::string_view kDockerHubApiHost = "registry-1.docker.io";

// HOST[:PORT]: a DNS name or IPv4 address, or an IPv6 address in brackets ("[::1]:5000").
Status validate_registry_host(std::string_view registry);

// The distribution spec's repository grammar, at most 255 bytes:
//   component ("/" component)*,  component ::= [a-z0-9]+ (([._]|__|-+) [a-z0-9]+)*
Status validate_repository(std::string_view repository);

// [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
Status validate_tag(std::string_view tag);

// True for "localhost", 127.0.0.0/8 and [::1], with or without a port: hosts on this machine,
// the only ones plain HTTP goes to unless the caller allows it explicitly.
bool is_loopback_registry(std::string_view registry);

// The host part of "HOST[:PORT]" ("[::1]" for "[::1]:5000").
std::string_view registry_hostname(std::string_view registry);

struct ImageReference {
  std::string registry;    // "127.0.0.1:5000", "docker.io"
  std::string repository;  // "acme-corp/greet", "library/python"
  std::string tag;         // "" when only a digest was given
  std::optional<Digest> digest;

  // "[docker://]HOST[:PORT]/REPO[:TAG][@sha256:HEX]". A first component without '.' or ':'
  // that is not "localhost" is a Docker Hub path ("python" is docker.io/library/python).
  // Neither tag nor digest means tag "latest".
  static Result<ImageReference> parse(std::string_view text);

  // What goes into /v2/<repository>/manifests/<reference>: the digest when there is one.
  std::string reference() const;
  // "HOST/REPO:TAG", "HOST/REPO@DIGEST" or "HOST/REPO:TAG@DIGEST".
  std::string to_string() const;
};

}  // namespace ignite::registry
