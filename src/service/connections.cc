#include "src/service/connections.h"

#include <map>
#include <memory>

#include "workers/store_queue.h"

namespace ignite::service {
namespace {

// Opens on first use, keeps what opened; a failed open is tried again on the next request.
template <typename T, typename Open>
Result<T*> cached(std::map<std::string, std::unique_ptr<T>>& cache, const std::string& key,
                  Open open) {
  auto found = cache.find(key);
  if (found != cache.end()) return found->second.get();
  IGNITE_ASSIGN_OR_RETURN(T opened, open());
  auto [it, inserted] = cache.emplace(key, std::make_unique<T>(std::move(opened)));
  (void)inserted;
  return it->second.get();
}

}  // namespace

Result<store::SqliteBuildQueue*> thread_queue(const std::string& store_dir) {
  thread_local std::map<std::string, std::unique_ptr<store::SqliteBuildQueue>> queues;
  return cached(queues, store_dir, [&] { return workers::open_store_queue(store_dir); });
}

Result<store::SqliteAppCatalog*> thread_catalog(const std::string& store_dir) {
  thread_local std::map<std::string, std::unique_ptr<store::SqliteAppCatalog>> catalogs;
  return cached(catalogs, store_dir,
                [&] { return store::SqliteAppCatalog::open(store_dir + "/ignite.db"); });
}

}  // namespace ignite::service
