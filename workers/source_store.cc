#include "workers/source_store.h"

#include <unistd.h>

#include <filesystem>

#include "builder/util/file_io.h"
#include "builder/util/sha256.h"

namespace ignite::workers {

Result<std::string> SourceStore::put(std::string_view bytes) const {
  const std::string hex = sha256_hex(bytes);
  const std::string file = dir_ + "/" + hex;
  if (::access(file.c_str(), F_OK) != 0) {
    std::error_code ec;
    std::filesystem::create_directories(dir_, ec);
    if (ec) return errno_status("keeping a draft's source: creating " + dir_, ec.value());
    IGNITE_RETURN_IF_ERROR(
        write_file_atomic(file, bytes, 0644).with_context("keeping a draft's source"));
  }
  return "sha256:" + hex;
}

Result<std::string> SourceStore::path(std::string_view digest) const {
  if (!digest.starts_with("sha256:") || !is_sha256_hex(digest.substr(7))) {
    return invalid_argument("source digest \"" + std::string(digest) + "\" is not sha256:<hex>");
  }
  const std::string file = dir_ + "/" + std::string(digest.substr(7));
  if (::access(file.c_str(), F_OK) != 0) {
    return not_found("the source " + std::string(digest) + " is not in " + dir_);
  }
  return file;
}

}  // namespace ignite::workers
