// Two layers compared file by file, for an auditor: which paths differ and how, not only that
// two digests do. Used by verify's dependency-layer check (a re-install against the image's
// layer) and by `verify --rebuild` (the first differing layer's first differing file).
//
//   IGNITE_ASSIGN_OR_RETURN(auto a, oci::read_layer_entries(layout, image_layer));
//   IGNITE_ASSIGN_OR_RETURN(auto b, oci::read_layer_entries(scratch, rebuilt_layer));
//   for (const auto& d : oci::diff_layer_entries(a, b)) print(d.path, d.what);
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "builder/oci/descriptor.h"
#include "builder/oci/oci_layout.h"
#include "builder/util/status.h"

namespace ignite::oci {

// (Not LayerEntry and EntryKind: layer_plan.h's LayerEntry is what a layer is written from, and
// ignite::EntryKind a source tree's; both are in scope wherever layers are built.)
enum class ComparedKind { kFile, kDirectory, kSymlink, kHardLink, kOther };

// One tar entry of a layer, as compared: what it is, its mode bits (07777), owner, size, the
// sha256 of its content (files), and its link target (symlinks, hard links). mtimes are not
// compared: every layer the builder writes pins them.
struct ComparedEntry {
  ComparedKind kind = ComparedKind::kFile;
  std::uint32_t mode = 0;
  std::int64_t uid = 0;
  std::int64_t gid = 0;
  std::int64_t size = 0;
  std::string sha256;  // lowercase hex, files only
  std::string link;    // symlink target or hard link's path, as the tar stores it
};

// Path (as in the tar, without a leading "./" or trailing "/") to entry.
using LayerEntries = std::map<std::string, ComparedEntry>;

// Reads layer `layer` (tar or tar+gzip, by its media type) from `layout`, streaming: only
// hashes are kept. NOT_FOUND naming the blob when the layout lacks it; DATA_LOSS naming the
// blob and the entry when the tar or gzip cannot be read, or a path appears twice.
Result<LayerEntries> read_layer_entries(const OciLayout& layout, const Descriptor& layer);

struct EntryDifference {
  std::string path;
  // "only in expected", "only in actual", or what differs: "content sha256:<a> != sha256:<b>",
  // "size 10 != 12", "mode 0644 != 0755", "type file != symlink", "link a != b",
  // "owner 0:0 != 1000:1000" (several joined with ", ").
  std::string what;
};

// Every path whose entry differs between `expected` and `actual`, in path order.
std::vector<EntryDifference> diff_layer_entries(const LayerEntries& expected,
                                                const LayerEntries& actual);

// The first `shown` differences as a report says them: "handler.py: content sha256:… !=
// sha256:…; util.py: only in actual; and 3 more".
std::string differences_summary(const std::vector<EntryDifference>& diffs, std::size_t shown);

}  // namespace ignite::oci
