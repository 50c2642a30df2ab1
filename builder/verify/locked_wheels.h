// A lock's wheels gathered for verify's re-install (docs/verify.md, "The dependency layer"):
// each looked for in a fixed order and taken from the first place whose bytes hash to the lock's
// sha256, into a content cache of the caller's (a scratch store's), never the store's own.
//
//   1. the store's wheel cache   <store>/cache/blobs/sha256/<lock's sha256> (content_cache.h),
//                                read and hashed here; a file there with other bytes is refused
//                                and left as it is (the store is never written)
//   2. --find-links DIR          DIR/<the lock's wheel file name>, each DIR in order
//   3. --index-url URL           the file of that name on the package's page of the index
//                                (PEP 503/691), each URL in order
//   4. the lock's own location   its `path`, or its `url`
//
// The sha256 is the authority: where a wheel comes from never changes what is installed, so
// the order only says what is asked first (local before network, the auditor's sources before
// the lock's). A wheel none of them has is reported with every place looked in and why.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "builder/index/content_cache.h"
#include "builder/index/lock_install.h"
#include "builder/pipeline/progress.h"
#include "builder/util/status.h"

namespace ignite::verify {

struct WheelSources {
  std::string store_cache_dir;          // the store's content cache (read only)
  std::vector<std::string> find_links;  // directories
  std::vector<std::string> index_urls;  // PEP 503/691 indexes; may hold "user:token@"
};

struct GatheredWheels {
  // Where the wheels came from ("the store's wheel cache", "find-links /w", "index
  // https://host/simple/", "the lock's path", "the lock's url") and how many from each.
  std::map<std::string, std::size_t> origins;
  // One line per wheel none of the sources had: "six 1.17.0: six-1.17.0-py2.py3-none-any.whl
  // (sha256 <hex>) was looked for in: the store's wheel cache (not there); ...".
  std::vector<std::string> missing;
};

// Puts the wheel of every item into `into` (its bytes checked against the lock's sha256 first).
// A wheel that cannot be had is a line of `missing`, not an error; an error is only a failure
// to write `into`.
// "2 of the lock's 3 wheels could not be had: <missing lines> (--find-links DIR or --index-url
// URL may give them)": the reason a check that needs them is UNVERIFIABLE.
std::string missing_wheels_text(const GatheredWheels& gathered, std::size_t wheels);
// "2 from the store's wheel cache, 1 from find-links /w": where the wheels came from.
std::string wheel_origins_text(const GatheredWheels& gathered);

Result<GatheredWheels> gather_locked_wheels(const std::vector<index::InstallItem>& items,
                                            const WheelSources& sources,
                                            const index::ContentCache& into,
                                            pipeline::Progress& progress);

}  // namespace ignite::verify
