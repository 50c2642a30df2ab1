// Each request thread's own connections to a store's database, opened on the thread's first
// request and kept for the next ones: a SQLite connection serves one thread at a time, and
// opening one (the WAL switch, the schema checks) costs more than most requests do. The threads
// are the servers' own (httplib's pool, gRPC's), so the connections last as long as the server.
#pragma once

#include <string>

#include "builder/store/sqlite_app_catalog.h"
#include "builder/store/sqlite_build_queue.h"
#include "builder/util/status.h"

namespace ignite::service {

// This thread's queue on `store_dir`/ignite.db.
Result<store::SqliteBuildQueue*> thread_queue(const std::string& store_dir);
// This thread's app catalog on `store_dir`/ignite.db.
Result<store::SqliteAppCatalog*> thread_catalog(const std::string& store_dir);

}  // namespace ignite::service
