// The counters and limits that every intake path (archive, directory) applies alike.
#pragma once

#include <cstdint>
#include <string>
#include <sys/types.h>

#include "builder/source/intake.h"

namespace ignite {

class IntakeChecks {
 public:
  explicit IntakeChecks(const IntakeLimits& limits) : limits_(limits) {}

  // One more file, symlink or directory named `path`.
  Status count_entry(const std::string& path);
  // `size` is the (declared or so far read) size of the file at `path`.
  Status check_file_size(const std::string& path, std::uint64_t size) const;
  // `n` more bytes of file content for `path`, against the total.
  Status add_bytes(const std::string& path, std::uint64_t n);
  // The archive stream has produced `total` uncompressed bytes in all (headers and padding
  // included); stops a bomb made of data that is never stored as file content.
  Status check_stream_bytes(std::uint64_t total) const;

  const IntakeLimits& limits() const { return limits_; }

 private:
  IntakeLimits limits_;
  std::uint64_t entries_ = 0;
  std::uint64_t bytes_ = 0;
};

// "a device file", "a fifo", ... for error messages.
std::string file_type_name(mode_t type);

// The whole-tree checks, and handler.py when the options require it.
Status finish_tree(const SourceTree& tree, const IntakeOptions& options);

}  // namespace ignite
