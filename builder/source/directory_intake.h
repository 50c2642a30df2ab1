// Intake of a directory on disk, under the same rules and limits as an archive.
#pragma once

#include <string>

#include "builder/source/intake.h"

namespace ignite {

// Walks `root` without following symlinks. Hard links read as the file they point to;
// devices, fifos and sockets are refused.
Result<SourceTree> read_directory(const std::string& root, const IntakeOptions& options);

}  // namespace ignite
