// Locking a source's dependencies: what `ignite-builder lock` and a build run.
//
// 1. A pylock.toml at the source root is read, checked (pylock.h; every package whose
//    marker holds for the target must have a wheel that fits) and used as it is: its
//    bytes are the lock, and no index is asked.
// 2. Otherwise requirements.txt at the root is read as pip reads it (builder/python's
//    requirements-file reader, includes and options), its sources combined with the
//    command line's as pip combines them (plan_sources), and the lock cache consulted
//    (lock_cache.h) unless Refresh::kYes.
// 3. On a miss, the requirements are resolved (builder/resolve) against every source
//    together (multi_source.h) for the target, the lock written canonically and cached.
// No requirements.txt and no pylock.toml: an empty lock (a function without dependencies).
//
// Credentials in index URLs (command line or requirements file) reach only the HTTP
// client; the lock, the cache key, the outcome and every error are free of them.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "builder/index/pylock.h"
#include "builder/net/host_credentials.h"
#include "builder/python/environment.h"
#include "builder/python/platform_tags.h"
#include "builder/python/requirements_file.h"
#include "builder/util/status.h"

namespace ignite::index {

inline constexpr std::string_view kDefaultIndexUrl = "https://pypi.org/simple/";

// The command line's sources (pip's options of the same names).
struct SourceOptions {
  std::optional<std::string> index_url;  // nullopt: kDefaultIndexUrl
  std::vector<std::string> extra_index_urls;
  std::vector<std::string> find_links;  // directories, or http(s) URLs of link pages
  bool no_index = false;
};

// The sources in use after the requirements file's options are applied, as pip applies
// them: --no-index anywhere drops every index; a file's --index-url replaces the index
// list (the command line's extra indexes too), its --extra-index-url entries are added;
// find-links from both are used. URLs here may hold credentials.
struct SourcePlan {
  std::vector<std::string> index_urls;
  std::vector<std::string> find_links;
};
SourcePlan plan_sources(const SourceOptions& options, const python::AcceptedRequirements& file);

enum class Refresh { kNo, kYes };

struct LockRequest {
  SourceOptions sources;
  Refresh refresh = Refresh::kNo;
  std::string cache_dir;  // "" : default_cache_dir()
  python::PythonTarget target;
  python::Environment environment = python::Environment::target_default();
  std::string netrc_file;                   // "" : $HOME/.netrc
  python::RequirementsVariables variables;  // ${NAME} values for the requirements files
  // A lock to take as it is when the source has requirements.txt or pylock.toml: nothing is
  // read from them, resolved or cached (verify --rebuild gives a version's recorded lock, so
  // that the rebuild installs what the version did, not what an index offers today). Its
  // wheels must still fit the target. Without requirements in the source it is not used.
  std::optional<std::string> given_lock;
};

enum class LockOrigin { kResolved, kCached, kSourceLock, kGiven, kNoRequirements };
std::string_view lock_origin_name(LockOrigin origin);  // "resolved", "cached", ...

struct LockOutcome {
  Lock lock;
  std::string bytes;      // the pylock.toml
  std::string lock_hash;  // "sha256:<hex of bytes>"
  LockOrigin origin = LockOrigin::kResolved;
  std::string key;      // the lock cache key; "" for a source's own pylock.toml
  std::string sources;  // what was asked (or would have been), credential-free
  std::vector<std::string> warnings;
  std::size_t http_requests = 0;
  // The credentials of the index and find-links URLs in use, for fetching the lock's wheels
  // later; never printed or written anywhere.
  net::HostCredentials credentials;
};

Result<LockOutcome> lock_requirements(const python::RequirementsFileSource& source,
                                      const LockRequest& request);

}  // namespace ignite::index
