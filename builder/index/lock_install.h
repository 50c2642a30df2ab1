// What a lock installs on a target, and getting those wheels' bytes, checked against the lock
// before anything is unpacked:
//
//   install_set(lock)  the packages whose marker holds on the target, each with the wheel that
//                      fits it best (select_locked_wheel), in the lock's (name) order
//   fetch_locked_wheel the wheel in the content cache by its sha256: taken from the cache when
//                      present (its bytes are re-hashed on the way), else read from the lock's
//                      path or downloaded from its url, hashed, and kept only when the hash is
//                      the lock's
#pragma once

#include <string>
#include <vector>

#include "builder/index/content_cache.h"
#include "builder/index/http_client.h"
#include "builder/index/pylock.h"
#include "builder/python/environment.h"
#include "builder/python/platform_tags.h"
#include "builder/python/wheel_selection.h"
#include "builder/util/status.h"

namespace ignite::index {

struct InstallItem {
  const LockedPackage* package;
  const LockedWheel* wheel;
  // A top-level requirement (a "requested: ..." reason), which gets a REQUESTED file as pip
  // gives one to what the user named.
  bool requested = false;
};

// FAILED_PRECONDITION naming the package when no wheel of it fits the target; INVALID_ARGUMENT
// when a package's marker cannot be read.
Result<std::vector<InstallItem>> install_set(const Lock& lock, const python::Environment& env,
                                             const python::TagPriority& tags);
// The same for a target: its wheel tags in priority order (python::target_tags). The build,
// the SBOM and verify all ask this way, so that they agree on what a lock installs.
Result<std::vector<InstallItem>> install_set_for(const Lock& lock,
                                                 const python::PythonTarget& target,
                                                 const python::Environment& env);

// The path of the wheel's bytes in `cache`. DATA_LOSS "<package> <version>: <wheel>: sha256
// mismatch: the lock has <a>, the file has <b>" (nothing is kept); NOT_FOUND naming the package
// and the path or URL when the wheel is not there; HTTP errors as http_status_error says.
// `http` may be null when the lock holds no URL (only paths).
Result<std::string> fetch_locked_wheel(const ContentCache& cache, HttpClient* http,
                                       const LockedPackage& package, const LockedWheel& wheel);

}  // namespace ignite::index
