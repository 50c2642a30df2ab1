#include "workers/store_queue.h"

#include "builder/pipeline/function_store.h"
#include "builder/source/code_hash.h"
#include "builder/source/intake.h"
#include "workers/git_build_source.h"
#include "workers/source_store.h"

namespace ignite::workers {
namespace {

// A draft already read (intake done once): its bytes kept, then its build queued.
Result<store::BuildRecord> keep_and_queue(const store::StoreBackend& store, store::BuildQueue& queue,
                                          const store::AppId& app, std::string_view source_bytes,
                                          const SourceTree& tree, store::BuildPriority priority,
                                          const store::SubmitOptions& options) {
  IGNITE_ASSIGN_OR_RETURN(std::string digest, SourceStore(store).put(source_bytes));
  return queue.submit(app, digest, code_hash(tree).to_string(), priority, options);
}

}  // namespace

Result<std::unique_ptr<store::BuildQueue>> open_store_queue(const store::StoreBackend& store) {
  return store.open_queue();
}

std::function<Result<std::unique_ptr<store::BuildQueue>>()> store_queue_opener(
    store::StoreBackend store) {
  return [store = std::move(store)] { return open_store_queue(store); };
}

Result<store::BuildRecord> submit_draft(const store::StoreBackend& store, const store::AppId& app,
                                        std::string_view source_bytes,
                                        store::BuildPriority priority,
                                        const store::SubmitOptions& options) {
  // Checked first: only an accepted draft makes the store (a first submit may be its first use).
  IGNITE_ASSIGN_OR_RETURN(SourceTree tree, read_source_bytes(source_bytes, IntakeOptions{}));
  IGNITE_RETURN_IF_ERROR(
      pipeline::FunctionStore::open(store, pipeline::OpenStore::kCreateIfMissing).status());
  IGNITE_ASSIGN_OR_RETURN(std::unique_ptr<store::BuildQueue> queue, open_store_queue(store));
  return keep_and_queue(store, *queue, app, source_bytes, tree, priority, options);
}

Result<store::BuildRecord> submit_draft(const store::StoreBackend& store, store::BuildQueue& queue,
                                        const store::AppId& app, std::string_view source_bytes,
                                        store::BuildPriority priority,
                                        const store::SubmitOptions& options) {
  IGNITE_ASSIGN_OR_RETURN(SourceTree tree, read_source_bytes(source_bytes, IntakeOptions{}));
  return keep_and_queue(store, queue, app, source_bytes, tree, priority, options);
}

Result<store::BuildRecord> submit_git(const store::StoreBackend& store, store::BuildQueue& queue,
                                      const store::AppId& app, const git::GitSource& source,
                                      store::BuildPriority priority, store::SubmitOptions options) {
  IGNITE_RETURN_IF_ERROR(git::validate_git_source(source));
  IGNITE_ASSIGN_OR_RETURN(std::string digest,
                          SourceStore(store).put(git_source_document(source)));
  options.source_kind = store::SourceKind::kGit;
  return queue.submit(app, digest, "", priority, options);
}

}  // namespace ignite::workers
