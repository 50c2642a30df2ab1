// A PackageSource (builder/resolve/package_source.h) that can also hand over the wheel
// of a candidate it produced: the lock needs every wheel's sha256, and an index may not
// list one; the installer needs the bytes.
#pragma once

#include <string>

#include "builder/resolve/package_source.h"
#include "builder/util/status.h"

namespace ignite::index {

struct LocalWheel {
  std::string path;    // a file on local disk (in the find-links directory or the cache)
  std::string sha256;  // of its bytes, checked
};

class WheelSource : public resolve::PackageSource {
 public:
  // The candidate's wheel on disk, its bytes checked against every hash the source knows
  // (DATA_LOSS naming the file, the expected and the actual digest on a mismatch).
  virtual Result<LocalWheel> fetch(const resolve::Candidate& candidate) = 0;

  // The index URL the candidate came from (no credentials), or "" when not from an index.
  virtual std::string index_of(const resolve::Candidate& candidate) const = 0;
};

}  // namespace ignite::index
