#include "builder/oci/tree_layer_reader.h"

#include <archive.h>
#include <archive_entry.h>

#include <string>

#include "builder/oci/image_reader.h"
#include "builder/source/source_path.h"
#include "builder/util/archive_read.h"

namespace ignite::oci {
namespace {

bool is_whiteout(std::string_view path) {
  for (std::size_t start = 0; start <= path.size();) {
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    if (path.substr(start, end - start).starts_with(".wh.")) return true;
    start = end + 1;
  }
  return false;
}

class TreeLayerReader {
 public:
  TreeLayerReader(std::string_view prefix, const IntakeLimits& limits)
      : prefix_(prefix), limits_(limits) {}

  Result<SourceTree> read(const std::string& path, bool gzip) {
    IGNITE_ASSIGN_OR_RETURN(ArchiveReadPtr a, open_tar_file(path, gzip));
    for (;;) {
      archive_entry* e = nullptr;
      const int r = archive_read_next_header(a.get(), &e);
      if (r == ARCHIVE_EOF) break;
      if (r < ARCHIVE_WARN) return data_loss("not a readable tar: " + archive_error(a.get()));
      IGNITE_RETURN_IF_ERROR(add_entry(a.get(), e));
    }
    return std::move(tree_);
  }

 private:
  Status add_entry(archive* a, archive_entry* e) {
    const std::string name = normalize_member_name(archive_entry_name(e));
    const std::string quoted = quote_path(archive_entry_name(e));
    if (++entries_ > limits_.max_entries) {
      return resource_exhausted("more than " + std::to_string(limits_.max_entries) + " entries");
    }
    const auto type = archive_entry_filetype(e);
    if (name == prefix_ || std::string_view(prefix_).starts_with(name + "/")) {
      if (type != AE_IFDIR) return invalid_argument("entry " + quoted + " is not a directory");
      return ok_status();
    }
    if (!name.starts_with(prefix_ + "/")) {
      return invalid_argument("entry " + quoted + " is outside " + prefix_ + "/");
    }
    const std::string rel = name.substr(prefix_.size() + 1);
    if (is_whiteout(rel)) return invalid_argument("entry " + quoted + " is a whiteout");
    if (Status s = validate_source_path(rel); !s.ok()) {
      return invalid_argument("entry " + quoted + ": " + s.message());
    }
    if (const std::string target = archive_entry_hardlink_name(e); !target.empty()) {
      const std::string target_name = normalize_member_name(target);
      const SourceEntry* file = target_name.starts_with(prefix_ + "/")
                                    ? tree_.find(target_name.substr(prefix_.size() + 1))
                                    : nullptr;
      if (file == nullptr || file->kind == EntryKind::kSymlink) {
        return invalid_argument("hard link " + quoted + " names " + quote_path(target) +
                                ", which is no earlier file of the layer");
      }
      return add(rel, SourceEntry{*file}, quoted);
    }
    switch (type) {
      case AE_IFDIR:
        return tree_.add_directory(rel).with_context("entry " + quoted);
      case AE_IFLNK:
        return add(rel, {EntryKind::kSymlink, archive_entry_symlink_name(e)}, quoted);
      case AE_IFREG: {
        const bool exec = (archive_entry_perm(e) & 0100) != 0;
        IGNITE_ASSIGN_OR_RETURN(std::string data, read_data(a, e, quoted));
        return add(rel, {exec ? EntryKind::kExecutable : EntryKind::kFile, std::move(data)},
                   quoted);
      }
      default:
        return invalid_argument("entry " + quoted +
                                " is neither a file, a symlink nor a directory (type " +
                                std::to_string(type) + ")");
    }
  }

  Result<std::string> read_data(archive* a, archive_entry* e, const std::string& quoted) {
    const la_int64_t size = archive_entry_size(e);
    if (size < 0 || static_cast<std::uint64_t>(size) > limits_.max_file_bytes) {
      return resource_exhausted("file " + quoted + " is larger than " +
                                std::to_string(limits_.max_file_bytes) + " bytes");
    }
    total_ += static_cast<std::uint64_t>(size);
    if (total_ > limits_.max_total_bytes) {
      return resource_exhausted("the files hold more than " +
                                std::to_string(limits_.max_total_bytes) + " bytes");
    }
    std::string data(static_cast<std::size_t>(size), '\0');
    std::size_t got = 0;
    while (got < data.size()) {
      la_ssize_t n = archive_read_data(a, data.data() + got, data.size() - got);
      if (n < 0) return data_loss("reading " + quoted + ": " + archive_error(a));
      if (n == 0) return data_loss("reading " + quoted + ": the tar ends inside it");
      got += static_cast<std::size_t>(n);
    }
    return data;
  }

  Status add(const std::string& rel, SourceEntry entry, const std::string& quoted) {
    return tree_.add(rel, std::move(entry)).with_context("entry " + quoted);
  }

  std::string prefix_;
  IntakeLimits limits_;
  SourceTree tree_;
  std::uint64_t entries_ = 0;
  std::uint64_t total_ = 0;
};

}  // namespace

Result<SourceTree> read_tree_layer(const OciLayout& layout, const Descriptor& layer,
                                   std::string_view prefix, const IntakeLimits& limits) {
  const std::string context =
      "reading " + std::string(prefix) + "/ from layer " + layer.digest.to_string();
  auto file = layer_file(layout, layer);
  if (!file.ok()) return file.status().with_context(context);
  auto tree = TreeLayerReader(prefix, limits).read(file->path, file->gzip);
  if (!tree.ok()) return tree.status().with_context(context);
  return tree;
}

}  // namespace ignite::oci
