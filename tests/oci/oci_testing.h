// Helpers for the builder/oci tests: reading tars back with libarchive, golden files, and a
// source tree used by several tests.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "builder/source/source_tree.h"

namespace ignite::oci::testing {

// One tar entry as libarchive reads it.
struct TarItem {
  std::string path;
  char type;  // 'f' file, 'd' directory, 'l' symlink, 'h' hard link, 'c', 'b', 'p' (fifo)
  int mode;   // permission bits incl. setuid/setgid/sticky
  std::int64_t uid, gid;
  std::string uname, gname;
  std::int64_t mtime;
  bool has_atime, has_ctime;
  std::string link;  // symlink target or hard link target
  std::string data;
};

// Reads a tar, or a gzip-compressed tar, with libarchive. Fails the test on a read error.
std::vector<TarItem> read_tar(std::string_view bytes);

// Decompresses a (multi-member) gzip stream with zlib. Fails the test on an error.
std::string gunzip(std::string_view bytes);

// Compares `actual` with tests/oci/golden/NAME; IGNITE_UPDATE_GOLDEN=1 rewrites the file instead.
void expect_golden(const std::string& name, const std::string& actual);

// The tree of the golden tests: handler.py, lib/util.py, run.sh (executable), link -> lib/util.py.
SourceTree golden_tree();

}  // namespace ignite::oci::testing
