// What every libarchive reader here shares: the reader's owner, its error text, and entry
// names taken as raw bytes (no locale conversion rewrites or rejects them; each caller checks
// names by its own rules). Header-only: the libraries that read archives (source intake, rootfs
// unpacking, wheels) link libarchive themselves; ignite_util does not.
#pragma once

#include <archive.h>
#include <archive_entry.h>

#include <cstddef>
#include <memory>
#include <string>

#include "builder/util/status.h"

namespace ignite {

struct ArchiveReadDeleter {
  void operator()(archive* a) const { archive_read_free(a); }
};
using ArchiveReadPtr = std::unique_ptr<archive, ArchiveReadDeleter>;

inline std::string archive_error(archive* a) {
  const char* msg = archive_error_string(a);
  return msg ? msg : "unknown libarchive error";
}

// A reader of the tar file at `path` (gzip-compressed when `gzip`), read `block_bytes` at a
// time. DATA_LOSS "not a readable tar: ..." when it cannot be opened as one.
inline Result<ArchiveReadPtr> open_tar_file(const std::string& path, bool gzip,
                                            std::size_t block_bytes = 1 << 20) {
  ArchiveReadPtr a(archive_read_new());
  if (!a) return internal_error("libarchive: out of memory");
  if (gzip) archive_read_support_filter_gzip(a.get());
  archive_read_support_format_tar(a.get());
  if (archive_read_open_filename(a.get(), path.c_str(), block_bytes) != ARCHIVE_OK) {
    return data_loss("not a readable tar: " + archive_error(a.get()));
  }
  return a;
}

// The raw name, else libarchive's UTF-8 form, else "".
inline std::string archive_entry_name(archive_entry* e) {
  const char* p = archive_entry_pathname(e);
  if (p == nullptr) p = archive_entry_pathname_utf8(e);
  return p ? p : "";
}

inline std::string archive_entry_hardlink_name(archive_entry* e) {
  const char* p = archive_entry_hardlink(e);
  if (p == nullptr) p = archive_entry_hardlink_utf8(e);
  return p ? p : "";
}

inline std::string archive_entry_symlink_name(archive_entry* e) {
  const char* p = archive_entry_symlink(e);
  if (p == nullptr) p = archive_entry_symlink_utf8(e);
  return p ? p : "";
}

}  // namespace ignite
