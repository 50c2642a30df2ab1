// --store DIR and --database URL, shared by the commands that use a store.
#pragma once

#include <cstdlib>
#include <string>

#include "builder/store/store_backend.h"
#include "builder/store/store_location.h"
#include "src/cli/args.h"

namespace ignite::cli {

inline const FlagSpec kStoreFlag{"--store", "", true};
// The commands a node of a shared deployment runs (serve, worker, submit, builds, cancel,
// versions) also take --database (docs/deploy.md).
inline const FlagSpec kDatabaseFlag{"--database", "", true};

inline const std::string kDatabaseUsage =
    "  --database URL  keep the store's records in PostgreSQL (postgres://USER@HOST[:PORT]/DB;\n"
    "             also $IGNITE_DATABASE) instead of DIR/ignite.db, shared by every node; the\n"
    "             store directory then holds only this node's caches (docs/deploy.md)\n";

inline std::string store_dir(const Args& args) {
  return args.value_or("--store", store::default_store_dir());
}

// The store the command uses: --store's directory (or the default one), with its records in
// --database, else $IGNITE_DATABASE, else the directory's own SQLite file. INVALID_ARGUMENT for
// a database that is not a postgres:// URL.
inline Result<store::StoreBackend> store_backend(const Args& args) {
  const char* env = std::getenv("IGNITE_DATABASE");
  return store::StoreBackend::make(store_dir(args),
                                   args.value_or("--database", env != nullptr ? env : ""));
}

}  // namespace ignite::cli
