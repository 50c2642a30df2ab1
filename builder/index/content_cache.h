// The download cache: wheels and metadata files kept by the sha256 of their content, and
// locks kept by their lock key. One directory, shared by every build on the machine:
//
//   <dir>/blobs/sha256/<hex>      a wheel whose bytes hash to <hex>
//   <dir>/metadata/sha256/<hex>   the core metadata of the wheel whose sha256 is <hex>
//   <dir>/locks/<key>.toml        a pylock.toml (lock_cache.h)
//
// Entries are written to a temporary name and renamed into place, so a reader sees a
// whole file or none. Blobs are checked against their name when read (a damaged one is
// removed and fetched again), so their writes skip fsync; speed matters more than
// surviving a crash for a cache.
//
// Where the directory is, in order: --cache-dir, $IGNITE_CACHE_DIR, $IGNITE_STORE/cache
// when $IGNITE_STORE is set, /var/cache/ignite-builder as root, else
// ${XDG_CACHE_HOME:-~/.cache}/ignite-builder.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "builder/util/status.h"

namespace ignite::index {

std::string default_cache_dir();

class ContentCache {
 public:
  explicit ContentCache(std::string dir) : dir_(std::move(dir)) {}
  const std::string& dir() const { return dir_; }

  std::string blob_path(std::string_view sha256_hex) const;
  // The path of the blob when it is present and its content still hashes to its name;
  // a damaged blob is removed. nullopt when absent.
  std::optional<std::string> find_blob(std::string_view hex) const;
  // Stores bytes whose sha256 the caller has checked to be `hex`; returns the path.
  Result<std::string> put_blob(std::string_view bytes, std::string_view hex) const;

  // Core metadata by the sha256 of the wheel it came from.
  std::optional<std::string> find_metadata(std::string_view wheel_sha256) const;
  Status put_metadata(std::string_view wheel_sha256, std::string_view text) const;

  std::string lock_path(std::string_view key_hex) const;

 private:
  std::string dir_;
};

// Writes a file by a temporary name and rename, creating parent directories; no fsync.
Status write_cache_file(const std::string& path, std::string_view data);

}  // namespace ignite::index
