#include "workers/source_store.h"

#include <unistd.h>

#include <filesystem>
#include <map>
#include <memory>

#include "builder/store/postgres/pg_source_store.h"
#include "builder/util/file_io.h"
#include "builder/util/sha256.h"
#include "builder/util/wall_clock.h"

namespace ignite::workers {
namespace {

// Writes `bytes` as `file` (synced, renamed into place) unless it is there already.
Status keep_file(const std::string& dir, const std::string& file, std::string_view bytes) {
  if (::access(file.c_str(), F_OK) == 0) return ok_status();
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return errno_status("keeping a draft's source: creating " + dir, ec.value());
  return write_file_atomic(file, bytes, 0644).with_context("keeping a draft's source");
}

}  // namespace

SourceStore::SourceStore(store::StoreBackend backend)
    : backend_(std::move(backend)), dir_(backend_.dir() + "/sources/sha256") {}

Result<store::PgSourceStore*> SourceStore::database() const {
  // One connection per thread and database, kept: a server makes a SourceStore per request, and
  // a connection (with its schema check) costs more than keeping a draft does.
  thread_local std::map<std::string, std::unique_ptr<store::PgSourceStore>> connections;
  auto found = connections.find(backend_.postgres_url());
  if (found != connections.end()) return found->second.get();
  IGNITE_ASSIGN_OR_RETURN(store::PgSourceStore opened,
                          store::PgSourceStore::open(backend_.postgres_url()));
  auto [it, inserted] = connections.emplace(
      backend_.postgres_url(), std::make_unique<store::PgSourceStore>(std::move(opened)));
  (void)inserted;
  return it->second.get();
}

Result<std::string> SourceStore::put(std::string_view bytes) const {
  const std::string hex = sha256_hex(bytes);
  const std::string digest = "sha256:" + hex;
  if (backend_.is_postgres()) {
    // The database is what other nodes read; the file only spares this node a fetch.
    IGNITE_ASSIGN_OR_RETURN(store::PgSourceStore * db, database());
    IGNITE_RETURN_IF_ERROR(db->put(digest, bytes, unix_now_ms()));
    return digest;
  }
  IGNITE_RETURN_IF_ERROR(keep_file(dir_, dir_ + "/" + hex, bytes));
  return digest;
}

Result<std::string> SourceStore::path(std::string_view digest) const {
  if (!digest.starts_with("sha256:") || !is_sha256_hex(digest.substr(7))) {
    return invalid_argument("source digest \"" + std::string(digest) + "\" is not sha256:<hex>");
  }
  const std::string hex(digest.substr(7));
  const std::string file = dir_ + "/" + hex;
  if (::access(file.c_str(), F_OK) == 0) return file;
  if (!backend_.is_postgres()) {
    return not_found("the source " + std::string(digest) + " is not in " + dir_);
  }
  IGNITE_ASSIGN_OR_RETURN(store::PgSourceStore * db, database());
  IGNITE_ASSIGN_OR_RETURN(std::optional<std::string> bytes, db->get(digest));
  if (!bytes) {
    return not_found("the source " + std::string(digest) + " is not in " + backend_.describe());
  }
  if (sha256_hex(*bytes) != hex) {
    return data_loss("the source " + std::string(digest) + " in " + backend_.describe() +
                     " has another digest (sha256:" + sha256_hex(*bytes) + ")");
  }
  IGNITE_RETURN_IF_ERROR(keep_file(dir_, file, *bytes));
  return file;
}

}  // namespace ignite::workers
