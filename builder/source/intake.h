// Safe intake: turns a draft's source (a lone file, a directory, a tar, tar.gz or zip
// archive, or SaveDraft's sourceCode bytes) into a validated SourceTree in memory.
//
// Nothing is written to disk. Every refusal is INVALID_ARGUMENT (the draft is at fault)
// or RESOURCE_EXHAUSTED (a limit), and names the entry and the reason.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "builder/source/source_tree.h"
#include "builder/util/status.h"

namespace ignite {

// Limits on what one draft may hold, checked while decompressing so that a bomb stops
// early. The defaults are documented in docs/intake.md; keep them in step.
struct IntakeLimits {
  std::uint64_t max_total_bytes = 256ull << 20;  // all file contents together, uncompressed
  std::uint64_t max_file_bytes = 64ull << 20;    // one file, uncompressed
  std::uint64_t max_entries = 10000;             // files, symlinks and directories
};

enum class RequireHandler { kNo, kYes };

struct IntakeOptions {
  IntakeLimits limits;
  RequireHandler require_handler = RequireHandler::kYes;
};

enum class SourceFormat { kHandlerText, kTar, kGzip, kZip };

// Classifies SaveDraft's sourceCode bytes by their magic (docs/codehash.md): gzip 1f 8b,
// zip "PK\3\4", tar "ustar" at offset 257; anything else is the text of handler.py.
SourceFormat sniff_source_format(std::string_view head);

// sourceCode bytes: an archive by its magic, else handler.py's text.
Result<SourceTree> read_source_bytes(std::string_view bytes, const IntakeOptions& options);

// An archive held in memory; `label` names it in errors.
Result<SourceTree> read_archive_bytes(std::string_view bytes, std::string_view label,
                                      const IntakeOptions& options);

// A path on disk: a directory, an archive (by magic), or a lone file taken as handler.py.
Result<SourceTree> read_source_path(const std::string& path, const IntakeOptions& options);

}  // namespace ignite
