// A minimal zip writer for tests: any member name, any Unix mode, stored or deflated, and the
// lies a hostile wheel tells (a declared size that is not the data's, a local header name that
// is not the central directory's). libarchive's own writer refuses most of these.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ignite::testing {

struct ZipEntry {
  ZipEntry(std::string n, std::string d, std::uint32_t m = 0100644, bool deflated = false)
      : name(std::move(n)), data(std::move(d)), mode(m), deflate(deflated) {}

  std::string name;
  std::string data;
  std::uint32_t mode = 0100644;  // st_mode with the file type bits, stored in external attrs
  bool deflate = false;
  std::optional<std::uint32_t> declared_size;  // the uncompressed size written in headers
  std::optional<std::string> local_name;       // the local header's name, if it differs

  static ZipEntry file(std::string name, std::string data, std::uint32_t perm = 0644) {
    return {std::move(name), std::move(data), 0100000 | perm};
  }
  static ZipEntry dir(std::string name) { return {std::move(name), "", 040755}; }
  static ZipEntry symlink(std::string name, std::string target) {
    return {std::move(name), std::move(target), 0120777};
  }
};

struct ZipLayout {
  bool zip64 = false;  // zip64 end records, and sizes and offsets in zip64 extra fields
  std::vector<std::size_t> central_order;  // entry indexes in central directory order
};

// The zip's bytes: local headers and data, then the central directory, "made by" Unix.
std::string build_zip(const std::vector<ZipEntry>& entries, const ZipLayout& layout = {});

}  // namespace ignite::testing
