// Whole-file reads and atomic writes (temp file, fsync, rename, fsync of the directory).
#pragma once

#include <string>
#include <string_view>

#include "builder/util/status.h"

namespace ignite {

Result<std::string> read_file(const std::string& path);

// Writes `data` to `path` so that readers see either the old file or the whole new one,
// and a crash leaves no partial file under `path`.
Status write_file_atomic(const std::string& path, std::string_view data, int mode = 0644);

}  // namespace ignite
