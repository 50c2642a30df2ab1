#include "builder/index/wheel_metadata.h"

#include <archive.h>
#include <archive_entry.h>

#include <cerrno>
#include <memory>

#include "builder/python/names.h"

namespace ignite::index {
namespace {

using ArchivePtr = std::unique_ptr<archive, decltype(&archive_read_free)>;

// "pkg-1.0.dist-info/METADATA" -> "pkg-1.0.dist-info"; "" for anything else.
std::string_view dist_info_dir(std::string_view path) {
  const std::size_t slash = path.find('/');
  if (slash == std::string_view::npos || path.substr(slash + 1) != "METADATA") return {};
  std::string_view dir = path.substr(0, slash);
  return dir.ends_with(".dist-info") ? dir : std::string_view();
}

bool dir_matches_project(std::string_view dir, std::string_view project) {
  std::string_view stem = dir.substr(0, dir.size() - std::string_view(".dist-info").size());
  // "<name>-<version>": the name part is before the first '-' (names in dist-info
  // directories are escaped with '_').
  const std::size_t dash = stem.find('-');
  return python::canonicalize_name(stem.substr(0, dash)) == python::canonicalize_name(project);
}

Result<std::string> read_metadata(archive* a, std::string_view project, const std::string& label) {
  const std::string where = "reading wheel " + label;
  archive_entry* entry = nullptr;
  std::string found_dir;
  std::string metadata;
  while (true) {
    const int rc = archive_read_next_header(a, &entry);
    if (rc == ARCHIVE_EOF) break;
    if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN) {
      return data_loss(where + ": " +
                       (archive_error_string(a) ? archive_error_string(a) : "not a zip file"));
    }
    const char* name = archive_entry_pathname(entry);
    if (name == nullptr) continue;
    std::string_view dir = dist_info_dir(name);
    if (dir.empty() || !dir_matches_project(dir, project)) continue;
    if (!found_dir.empty()) {
      return data_loss(where + ": more than one .dist-info directory (" + found_dir + ", " +
                       std::string(dir) + ")");
    }
    found_dir = std::string(dir);
    const la_int64_t size = archive_entry_size(entry);
    if (size > static_cast<la_int64_t>(kMaxMetadataBytes)) {
      return data_loss(where + ": " + std::string(name) + " is larger than " +
                       std::to_string(kMaxMetadataBytes) + " bytes");
    }
    char buf[16384];
    while (true) {
      const la_ssize_t n = archive_read_data(a, buf, sizeof buf);
      if (n == 0) break;
      if (n < 0) {
        return data_loss(where + ": " + std::string(name) + ": " +
                         (archive_error_string(a) ? archive_error_string(a) : "read error"));
      }
      metadata.append(buf, static_cast<std::size_t>(n));
      if (metadata.size() > kMaxMetadataBytes) {
        return data_loss(where + ": " + std::string(name) + " is larger than " +
                         std::to_string(kMaxMetadataBytes) + " bytes");
      }
    }
  }
  if (found_dir.empty()) {
    return data_loss(where + ": no " + python::canonicalize_name(project) +
                     "-*.dist-info/METADATA at the top of the wheel");
  }
  return metadata;
}

ArchivePtr new_zip_reader() {
  ArchivePtr a(archive_read_new(), archive_read_free);
  archive_read_support_format_zip(a.get());
  return a;
}

}  // namespace

Result<std::string> read_wheel_metadata(const std::string& path, std::string_view project) {
  ArchivePtr a = new_zip_reader();
  if (archive_read_open_filename(a.get(), path.c_str(), 1 << 16) != ARCHIVE_OK) {
    const int err = archive_errno(a.get());
    if (err == ENOENT) return not_found("reading wheel " + path + ": no such file");
    return data_loss(
        "reading wheel " + path + ": " +
        (archive_error_string(a.get()) ? archive_error_string(a.get()) : "cannot open"));
  }
  return read_metadata(a.get(), project, path);
}

Result<std::string> read_wheel_metadata_bytes(std::string_view bytes, std::string_view project,
                                              std::string_view label) {
  ArchivePtr a = new_zip_reader();
  if (archive_read_open_memory(a.get(), bytes.data(), bytes.size()) != ARCHIVE_OK) {
    return data_loss(
        "reading wheel " + std::string(label) + ": " +
        (archive_error_string(a.get()) ? archive_error_string(a.get()) : "cannot open"));
  }
  return read_metadata(a.get(), project, std::string(label));
}

}  // namespace ignite::index
