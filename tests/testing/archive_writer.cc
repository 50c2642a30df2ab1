#include "tests/testing/archive_writer.h"

#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <locale.h>

#include <cstdio>
#include <cstdlib>

namespace ignite::testing {
namespace {

la_ssize_t append_cb(archive*, void* out, const void* buf, size_t n) {
  static_cast<std::string*>(out)->append(static_cast<const char*>(buf), n);
  return static_cast<la_ssize_t>(n);
}

void check(archive* a, int r) {
  if (r < ARCHIVE_WARN) {
    std::fprintf(stderr, "archive_writer: %s\n", archive_error_string(a));
    std::abort();
  }
}

}  // namespace

std::string write_archive(ArchiveFormat format, const std::vector<TestEntry>& entries) {
  // Names are UTF-8 bytes; under C.UTF-8 libarchive writes them through unchanged (and can
  // mark them as UTF-8 in a zip).
  locale_t utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(nullptr));
  locale_t old = uselocale(utf8);
  archive* a = archive_write_new();
  switch (format) {
    case ArchiveFormat::kPaxTar: archive_write_set_format_pax_restricted(a); break;
    case ArchiveFormat::kUstarTar: archive_write_set_format_ustar(a); break;
    case ArchiveFormat::kGnuTar: archive_write_set_format_gnutar(a); break;
    case ArchiveFormat::kTarGz:
      archive_write_set_format_pax_restricted(a);
      archive_write_add_filter_gzip(a);
      break;
    case ArchiveFormat::kZip: archive_write_set_format_zip(a); break;
    case ArchiveFormat::kZipUtf8:
      archive_write_set_format_zip(a);
      archive_write_set_options(a, "zip:hdrcharset=UTF-8");
      break;
  }
  archive_write_set_bytes_in_last_block(a, 1);
  std::string out;
  check(a, archive_write_open(a, &out, nullptr, append_cb, nullptr));
  for (const auto& t : entries) {
    archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, t.path.c_str());
    archive_entry_set_uid(e, t.uid);
    archive_entry_set_gid(e, t.gid);
    if (!t.uname.empty()) archive_entry_set_uname(e, t.uname.c_str());
    archive_entry_set_mtime(e, t.mtime, 0);
    archive_entry_set_perm(e, static_cast<mode_t>(t.mode));
    bool with_data = false;
    switch (t.type) {
      case TestEntry::Type::kFile:
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_size(e, static_cast<la_int64_t>(t.data.size()));
        with_data = true;
        break;
      case TestEntry::Type::kDir: archive_entry_set_filetype(e, AE_IFDIR); break;
      case TestEntry::Type::kSymlink:
        archive_entry_set_filetype(e, AE_IFLNK);
        archive_entry_set_symlink(e, t.data.c_str());
        break;
      case TestEntry::Type::kHardlink:
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_hardlink(e, t.data.c_str());
        archive_entry_set_size(e, 0);
        break;
      case TestEntry::Type::kCharDevice:
        archive_entry_set_filetype(e, AE_IFCHR);
        archive_entry_set_rdev(e, makedev(1, 3));
        break;
      case TestEntry::Type::kFifo: archive_entry_set_filetype(e, AE_IFIFO); break;
    }
    check(a, archive_write_header(a, e));
    if (with_data && !t.data.empty()) {
      la_ssize_t n = archive_write_data(a, t.data.data(), t.data.size());
      if (n != static_cast<la_ssize_t>(t.data.size())) check(a, ARCHIVE_FATAL);
    }
    archive_entry_free(e);
  }
  check(a, archive_write_close(a));
  archive_write_free(a);
  uselocale(old);
  freelocale(utf8);
  return out;
}

}  // namespace ignite::testing
