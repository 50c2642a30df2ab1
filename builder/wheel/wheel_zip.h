// Reading a wheel's zip with libarchive, member by member. libarchive's seekable reader lists
// the members of the central directory (what pip's zipfile reads), but takes their names from
// the local headers; every member is therefore checked against the central directory as read by
// zip_directory.h. Only regular files and directories come out; links, devices, fifos and
// encrypted members are refused. Sizes are counted as data is decompressed.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "builder/util/status.h"
#include "builder/util/unique_fd.h"
#include "builder/wheel/wheel_install.h"
#include "builder/wheel/zip_directory.h"

struct archive;

namespace ignite::wheel {

struct ZipMember {
  std::string name;  // checked by check_member_name; a directory's without its trailing '/'
  bool is_directory = false;
  bool executable = false;          // the owner-exec bit of the zip's Unix mode
  std::uint64_t declared_size = 0;  // the central directory's uncompressed size (a hint only)
};

// The wheel file, opened once: both passes of an install read the same bytes even if the path
// is replaced meanwhile.
class WheelFile {
 public:
  // Opens the file and reads its central directory. NOT_FOUND when missing, INVALID_ARGUMENT
  // when not a regular file, and read_central_directory's errors.
  static Result<WheelFile> open(const std::string& path, const InstallLimits& limits);
  int fd() const { return fd_.get(); }
  std::uint64_t size() const { return size_; }
  const std::vector<CentralEntry>& central() const { return central_; }

 private:
  WheelFile(UniqueFd fd, std::uint64_t size) : fd_(std::move(fd)), size_(size) {}
  UniqueFd fd_;
  std::uint64_t size_;
  std::vector<CentralEntry> central_;
};

// One pass over the members, each checked against the central directory: same members, same
// names (libarchive reads names from the local headers). Errors: DATA_LOSS for a damaged zip
// (a CRC or size that does not match included), INVALID_ARGUMENT for a bad name, a name the
// two headers disagree on, or a member type other than file and directory (with the member
// named), RESOURCE_EXHAUSTED past a limit.
class ZipPass {
 public:
  ZipPass(const WheelFile& file, const InstallLimits& limits);
  ~ZipPass();
  ZipPass(const ZipPass&) = delete;
  ZipPass& operator=(const ZipPass&) = delete;

  // Opens the zip; must be called once, first.
  Status start();
  // The next member, or nullopt after the last.
  Result<std::optional<ZipMember>> next();
  // Streams the current member's data to `sink` in chunks; at most `cap` bytes (and the
  // limits) before RESOURCE_EXHAUSTED. A member's data may be read once; unread data is
  // skipped by next(). Errors do not name the member: the caller adds it.
  Status read(const std::function<Status(std::string_view)>& sink, std::uint64_t cap);
  // read() into a string.
  Result<std::string> read_all(std::uint64_t cap);

 private:
  struct Locale;
  friend struct ZipCallbacks;  // libarchive's read and seek callbacks, over file_'s fd
  Status damaged(std::string_view what) const;

  const WheelFile& file_;
  std::uint64_t pos_ = 0;
  std::unique_ptr<char[]> buf_;
  InstallLimits limits_;
  archive* a_ = nullptr;
  std::unique_ptr<Locale> locale_;
  std::string current_;
  const CentralEntry* entry_ = nullptr;  // the current member's
  std::size_t members_ = 0;
  std::uint64_t total_bytes_ = 0;
};

}  // namespace ignite::wheel
