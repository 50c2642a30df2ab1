// The header blocks of one layer tar entry.
//
// Format (docs/oci-images.md, "Layer format"): POSIX ustar headers; a pax extended header
// ('x') precedes an entry only when its path, link target, uid, gid or size does not fit the
// ustar fields, and holds only those records, in key order. Numeric fields are zero-padded
// octal ending in NUL; uname, gname are empty; mtime is the image's epoch. A directory's name
// ends in '/'. No atime, ctime or fractional-time records are ever written.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "builder/oci/layer_plan.h"
#include "builder/util/status.h"

namespace ignite::oci {

inline constexpr std::size_t kTarBlockBytes = 512;

// The pax header (if any) and the ustar header for `entry` at `path` (no trailing '/').
Result<std::string> encode_tar_headers(const std::string& path, const LayerEntry& entry,
                                       std::int64_t mtime);

// Zero bytes that pad `size` bytes of data to a whole block.
inline std::size_t tar_padding(std::uint64_t size) {
  return static_cast<std::size_t>((kTarBlockBytes - size % kTarBlockBytes) % kTarBlockBytes);
}

// How ustar stores a long name: prefix (up to 155 bytes) + '/' + name (up to 100 bytes).
// Returns {"", name} when the whole name fits, the split with the longest prefix that fits
// otherwise (GNU tar's choice), or nullopt when no split fits and a pax path is needed.
std::optional<std::pair<std::string_view, std::string_view>> split_ustar_name(
    std::string_view name);

// One pax record, "<length> <key>=<value>\n", where length counts the whole record.
std::string pax_record(std::string_view key, std::string_view value);

}  // namespace ignite::oci
