// Each request thread's own connections to a store's database, opened on the thread's first
// request and kept for the next ones: a connection (SQLite's or PostgreSQL's) serves one thread
// at a time, and opening one (the WAL switch, the schema checks, a TCP handshake) costs more than
// most requests do. The threads are the servers' own (httplib's pool, gRPC's), so the connections
// last as long as the server.
#pragma once

#include "builder/store/app_catalog.h"
#include "builder/store/build_queue.h"
#include "builder/store/store_backend.h"
#include "builder/store/version_store.h"
#include "builder/util/status.h"

namespace ignite::service {

// This thread's connection to the store's queue.
Result<store::BuildQueue*> thread_queue(const store::StoreBackend& store);
// This thread's connection to the store's versions (opened with Database::Create::kNo: a
// SQLite store no build has used yet has no versions to read).
Result<store::VersionStore*> thread_versions(const store::StoreBackend& store);
// This thread's connection to the store's app catalog.
Result<store::AppCatalog*> thread_catalog(const store::StoreBackend& store);

}  // namespace ignite::service
