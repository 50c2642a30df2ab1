#include "tests/oci/oci_testing.h"

#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace ignite::oci::testing {

std::vector<TarItem> read_tar(std::string_view bytes) {
  std::vector<TarItem> out;
  archive* a = archive_read_new();
  archive_read_support_format_tar(a);
  archive_read_support_filter_gzip(a);
  archive_read_support_filter_none(a);
  EXPECT_EQ(archive_read_open_memory(a, bytes.data(), bytes.size()), ARCHIVE_OK)
      << archive_error_string(a);
  archive_entry* e = nullptr;
  int rc;
  while ((rc = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
    TarItem t{};
    t.path = archive_entry_pathname(e);
    const char* hl = archive_entry_hardlink(e);
    switch (archive_entry_filetype(e)) {
      case AE_IFDIR:
        t.type = 'd';
        break;
      case AE_IFLNK:
        t.type = 'l';
        break;
      case AE_IFCHR:
        t.type = 'c';
        break;
      case AE_IFBLK:
        t.type = 'b';
        break;
      case AE_IFIFO:
        t.type = 'p';
        break;
      default:
        t.type = hl ? 'h' : 'f';
        break;
    }
    t.mode = static_cast<int>(archive_entry_perm(e)) | (archive_entry_mode(e) & 07000);
    t.uid = archive_entry_uid(e);
    t.gid = archive_entry_gid(e);
    t.uname = archive_entry_uname(e) ? archive_entry_uname(e) : "";
    t.gname = archive_entry_gname(e) ? archive_entry_gname(e) : "";
    t.mtime = archive_entry_mtime(e);
    t.has_atime = archive_entry_atime_is_set(e);
    t.has_ctime = archive_entry_ctime_is_set(e);
    if (hl) t.link = hl;
    if (const char* sl = archive_entry_symlink(e)) t.link = sl;
    char buf[65536];
    la_ssize_t n;
    while ((n = archive_read_data(a, buf, sizeof buf)) > 0)
      t.data.append(buf, static_cast<std::size_t>(n));
    out.push_back(std::move(t));
  }
  EXPECT_EQ(rc, ARCHIVE_EOF) << archive_error_string(a);
  archive_read_free(a);
  return out;
}

std::string gunzip(std::string_view bytes) {
  z_stream z{};
  EXPECT_EQ(inflateInit2(&z, 16 + MAX_WBITS), Z_OK);
  std::string out;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  z.avail_in = static_cast<uInt>(bytes.size());
  char buf[65536];
  while (z.avail_in > 0) {
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof buf;
    int rc = inflate(&z, Z_NO_FLUSH);
    out.append(buf, sizeof buf - z.avail_out);
    if (rc == Z_STREAM_END) {
      if (z.avail_in > 0) {
        EXPECT_EQ(inflateReset(&z), Z_OK);
      }
      continue;
    }
    if (rc != Z_OK) {
      ADD_FAILURE() << "inflate: " << rc;
      break;
    }
  }
  inflateEnd(&z);
  return out;
}

void expect_golden(const std::string& name, const std::string& actual) {
  const std::string path = std::string(IGNITE_SOURCE_DIR) + "/tests/oci/golden/" + name;
  const char* update = std::getenv("IGNITE_UPDATE_GOLDEN");
  if (update != nullptr && std::string(update) == "1") {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << actual;
    return;
  }
  std::ifstream f(path, std::ios::binary);
  ASSERT_TRUE(f.good()) << "missing golden file " << path << " (IGNITE_UPDATE_GOLDEN=1 writes it)";
  std::stringstream ss;
  ss << f.rdbuf();
  EXPECT_EQ(actual, ss.str()) << "golden file " << path
                              << " differs; if the change is intended, rerun with "
                                 "IGNITE_UPDATE_GOLDEN=1 and review the diff";
}

SourceTree golden_tree() {
  SourceTree t;
  EXPECT_TRUE(
      t.add("handler.py", {EntryKind::kFile, "def handler(payload, ctx):\n    return payload\n"})
          .ok());
  EXPECT_TRUE(t.add("lib/util.py", {EntryKind::kFile, "X = 1\n"}).ok());
  EXPECT_TRUE(t.add("run.sh", {EntryKind::kExecutable, "#!/bin/sh\necho hi\n"}).ok());
  EXPECT_TRUE(t.add("link", {EntryKind::kSymlink, "lib/util.py"}).ok());
  return t;
}

}  // namespace ignite::oci::testing
