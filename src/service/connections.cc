#include "src/service/connections.h"

#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace ignite::service {
namespace {

// The idle connections of one kind to one store.
template <typename T>
struct Pool {
  std::mutex mutex;
  std::vector<std::unique_ptr<T>> idle;
};

// The process's pool of `T` for `store` (two stores in one process never share one).
template <typename T>
std::shared_ptr<Pool<T>> pool_for(const store::StoreBackend& store) {
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<Pool<T>>> pools;
  const std::string key = store.dir() + "\n" + store.postgres_url();
  std::lock_guard lock(mutex);
  auto& pool = pools[key];
  if (!pool) pool = std::make_shared<Pool<T>>();
  return pool;
}

// An idle connection when there is one, else a new one (`open`); a failed open is tried again
// on the next request.
template <typename T, typename Open>
Result<Borrowed<T>> borrow(const store::StoreBackend& store, Open open) {
  std::shared_ptr<Pool<T>> pool = pool_for<T>(store);
  std::unique_ptr<T> object;
  {
    std::lock_guard lock(pool->mutex);
    if (!pool->idle.empty()) {
      object = std::move(pool->idle.back());
      pool->idle.pop_back();
    }
  }
  if (!object) {
    IGNITE_ASSIGN_OR_RETURN(object, open());
  }
  return Borrowed<T>(std::move(object), [pool](std::unique_ptr<T> back) {
    std::lock_guard lock(pool->mutex);
    if (static_cast<int>(pool->idle.size()) < kIdleConnections) pool->idle.push_back(std::move(back));
  });
}

}  // namespace

Result<Borrowed<store::BuildQueue>> borrow_queue(const store::StoreBackend& store) {
  return borrow<store::BuildQueue>(store, [&] { return store.open_queue(); });
}

Result<Borrowed<store::AppCatalog>> borrow_catalog(const store::StoreBackend& store) {
  return borrow<store::AppCatalog>(store, [&] { return store.open_catalog(); });
}

Result<Borrowed<store::VersionStore>> borrow_versions(const store::StoreBackend& store) {
  return borrow<store::VersionStore>(
      store, [&] { return store.open_versions(store::Database::Create::kNo); });
}

}  // namespace ignite::service
