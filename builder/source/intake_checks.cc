#include "builder/source/intake_checks.h"

#include <sys/stat.h>

#include "builder/source/source_path.h"

namespace ignite {
namespace {

// Allowance for archive headers, extended headers and padding per entry, beyond file data.
constexpr std::uint64_t kStreamOverheadPerEntry = 16 << 10;
constexpr std::uint64_t kStreamOverheadFixed = 1 << 20;

std::string mib(std::uint64_t bytes) {
  if (bytes % (1 << 20) == 0) return std::to_string(bytes >> 20) + " MiB";
  return std::to_string(bytes) + " bytes";
}

}  // namespace

Status IntakeChecks::count_entry(const std::string& path) {
  if (++entries_ > limits_.max_entries) {
    return resource_exhausted("entry " + quote_path(path) + ": the source holds more than " +
                              std::to_string(limits_.max_entries) +
                              " entries (the limit on files, symlinks and directories)");
  }
  return ok_status();
}

Status IntakeChecks::check_file_size(const std::string& path, std::uint64_t size) const {
  if (size > limits_.max_file_bytes) {
    return resource_exhausted("entry " + quote_path(path) + ": file is larger than the limit of " +
                              mib(limits_.max_file_bytes) + " per file");
  }
  return ok_status();
}

Status IntakeChecks::add_bytes(const std::string& path, std::uint64_t n) {
  bytes_ += n;
  if (bytes_ > limits_.max_total_bytes) {
    return resource_exhausted("entry " + quote_path(path) +
                              ": the source's files add up to more than the limit of " +
                              mib(limits_.max_total_bytes));
  }
  return ok_status();
}

Status IntakeChecks::check_stream_bytes(std::uint64_t total) const {
  const std::uint64_t allowed =
      limits_.max_total_bytes + (entries_ + 1) * kStreamOverheadPerEntry + kStreamOverheadFixed;
  if (total > allowed) {
    return resource_exhausted("the archive decompresses to more than " + mib(allowed) +
                              " (the limit of " + mib(limits_.max_total_bytes) +
                              " of file data, plus room for headers)");
  }
  return ok_status();
}

std::string file_type_name(mode_t type) {
  switch (type & S_IFMT) {
    case S_IFCHR: return "a character device";
    case S_IFBLK: return "a block device";
    case S_IFIFO: return "a fifo";
    case S_IFSOCK: return "a socket";
    case S_IFDIR: return "a directory";
    case S_IFLNK: return "a symlink";
    case S_IFREG: return "a regular file";
    default: return "an entry of unknown type";
  }
}

Status finish_tree(const SourceTree& tree, const IntakeOptions& options) {
  IGNITE_RETURN_IF_ERROR(tree.check_structure());
  if (options.require_handler == RequireHandler::kYes) IGNITE_RETURN_IF_ERROR(tree.check_handler());
  return ok_status();
}

}  // namespace ignite
