// Builds archives entry by entry, with any name, type, mode, owner and mtime, including the
// malformed and hostile ones intake must refuse. Tests only.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ignite::testing {

// kZipUtf8: a zip whose names carry the UTF-8 flag (bit 11), as Python's zipfile, Java, Go,
// macOS and Windows write them.
enum class ArchiveFormat { kPaxTar, kUstarTar, kGnuTar, kTarGz, kZip, kZipUtf8 };

struct TestEntry {
  enum class Type { kFile, kDir, kSymlink, kHardlink, kCharDevice, kFifo };
  TestEntry(std::string p, Type t, std::string d = "", int m = 0644)
      : path(std::move(p)), type(t), data(std::move(d)), mode(m) {}
  std::string path;
  Type type = Type::kFile;
  std::string data;    // file contents, or the symlink/hard link target
  int mode = 0644;     // permission bits only
  std::int64_t uid = 0;
  std::int64_t gid = 0;
  std::string uname;
  std::int64_t mtime = 0;

  static TestEntry file(std::string p, std::string d, int m = 0644) {
    return {std::move(p), Type::kFile, std::move(d), m};
  }
  static TestEntry dir(std::string p) { return {std::move(p), Type::kDir, "", 0755}; }
  static TestEntry symlink(std::string p, std::string target) {
    return {std::move(p), Type::kSymlink, std::move(target), 0777};
  }
  static TestEntry hardlink(std::string p, std::string target) {
    return {std::move(p), Type::kHardlink, std::move(target), 0644};
  }
};

// The archive's bytes. Aborts on a libarchive failure (a bug in the test).
std::string write_archive(ArchiveFormat format, const std::vector<TestEntry>& entries);

}  // namespace ignite::testing
