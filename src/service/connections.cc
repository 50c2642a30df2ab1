#include "src/service/connections.h"

#include <map>
#include <memory>
#include <string>

namespace ignite::service {
namespace {

// Opens on first use, keeps what opened; a failed open is tried again on the next request.
// Keyed by the store's directory and database, so two stores on one thread never share one.
template <typename T, typename Open>
Result<T*> cached(std::map<std::string, std::unique_ptr<T>>& cache,
                  const store::StoreBackend& store, Open open) {
  const std::string key = store.dir() + "\n" + store.postgres_url();
  auto found = cache.find(key);
  if (found != cache.end()) return found->second.get();
  IGNITE_ASSIGN_OR_RETURN(std::unique_ptr<T> opened, open());
  auto [it, inserted] = cache.emplace(key, std::move(opened));
  (void)inserted;
  return it->second.get();
}

}  // namespace

Result<store::BuildQueue*> thread_queue(const store::StoreBackend& store) {
  thread_local std::map<std::string, std::unique_ptr<store::BuildQueue>> queues;
  return cached(queues, store, [&] { return store.open_queue(); });
}

Result<store::VersionStore*> thread_versions(const store::StoreBackend& store) {
  thread_local std::map<std::string, std::unique_ptr<store::VersionStore>> stores;
  return cached(stores, store, [&] { return store.open_versions(store::Database::Create::kNo); });
}

Result<store::AppCatalog*> thread_catalog(const store::StoreBackend& store) {
  thread_local std::map<std::string, std::unique_ptr<store::AppCatalog>> catalogs;
  return cached(catalogs, store, [&] { return store.open_catalog(); });
}

}  // namespace ignite::service
