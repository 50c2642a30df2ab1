// LayerPlan: the entries of one layer, before any byte is written.
//
// A plan is the whole description of a layer's tar apart from the epoch: paths, types, modes,
// owners and where each file's bytes come from. Entries are kept in a map, so they come out
// sorted bytewise by path (std::string compares as unsigned char, the order of `LC_ALL=C
// sort`), and a parent, being a prefix of its children, always comes before them.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "builder/util/status.h"

namespace ignite::oci {

enum class LayerEntryType {
  kRegular,
  kDirectory,
  kSymlink,
  kHardlink,
  kCharDevice,
  kBlockDevice,
  kFifo
};

struct LayerEntry {
  LayerEntryType type = LayerEntryType::kRegular;
  std::uint32_t mode = 0644;  // permission, setuid, setgid and sticky bits (mask 07777)
  std::uint32_t uid = 0;
  std::uint32_t gid = 0;
  std::uint64_t size = 0;       // regular files only
  std::string link_target;      // symlink: its target; hard link: the path of an earlier entry
  std::uint32_t dev_major = 0;  // character and block devices
  std::uint32_t dev_minor = 0;
  // A regular file's bytes: `data` (memory the caller keeps alive until the layer is written),
  // unless `source_path` names a file on disk, opened when the entry is written. The file
  // must then still be the inode (`source_dev`, `source_ino`) and size seen when planning.
  std::string_view data;
  std::string source_path;
  std::uint64_t source_dev = 0;
  std::uint64_t source_ino = 0;
};

// Longest path accepted in a layer, in bytes (Linux's PATH_MAX).
inline constexpr std::size_t kMaxLayerPathBytes = 4096;

// Checks a path for a layer entry: relative, '/'-separated, no empty, "." or ".." component,
// no NUL byte, and no component starting with ".wh." (whiteout names, which would delete
// files of lower layers when the image is unpacked).
Status validate_layer_path(std::string_view path);

class LayerPlan {
 public:
  using Entries = std::map<std::string, LayerEntry>;

  // Adds `entry` at `path` (see validate_layer_path; no trailing '/'). Refuses a duplicate.
  Status add(const std::string& path, LayerEntry entry);
  // Adds a 0755 root:root directory for every missing ancestor of an entry ("parents are
  // emitted explicitly", so an unpacker never invents one with its own mode or owner).
  void add_missing_parents();
  // Checks what only the whole plan shows: every parent is a directory in the plan, and every
  // hard link points to a regular file that comes earlier.
  Status check() const;

  const Entries& entries() const { return entries_; }
  std::uint64_t file_bytes() const { return file_bytes_; }

 private:
  Entries entries_;
  std::uint64_t file_bytes_ = 0;
};

}  // namespace ignite::oci
