// The server's connections to its store's database, shared by the request threads: a request
// borrows one for as long as it needs it and gives it back, and idle ones are kept (up to
// kIdleConnections of each kind) for the next requests, since opening one (the WAL switch, the
// schema checks, a TCP handshake to PostgreSQL) costs more than most requests do. A request that
// finds none idle opens one, so a request never waits for another's; only the idle ones are
// bounded, which bounds what a quiet server holds open on a shared PostgreSQL (docs/deploy.md).
#pragma once

#include <functional>
#include <memory>
#include <utility>

#include "builder/store/app_catalog.h"
#include "builder/store/build_queue.h"
#include "builder/store/store_backend.h"
#include "builder/store/version_store.h"
#include "builder/util/status.h"

namespace ignite::service {

inline constexpr int kIdleConnections = 4;

// A connection borrowed from the server's pool; given back when this goes.
template <typename T>
class Borrowed {
 public:
  Borrowed(std::unique_ptr<T> object, std::function<void(std::unique_ptr<T>)> give_back)
      : object_(std::move(object)), give_back_(std::move(give_back)) {}
  ~Borrowed() {
    if (object_) give_back_(std::move(object_));
  }
  Borrowed(Borrowed&&) noexcept = default;
  Borrowed& operator=(Borrowed&&) = delete;
  Borrowed(const Borrowed&) = delete;
  Borrowed& operator=(const Borrowed&) = delete;

  T* operator->() const { return object_.get(); }
  T& operator*() const { return *object_; }

 private:
  std::unique_ptr<T> object_;
  std::function<void(std::unique_ptr<T>)> give_back_;
};

Result<Borrowed<store::BuildQueue>> borrow_queue(const store::StoreBackend& store);
Result<Borrowed<store::AppCatalog>> borrow_catalog(const store::StoreBackend& store);
// Opened with Database::Create::kNo: a SQLite store no build has used yet has no versions.
Result<Borrowed<store::VersionStore>> borrow_versions(const store::StoreBackend& store);

}  // namespace ignite::service
