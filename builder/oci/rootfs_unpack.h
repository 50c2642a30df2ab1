// Unpacking an image's layers into a root filesystem on disk, as a container runtime would:
// layers in order, whiteouts (".wh.<name>" removes <name> of lower layers, ".wh..wh..opq"
// empties the directory) applied, device nodes, fifos and sockets skipped (nothing here
// needs them), owners kept when running as root. Used to run the base image's own
// interpreter over a dependency tree (bytecode, builder/pipeline/target_python.h).
#pragma once

#include <string>

#include "builder/oci/image_reader.h"
#include "builder/oci/oci_layout.h"
#include "builder/util/status.h"

namespace ignite::oci {

// Unpacks every layer of `image` (each a blob of `layout`, tar or tar+gzip; others
// UNIMPLEMENTED) into `dest`, which must not exist yet (ALREADY_EXISTS). No entry may leave
// `dest`: absolute paths, "..", writes, whiteouts and hard link targets through a symlink
// are refused (INVALID_ARGUMENT naming the layer and the entry); symlinks themselves may
// point anywhere, since nothing here follows them. Hard links must name an earlier file.
// Modes and mtimes are kept (directories' applied once every layer is in, so a read-only
// directory still takes its later entries); owners only when running as root, the caller's
// otherwise. Each blob is checked while it streams: DATA_LOSS when its digest or its tar's
// diff_id is not the image's. NOT_FOUND naming the layer when a blob is not in the layout.
// On error `dest` may hold a partial tree: the caller unpacks into a temporary directory and
// renames.
Status unpack_rootfs(const OciLayout& layout, const StoredImage& image, const std::string& dest);

}  // namespace ignite::oci
