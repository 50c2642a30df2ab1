// Reading a layer written from a SourceTree (tree_layer.h) back into that tree: what `verify`
// hashes to check an app layer against its codeHash (builder/verify/).
#pragma once

#include <string_view>

#include "builder/oci/descriptor.h"
#include "builder/oci/oci_layout.h"
#include "builder/source/intake.h"
#include "builder/source/source_tree.h"
#include "builder/util/status.h"

namespace ignite::oci {

// The files and symlinks under `prefix`/ in `layer` (a tar or tar+gzip blob of `layout`), as the
// SourceTree whose plan_tree_layer would hold them, so code_hash() gives the codeHash it was
// made from:
//   - a regular file is kFile, or kExecutable when its owner-exec bit (0100) is set;
//   - a symlink keeps its target exactly as stored;
//   - a hard link is the file it names (codeHash v1 hashes it as that file);
//   - directories are recorded, never hashed (an empty one changes nothing).
// `prefix` itself and its ancestors must be directories. INVALID_ARGUMENT naming the entry for
// anything plan_tree_layer never writes: an entry outside `prefix`, a whiteout (".wh."), a
// device or fifo, a path codeHash v1 refuses, a duplicate path, a hard link to no earlier file.
// DATA_LOSS when the blob is not a readable tar (or gzip); NOT_FOUND when the layout lacks it;
// RESOURCE_EXHAUSTED past `limits` (intake's: no draft it accepts is larger).
Result<SourceTree> read_tree_layer(const OciLayout& layout, const Descriptor& layer,
                                   std::string_view prefix, const IntakeLimits& limits = {});

}  // namespace ignite::oci
