// A git source: a repository URL, a ref in it and a directory of its tree to build
// (docs/git-sources.md). A plain value, checked before anything is fetched.
#pragma once

#include <string>
#include <string_view>

#include "builder/util/status.h"

namespace ignite::git {

struct GitSource {
  // file://, git://, http:// or https://. May carry credentials (https://user:token@host/...):
  // they are used to fetch and never shown; display_url() is the form messages and records use.
  std::string url;
  // A branch or tag name, a full refname (refs/heads/x, refs/tags/y), "HEAD", or a commit id
  // (7 to 40 hex digits).
  std::string ref;
  // The directory of the commit's tree to build, relative ("functions/greet"); "" or "." is the
  // root.
  std::string subdir;
};

// INVALID_ARGUMENT naming the field and the reason when `source` cannot be fetched as given:
// an empty or unsupported URL (ssh://, scp-like "host:path", ext::, a plain path: each with a
// hint), an empty or malformed ref, a subdir that is absolute or has a "..", "." or empty
// component.
Status validate_git_source(const GitSource& source);

// The URL without userinfo, query or fragment: what messages and recorded inputs show.
std::string display_url(std::string_view url);

// `subdir` as the checkout uses it: "" for the root, else the components joined by '/' (a
// trailing '/' dropped). Only meaningful for a validated source.
std::string normalized_subdir(std::string_view subdir);

// Whether `ref` is read as a commit id when no branch or tag has that name: 7 to 40 lowercase
// or uppercase hex digits.
bool looks_like_commit_id(std::string_view ref);

}  // namespace ignite::git
