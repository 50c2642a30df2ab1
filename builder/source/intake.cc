// Dispatch: which kind of source a path or a byte string is.
#include "builder/source/intake.h"

#include <sys/stat.h>

#include <cerrno>

#include "builder/source/directory_intake.h"
#include "builder/source/intake_checks.h"
#include "builder/util/file_io.h"

namespace ignite {
namespace {

bool ends_with_any(const std::string& s, std::initializer_list<std::string_view> suffixes) {
  for (auto suf : suffixes) {
    if (s.size() >= suf.size() && s.compare(s.size() - suf.size(), suf.size(), suf) == 0) return true;
  }
  return false;
}

Result<SourceTree> single_file_tree(std::string contents, const IntakeOptions& options) {
  IntakeChecks checks(options.limits);
  IGNITE_RETURN_IF_ERROR(checks.count_entry("handler.py"));
  IGNITE_RETURN_IF_ERROR(checks.check_file_size("handler.py", contents.size()));
  IGNITE_RETURN_IF_ERROR(checks.add_bytes("handler.py", contents.size()));
  SourceTree tree;
  IGNITE_RETURN_IF_ERROR(tree.add("handler.py", {EntryKind::kFile, std::move(contents)}));
  return tree;
}

}  // namespace

SourceFormat sniff_source_format(std::string_view head) {
  auto byte = [&](std::size_t i) { return static_cast<unsigned char>(head[i]); };
  if (head.size() >= 2 && byte(0) == 0x1f && byte(1) == 0x8b) return SourceFormat::kGzip;
  if (head.size() >= 4 && head.substr(0, 4) == std::string_view("PK\3\4", 4)) return SourceFormat::kZip;
  if (head.size() >= 262 && head.substr(257, 5) == "ustar") return SourceFormat::kTar;
  return SourceFormat::kHandlerText;
}

Result<SourceTree> read_source_bytes(std::string_view bytes, const IntakeOptions& options) {
  if (sniff_source_format(bytes) != SourceFormat::kHandlerText) {
    return read_archive_bytes(bytes, "sourceCode", options);
  }
  return single_file_tree(std::string(bytes), options);
}

Result<SourceTree> read_source_path(const std::string& path, const IntakeOptions& options) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return errno_status("reading source " + path, errno);
  if (S_ISDIR(st.st_mode)) return read_directory(path, options);
  if (!S_ISREG(st.st_mode)) {
    return invalid_argument("reading source " + path + ": " + file_type_name(st.st_mode) +
                            " is neither a file, a directory nor an archive");
  }
  // An archive can't be much larger than the data it holds; refuse before reading it all.
  IntakeChecks checks(options.limits);
  if (Status s = checks.check_stream_bytes(static_cast<std::uint64_t>(st.st_size)); !s.ok()) {
    return s.with_context("reading source " + path);
  }
  IGNITE_ASSIGN_OR_RETURN(std::string bytes, read_file(path));
  if (sniff_source_format(bytes) != SourceFormat::kHandlerText) {
    return read_archive_bytes(bytes, path, options);
  }
  if (ends_with_any(path, {".tar", ".tgz", ".tar.gz", ".zip", ".tar.xz", ".txz", ".tar.bz2",
                           ".tbz2", ".tar.zst", ".7z", ".rar"})) {
    return invalid_argument("reading source " + path +
                            ": the name says archive, but it is not a tar, tar.gz or zip archive "
                            "(the formats accepted; xz, bzip2, zstd, 7z and rar are not)");
  }
  auto tree = single_file_tree(std::move(bytes), options);
  if (!tree.ok()) return tree.status().with_context("reading source " + path);
  return tree;
}

}  // namespace ignite
