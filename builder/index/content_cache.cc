#include "builder/index/content_cache.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <vector>

#include "builder/util/file_io.h"
#include "builder/util/sha256.h"

namespace ignite::index {

std::string default_cache_dir() {
  auto env = [](const char* name) -> std::optional<std::string> {
    const char* v = std::getenv(name);
    if (v == nullptr || *v == '\0') return std::nullopt;
    return std::string(v);
  };
  if (auto d = env("IGNITE_CACHE_DIR")) return *d;
  if (auto s = env("IGNITE_STORE")) return *s + "/cache";
  if (::geteuid() == 0) return "/var/cache/ignite-builder";
  if (auto x = env("XDG_CACHE_HOME")) return *x + "/ignite-builder";
  return env("HOME").value_or(".") + "/.cache/ignite-builder";
}

Status write_cache_file(const std::string& path, std::string_view data) {
  std::error_code ec;
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  std::filesystem::create_directories(parent, ec);
  if (ec) return errno_status("creating cache directory " + parent.string(), ec.value());
  // Readers check every blob's digest and every lock's parse, so a lost file is fetched
  // again: no fsync.
  return write_file_atomic(path, data, 0644, Durability::kUnsynced);
}

std::string ContentCache::blob_path(std::string_view sha256_hex) const {
  return dir_ + "/blobs/sha256/" + std::string(sha256_hex);
}

std::optional<std::string> ContentCache::find_blob(std::string_view hex) const {
  if (!is_sha256_hex(hex)) return std::nullopt;
  const std::string path = blob_path(hex);
  auto bytes = read_file(path);
  if (!bytes.ok()) return std::nullopt;
  if (sha256_hex(*bytes) != hex) {
    ::unlink(path.c_str());  // damaged: fetch it again
    return std::nullopt;
  }
  return path;
}

Result<std::string> ContentCache::put_blob(std::string_view bytes, std::string_view hex) const {
  const std::string path = blob_path(hex);
  IGNITE_RETURN_IF_ERROR(write_cache_file(path, bytes).with_context("caching a download"));
  return path;
}

std::optional<std::string> ContentCache::find_metadata(std::string_view wheel_sha256) const {
  if (!is_sha256_hex(wheel_sha256)) return std::nullopt;
  auto text = read_file(dir_ + "/metadata/sha256/" + std::string(wheel_sha256));
  if (!text.ok()) return std::nullopt;
  return *text;
}

Status ContentCache::put_metadata(std::string_view wheel_sha256, std::string_view text) const {
  if (!is_sha256_hex(wheel_sha256)) return ok_status();
  return write_cache_file(dir_ + "/metadata/sha256/" + std::string(wheel_sha256), text)
      .with_context("caching metadata");
}

std::string ContentCache::lock_path(std::string_view key_hex) const {
  return dir_ + "/locks/" + std::string(key_hex) + ".toml";
}

}  // namespace ignite::index
