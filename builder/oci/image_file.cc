#include "builder/oci/image_file.h"

#include <archive.h>
#include <archive_entry.h>

#include "builder/oci/media_types.h"
#include "builder/source/source_path.h"
#include "builder/util/archive_read.h"

namespace ignite::oci {
namespace {

constexpr std::size_t kReadBlockBytes = 1 << 20;

// What one layer says about the path.
enum class Found { kNothing, kFile, kRemoved, kNotAFile };
struct LayerAnswer {
  Found found = Found::kNothing;
  std::string content;
  bool opaque_above = false;  // an opaque whiteout hides the lower layers' copies
};

std::string parent_of(std::string_view path) {
  const auto slash = path.rfind('/');
  return slash == std::string_view::npos ? "" : std::string(path.substr(0, slash));
}

std::string base_of(std::string_view path) {
  const auto slash = path.rfind('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

// `name` removes or hides `path`: ".wh.<x>" where <x> is path or a directory above it, in that
// directory's parent.
bool whiteout_of(const std::string& name, std::string_view path) {
  const std::string base = base_of(name);
  if (!base.starts_with(".wh.") || base == ".wh..wh..opq") return false;
  const std::string parent = parent_of(name);
  const std::string removed = (parent.empty() ? "" : parent + "/") + base.substr(4);
  return path == removed || path.starts_with(removed + "/");
}

bool opaque_above(const std::string& name, std::string_view path) {
  if (base_of(name) != ".wh..wh..opq") return false;
  const std::string dir = parent_of(name);
  return dir.empty() || path.starts_with(dir + "/");
}

Result<LayerAnswer> read_layer(const std::string& file, bool gzip, std::string_view path,
                               std::size_t max_bytes) {
  ArchiveReadPtr a(archive_read_new());
  if (!a) return internal_error("libarchive: out of memory");
  if (gzip) archive_read_support_filter_gzip(a.get());
  archive_read_support_format_tar(a.get());
  if (archive_read_open_filename(a.get(), file.c_str(), kReadBlockBytes) != ARCHIVE_OK) {
    return data_loss("not a readable tar: " + archive_error(a.get()));
  }
  LayerAnswer answer;
  for (;;) {
    archive_entry* e = nullptr;
    const int r = archive_read_next_header(a.get(), &e);
    if (r == ARCHIVE_EOF) break;
    if (r < ARCHIVE_WARN) return data_loss("not a readable tar: " + archive_error(a.get()));
    const std::string name = normalize_member_name(archive_entry_name(e));
    if (whiteout_of(name, path)) {
      // Removes lower layers' copies; a copy this layer adds (before or after) still counts.
      if (answer.found == Found::kNothing) answer.found = Found::kRemoved;
      continue;
    }
    if (opaque_above(name, path)) answer.opaque_above = true;
    if (name != path) continue;
    if (archive_entry_filetype(e) != AE_IFREG) {
      answer.found = Found::kNotAFile;
      continue;
    }
    const la_int64_t size = archive_entry_size(e);
    if (size < 0 || static_cast<std::size_t>(size) > max_bytes) {
      return resource_exhausted("/" + std::string(path) + " is larger than " +
                                std::to_string(max_bytes) + " bytes");
    }
    std::string content(static_cast<std::size_t>(size), '\0');
    std::size_t done = 0;
    while (done < content.size()) {
      const la_ssize_t n = archive_read_data(a.get(), content.data() + done, content.size() - done);
      if (n < 0) return data_loss("reading /" + std::string(path) + ": " + archive_error(a.get()));
      if (n == 0) return data_loss("/" + std::string(path) + " is cut short");
      done += static_cast<std::size_t>(n);
    }
    answer.found = Found::kFile;  // a later entry of the same layer would win; keep reading
    answer.content = std::move(content);
  }
  return answer;
}

}  // namespace

Result<std::optional<std::string>> read_image_file(const OciLayout& layout,
                                                   const ImageManifest& manifest,
                                                   std::string_view path, std::size_t max_bytes) {
  for (auto layer = manifest.layers.rbegin(); layer != manifest.layers.rend(); ++layer) {
    const std::string what = "layer " + layer->digest.to_string();
    if (!layout.has_blob(layer->digest)) {
      return not_found(what + " is not in OCI layout " + layout.dir() + " (reading /" +
                       std::string(path) + ")");
    }
    const std::string media = std::string(layer_media_type_as_oci(layer->media_type));
    if (media != kMediaTypeLayerGzip && media != kMediaTypeLayerTar) {
      return failed_precondition(what + ": media type " + layer->media_type +
                                 " is not a tar or tar+gzip layer");
    }
    auto answer =
        read_layer(layout.blob_path(layer->digest), media == kMediaTypeLayerGzip, path, max_bytes);
    if (!answer.ok()) return answer.status().with_context(what);
    switch (answer->found) {
      case Found::kFile:
        return std::optional<std::string>(std::move(answer->content));
      case Found::kRemoved:
      case Found::kNotAFile:
        return std::optional<std::string>();
      case Found::kNothing:
        break;
    }
    if (answer->opaque_above) return std::optional<std::string>();
  }
  return std::optional<std::string>();
}

}  // namespace ignite::oci
