// A zip's central directory, read directly: the member names pip's zipfile reads. libarchive's
// seekable reader lists members from the central directory but takes each one's name from its
// local header, so a zip whose two copies disagree would show pip one name and us another;
// ZipPass compares both against this list and refuses any difference.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "builder/util/status.h"

namespace ignite::wheel {

struct CentralEntry {
  std::string name;  // raw bytes, as stored
  std::uint64_t local_header_offset = 0;
  std::uint64_t compressed_size = 0;
  std::uint64_t uncompressed_size = 0;
  std::uint32_t unix_mode = 0;  // st_mode from the external attributes; 0 unless made by Unix
};

// The entries of the zip in `fd` (`size` bytes), sorted by local header offset (the order
// libarchive returns them in). Zip64 records are followed. DATA_LOSS when there is no end
// record, the directory is not exactly where the end record puts it (no data may be prepended
// to a wheel), an entry is truncated or spans disks, or two entries share or overlap their
// local data; RESOURCE_EXHAUSTED for more than `max_entries`.
Result<std::vector<CentralEntry>> read_central_directory(int fd, std::uint64_t size,
                                                         std::size_t max_entries);

}  // namespace ignite::wheel
