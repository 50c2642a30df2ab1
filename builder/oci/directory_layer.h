// A layer's plan from a directory on disk: the runtime host (templates/python/ under
// opt/ignite/host) with normalized modes, or a base root filesystem (made by debootstrap)
// with its real modes and owners.
#pragma once

#include <string>
#include <vector>

#include "builder/oci/layer_plan.h"
#include "builder/util/status.h"

namespace ignite::oci {

// Which metadata of the files on disk reaches the layer. Either way every mtime is the epoch
// and the order is sorted by path.
enum class ModePolicy {
  kNormalize,      // files 0644 or 0755 by the owner-exec bit, directories 0755, owner 0:0
  kPreserveModes,  // mode bits as on disk (setuid, setgid, sticky too) and numeric uid/gid
};

// Device files, fifos and sockets.
enum class SpecialFiles {
  kRefuse,   // INVALID_ARGUMENT naming the first one (what a host layer expects: none)
  kSkip,     // left out and listed in DirectoryPlan::skipped (the default for a base rootfs:
             // the runtime mounts its own /dev, and writing device nodes needs CAP_MKNOD)
  kInclude,  // devices and fifos written as tar entries; sockets, which tar cannot hold, skipped
};

struct DirectoryLayerOptions {
  // Where the directory's contents go in the layer, e.g. "opt/ignite/host"; "" for the root.
  // A non-empty prefix and its ancestors become directory entries (the prefix itself takes the
  // root directory's mode under kPreserveModes, 0755 0:0 otherwise).
  std::string prefix;
  ModePolicy modes = ModePolicy::kNormalize;
  SpecialFiles special_files = SpecialFiles::kRefuse;
};

struct DirectoryPlan {
  LayerPlan plan;
  std::vector<std::string> skipped;  // layer paths left out (SpecialFiles::kSkip, sockets)
};

// Walks `root` without following symlinks. The second and later paths of one inode (a regular
// file with several links) become hard link entries to the first path in sorted order. File
// bytes are read when the plan is written; files must not change in between.
Result<DirectoryPlan> plan_directory_layer(const std::string& root,
                                           const DirectoryLayerOptions& options);

}  // namespace ignite::oci
