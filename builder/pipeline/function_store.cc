#include "builder/pipeline/function_store.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>


namespace ignite::pipeline {
namespace {

// Schema 1 stores were written by builders that set a version's ref before recording it and
// let the next build replace a ref left by one that died in between. Refs now follow commits
// and are never replaced, so such a leftover (a ref vN just past the app's last recorded
// version) is removed once, while the database is upgraded under its write lock, as those
// builders would have replaced it.
Status upgrade_refs(oci::OciLayout& layout, store::Database& db, int from) {
  if (from != 1) return ok_status();
  IGNITE_ASSIGN_OR_RETURN(auto refs, layout.list_refs());
  IGNITE_ASSIGN_OR_RETURN(
      store::Statement q,
      db.prepare(
          "SELECT COALESCE(MAX(v.number), 0) FROM apps a LEFT JOIN versions v ON v.app_id = a.id "
          "WHERE a.org = ?1 AND a.app = ?2"));
  for (const auto& r : refs) {
    auto v = store::parse_version_ref(r.name);
    if (!v) continue;
    q.reset();
    q.bind(1, v->app.org()).bind(2, v->app.app());
    IGNITE_ASSIGN_OR_RETURN(bool row, q.step());
    const std::int64_t latest = row ? q.column_int(0) : 0;
    if (v->number == latest + 1) IGNITE_RETURN_IF_ERROR(layout.remove_ref(r.name));
  }
  return ok_status();
}

}  // namespace

Result<FunctionStore> FunctionStore::open(const store::StoreBackend& backend, OpenStore mode) {
  const std::string& dir = backend.dir();
  const std::string ctx = "opening store " + dir;
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) {
    if (errno != ENOENT || mode == OpenStore::kExisting) return errno_status(ctx, errno);
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return errno_status(ctx + ": creating it", ec.value());
  } else if (!S_ISDIR(st.st_mode)) {
    return failed_precondition(ctx + ": not a directory");
  }
  auto layout = oci::OciLayout::open(dir + "/oci", mode == OpenStore::kExisting
                                                       ? oci::CreateLayout::kNo
                                                       : oci::CreateLayout::kIfMissing);
  if (!layout.ok()) return layout.status().with_context(ctx);
  if (backend.is_postgres()) {
    // The records are PostgreSQL's, shared by every node; the layout is this node's cache.
    auto versions = backend.open_versions();
    if (!versions.ok()) return versions.status().with_context(ctx);
    return FunctionStore(backend, std::move(layout).value(), std::move(versions).value());
  }
  const std::string db_path = backend.sqlite_path();
  const bool db_exists = ::access(db_path.c_str(), F_OK) == 0;
  if (!db_exists) {
    // The database is the authority for numbers: without it, the next build would take v1 and
    // move a ref that names a published version. Refuse rather than start over.
    IGNITE_ASSIGN_OR_RETURN(auto refs, layout->list_refs());
    for (const auto& r : refs) {
      if (store::parse_version_ref(r.name)) {
        return data_loss(ctx + ": " + db_path +
                         " is missing, but the image layout holds version refs (" + r.name +
                         ", ...); restore the database rather than starting a new one");
      }
    }
    if (mode == OpenStore::kExisting)
      return not_found(ctx + ": it has no database yet (no build has used it)");
  }
  auto versions = backend.open_versions(
      store::Database::Create::kIfMissing,
      [&](store::Database& db, int from) { return upgrade_refs(*layout, db, from); });
  if (!versions.ok()) return versions.status().with_context(ctx);
  return FunctionStore(backend, std::move(layout).value(), std::move(versions).value());
}

Result<store::VersionRecord> store_version(FunctionStore& store, const store::AppId& app,
                                           std::optional<std::int64_t> number) {
  IGNITE_ASSIGN_OR_RETURN(auto versions, store.versions().versions(app));
  if (versions.empty()) {
    return not_found(app.to_string() + " has no versions in the store " + store.dir());
  }
  if (!number) return versions.back();
  for (const auto& v : versions) {
    if (v.number == *number) return v;
  }
  return not_found(app.to_string() + " has no version " + std::to_string(*number) +
                   " in the store " + store.dir() + " (its latest is v" +
                   std::to_string(versions.back().number) + ")");
}

}  // namespace ignite::pipeline
