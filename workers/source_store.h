// Draft sources kept for the builds that the queue runs: the bytes a submitter handed over (one
// file, or an archive), by their sha256, written and synced before the build is queued, so that
// a worker finds them (and a crash loses no accepted build):
//   <store>/sources/sha256/<hex>
// On a PostgreSQL store (store::StoreBackend) the bytes are kept in the database's `sources`
// table instead, since nodes share no disk; the files are then this node's cache of them, made
// on first use and checked against their digest.
#pragma once

#include <string>
#include <string_view>

#include "builder/store/store_backend.h"
#include "builder/util/status.h"

namespace ignite::store {
class PgSourceStore;
}

namespace ignite::workers {

// On a PostgreSQL store each thread keeps one connection, made on first use.
class SourceStore {
 public:
  explicit SourceStore(store::StoreBackend backend);

  // Keeps `bytes` and returns "sha256:<hex>". Idempotent. Durable when it returns: synced and
  // renamed into place, or committed to PostgreSQL.
  Result<std::string> put(std::string_view bytes) const;
  // A file holding the source `digest` ("sha256:<hex>"); INVALID_ARGUMENT for another form,
  // NOT_FOUND when the store does not keep it, DATA_LOSS when what it keeps has another digest.
  Result<std::string> path(std::string_view digest) const;

 private:
  Result<store::PgSourceStore*> database() const;

  store::StoreBackend backend_;
  std::string dir_;
};

}  // namespace ignite::workers
