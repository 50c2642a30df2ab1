// The embedded store (docs/store.md): one directory holding
//   oci/        an OCI image layout; refs "<org>/<app>:v<N>" and the base images
//   ignite.db   the SQLite database of apps and versions (the authority for numbers)
//   tmp/        work directories of builds in progress (base image creation)
// Several processes may use one store at once. docs/store.md describes it.
//
// With a PostgreSQL database (store::StoreBackend, --database postgres://...) the records are
// there instead, shared by every node, and every version is in the registry: the directory's
// layout is then this node's cache of layers and bases (docs/deploy.md).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "builder/oci/oci_layout.h"
#include "builder/store/store_backend.h"
#include "builder/store/version_store.h"

namespace ignite::pipeline {

enum class OpenStore { kCreateIfMissing, kExisting };

class FunctionStore {
 public:
  static Result<FunctionStore> open(const store::StoreBackend& backend, OpenStore mode);

  const std::string& dir() const { return backend_.dir(); }
  const store::StoreBackend& backend() const { return backend_; }
  std::string layout_dir() const { return dir() + "/oci"; }
  std::string tmp_dir() const { return dir() + "/tmp"; }
  oci::OciLayout& layout() { return layout_; }
  store::VersionStore& versions() { return *versions_; }

 private:
  FunctionStore(store::StoreBackend backend, oci::OciLayout layout,
                std::unique_ptr<store::VersionStore> versions)
      : backend_(std::move(backend)), layout_(std::move(layout)), versions_(std::move(versions)) {}
  store::StoreBackend backend_;
  oci::OciLayout layout_;
  // Held by pointer: a PublishLock keeps a reference to it across moves of the FunctionStore.
  std::unique_ptr<store::VersionStore> versions_;
};

// Version `number` of `app` in the store (its latest when nullopt); NOT_FOUND naming the latest.
Result<store::VersionRecord> store_version(FunctionStore& store, const store::AppId& app,
                                           std::optional<std::int64_t> number);

}  // namespace ignite::pipeline
