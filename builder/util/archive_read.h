// What every libarchive reader here shares: the reader's owner, its error text, and entry
// names taken as raw bytes (no locale conversion rewrites or rejects them; each caller checks
// names by its own rules). Header-only: the libraries that read archives (source intake, rootfs
// unpacking, wheels) link libarchive themselves; ignite_util does not.
#pragma once

#include <archive.h>
#include <archive_entry.h>

#include <memory>
#include <string>

namespace ignite {

struct ArchiveReadDeleter {
  void operator()(archive* a) const { archive_read_free(a); }
};
using ArchiveReadPtr = std::unique_ptr<archive, ArchiveReadDeleter>;

inline std::string archive_error(archive* a) {
  const char* msg = archive_error_string(a);
  return msg ? msg : "unknown libarchive error";
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
