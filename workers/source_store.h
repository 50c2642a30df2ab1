// Draft sources kept for the builds that the queue runs: the bytes a submitter handed over (one
// file, or an archive), by their sha256, written and synced before the build is queued, so that
// a worker on any process of the machine finds them (and a crash loses no accepted build):
//   <store>/sources/sha256/<hex>
#pragma once

#include <string>
#include <string_view>

#include "builder/util/status.h"

namespace ignite::workers {

class SourceStore {
 public:
  explicit SourceStore(std::string store_dir) : dir_(std::move(store_dir) + "/sources/sha256") {}

  // Keeps `bytes` (synced, renamed into place) and returns "sha256:<hex>". Idempotent.
  Result<std::string> put(std::string_view bytes) const;
  // The file holding the source `digest` ("sha256:<hex>"); INVALID_ARGUMENT for another form,
  // NOT_FOUND when it is not kept here.
  Result<std::string> path(std::string_view digest) const;

 private:
  std::string dir_;
};

}  // namespace ignite::workers
