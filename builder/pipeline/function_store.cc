#include "builder/pipeline/function_store.h"

#include <sys/stat.h>

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
  auto versions = store::VersionStore::open(dir + "/ignite.db");
  if (!versions.ok()) return versions.status().with_context(ctx);
  return FunctionStore(dir, std::move(layout).value(), std::move(versions).value());
}

}  // namespace ignite::pipeline
