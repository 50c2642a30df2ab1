// The app layer's plan: a draft's SourceTree placed under a prefix ("app"), exactly the tree
// and nothing added, with modes normalized (docs/oci-images.md, "Layer format").
#pragma once

#include <string_view>

#include "builder/oci/layer_plan.h"
#include "builder/source/source_tree.h"
#include "builder/util/status.h"

namespace ignite::oci {

// `prefix` and its ancestors as directories, then every file and symlink of `tree` below it,
// with their parent directories. Empty directories are left out: the layer holds exactly what
// the codeHash covers, so equal codeHashes (and epochs) give equal app layers. Directories
// 0755, files 0644 or 0755 (kExecutable), symlinks 0777; all 0:0.
// File bytes are referenced, not copied: `tree` must outlive the plan and its writing.
Result<LayerPlan> plan_tree_layer(const SourceTree& tree, std::string_view prefix);
// A temporary tree would leave the plan pointing at freed memory.
Result<LayerPlan> plan_tree_layer(SourceTree&& tree, std::string_view prefix) = delete;

}  // namespace ignite::oci
