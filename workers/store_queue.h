// The build queue of a store, as the command line, the service and the workers reach it: the
// queue in the store's database (its ignite.db, or PostgreSQL: store::StoreBackend), one
// connection per caller, and submitting a draft.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "builder/git/git_source.h"
#include "builder/store/build_queue.h"
#include "builder/store/store_backend.h"
#include "builder/util/status.h"

namespace ignite::workers {

// The store's queue, on a connection of its own.
Result<std::unique_ptr<store::BuildQueue>> open_store_queue(const store::StoreBackend& store);

// Opens such a queue on each call: for a thread that needs its own connection (a heartbeat).
std::function<Result<std::unique_ptr<store::BuildQueue>>()> store_queue_opener(
    store::StoreBackend store);

// A draft handed over as bytes (one file, or an archive): checked (intake and codeHash) before
// anything is kept, then the store made when it is new, the bytes kept (SourceStore, synced) and
// the build queued. A refused
// draft leaves nothing behind; an accepted one is durable when this returns.
Result<store::BuildRecord> submit_draft(const store::StoreBackend& store, const store::AppId& app,
                                        std::string_view source_bytes,
                                        store::BuildPriority priority,
                                        const store::SubmitOptions& options);
// The same on a store that exists, with a queue the caller keeps (a server's connection).
Result<store::BuildRecord> submit_draft(const store::StoreBackend& store, store::BuildQueue& queue,
                                        const store::AppId& app, std::string_view source_bytes,
                                        store::BuildPriority priority,
                                        const store::SubmitOptions& options);

// A build of a git repository's ref (docs/git-sources.md): the request checked (URL scheme,
// ref, subdir; INVALID_ARGUMENT), kept as a small document in the SourceStore, and queued as a
// SourceKind::kGit build with no codeHash yet. A worker fetches it; nothing is fetched here.
Result<store::BuildRecord> submit_git(const store::StoreBackend& store, store::BuildQueue& queue,
                                      const store::AppId& app, const git::GitSource& source,
                                      store::BuildPriority priority, store::SubmitOptions options);

}  // namespace ignite::workers
