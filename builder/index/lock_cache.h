// The lock cache: a resolved lock kept under a key of everything that chose it, so that
// the next build of the same requirements (in any app) reuses it without asking an
// index, and a new release on the index does not change an existing lock. --refresh
// resolves again and replaces the entry.
//
// The key is sha256 over this text (version 1; lock_key_input() shows it, to explain why
// two keys differ):
//
//   ignite-lock-key 1
//   lock-version 1.0
//   file <byte length> <path>\n<bytes>\n      each requirements file read, in reading order
//   index <url>\n                             each index URL in use, credentials removed
//   find-links <dir or url>\n                 each find-links location
//   environment <marker>\n                    the target environment (pylock.h)
//   tags <count>\n<tag>\n...                  the target's tags, most preferred first
//
// Entries live at <cache dir>/locks/<key>.toml (content_cache.h); one that no longer
// reads as a lock counts as absent.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "builder/index/content_cache.h"
#include "builder/python/requirements_file_source.h"
#include "builder/python/tag.h"
#include "builder/util/status.h"

namespace ignite::index {

struct LockKeyInput {
  std::vector<std::pair<std::string, std::string>> files;  // path, bytes
  std::vector<std::string> index_urls;                     // without credentials
  std::vector<std::string> find_links;
  std::string environment;  // environment_marker()
  std::vector<python::Tag> tags;
};

std::string lock_key_input(const LockKeyInput& input);
// 64 hex digits.
std::string lock_key(const LockKeyInput& input);

// The cached lock's bytes, when present and readable as a lock.
std::optional<std::string> find_cached_lock(const ContentCache& cache, const std::string& key);
// Stores the bytes atomically (with fsync: a lock is worth keeping).
Status store_cached_lock(const ContentCache& cache, const std::string& key, std::string_view bytes);

// Passes reads through to another source and remembers every file read, in order, so
// the lock key covers -r and -c includes.
class RecordingFileSource final : public python::RequirementsFileSource {
 public:
  explicit RecordingFileSource(const python::RequirementsFileSource& inner) : inner_(inner) {}
  Result<std::string> read(const std::string& path) const override;
  const std::vector<std::pair<std::string, std::string>>& files() const { return files_; }

 private:
  const python::RequirementsFileSource& inner_;
  mutable std::vector<std::pair<std::string, std::string>> files_;
};

}  // namespace ignite::index
