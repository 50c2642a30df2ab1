#include "builder/pipeline/function_store.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>

namespace ignite::pipeline {

Result<FunctionStore> FunctionStore::open(const std::string& dir, OpenStore mode) {
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
  const std::string db_path = dir + "/ignite.db";
  const bool db_exists = ::access(db_path.c_str(), F_OK) == 0;
  if (!db_exists) {
    // The database is the authority for numbers: without it, the next build would take v1 and
    // move a ref that names a published version. Refuse rather than start over.
    IGNITE_ASSIGN_OR_RETURN(auto refs, layout->list_refs());
    for (const auto& r : refs) {
      if (store::parse_version_ref(r.name)) {
        return data_loss(ctx + ": " + db_path + " is missing, but the image layout holds version refs (" +
                         r.name + ", ...); restore the database rather than starting a new one");
      }
    }
    if (mode == OpenStore::kExisting) return not_found(ctx + ": it has no database yet (no build has used it)");
  }
  auto versions = store::VersionStore::open(db_path);
  if (!versions.ok()) return versions.status().with_context(ctx);
  return FunctionStore(dir, std::move(layout).value(), std::move(versions).value());
}

}  // namespace ignite::pipeline
