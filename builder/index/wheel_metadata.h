// The core metadata inside a wheel: "<name>-<version>.dist-info/METADATA" at the top of
// the zip, read with libarchive without unpacking anything else.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "builder/util/status.h"

namespace ignite::index {

// The largest METADATA read (real ones are a few hundred kilobytes at most).
inline constexpr std::size_t kMaxMetadataBytes = 16 << 20;

// The METADATA text of the wheel at `path`. The .dist-info directory must be at the top
// and its name part must canonicalize to `project` (pip's rule); exactly one such.
// DATA_LOSS naming the wheel when it is not a zip, has no (or more than one) matching
// .dist-info/METADATA; NOT_FOUND when the file is missing.
Result<std::string> read_wheel_metadata(const std::string& path, std::string_view project);

// The same for wheel bytes in memory; `label` names the wheel in errors.
Result<std::string> read_wheel_metadata_bytes(std::string_view bytes, std::string_view project,
                                              std::string_view label);

}  // namespace ignite::index
