#include "builder/index/lock_cache.h"

#include <filesystem>

#include "builder/index/pylock.h"
#include "builder/util/file_io.h"
#include "builder/util/sha256.h"

namespace ignite::index {

std::string lock_key_input(const LockKeyInput& input) {
  std::string out = "ignite-lock-key 1\nlock-version " + std::string(kLockVersion) + "\n";
  for (const auto& [path, bytes] : input.files) {
    out += "file " + std::to_string(bytes.size()) + " " + path + "\n" + bytes + "\n";
  }
  for (const auto& url : input.index_urls) out += "index " + url + "\n";
  for (const auto& fl : input.find_links) out += "find-links " + fl + "\n";
  out += "environment " + input.environment + "\n";
  out += "tags " + std::to_string(input.tags.size()) + "\n";
  for (const auto& tag : input.tags) out += tag.to_string() + "\n";
  return out;
}

std::string lock_key(const LockKeyInput& input) { return sha256_hex(lock_key_input(input)); }

std::optional<std::string> find_cached_lock(const ContentCache& cache, const std::string& key) {
  auto bytes = read_file(cache.lock_path(key));
  if (!bytes.ok()) return std::nullopt;
  if (!read_pylock(*bytes, "cached lock").ok()) return std::nullopt;
  return std::move(*bytes);
}

Status store_cached_lock(const ContentCache& cache, const std::string& key,
                         std::string_view bytes) {
  const std::string path = cache.lock_path(key);
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  if (ec) return errno_status("creating the lock cache beside " + path, ec.value());
  return write_file_atomic(path, bytes).with_context("caching the lock");
}

Result<std::string> RecordingFileSource::read(const std::string& path) const {
  auto bytes = inner_.read(path);
  if (bytes.ok()) files_.emplace_back(path, *bytes);
  return bytes;
}

}  // namespace ignite::index
