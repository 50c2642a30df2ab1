#include "builder/oci/tree_layer.h"

#include <string>

namespace ignite::oci {

Result<LayerPlan> plan_tree_layer(const SourceTree& tree, std::string_view prefix) {
  LayerPlan plan;
  const std::string base = prefix.empty() ? std::string() : std::string(prefix) + "/";
  const std::string context =
      "planning the layer of a source tree under " + std::string(prefix) + "/";
  if (!prefix.empty()) {
    LayerEntry dir;
    dir.type = LayerEntryType::kDirectory;
    dir.mode = 0755;
    IGNITE_RETURN_IF_ERROR(plan.add(std::string(prefix), dir).with_context(context));
  }
  // Directories come only as parents of files and symlinks (add_missing_parents below): an
  // empty directory is not in the codeHash, so it stays out of the layer too, and the app
  // layer is a function of the codeHash input and the epoch alone.
  for (const auto& [path, source] : tree.entries()) {
    LayerEntry e;
    switch (source.kind) {
      case EntryKind::kFile:
      case EntryKind::kExecutable:
        e.type = LayerEntryType::kRegular;
        e.mode = source.kind == EntryKind::kExecutable ? 0755 : 0644;
        e.size = source.data.size();
        e.data = source.data;
        break;
      case EntryKind::kSymlink:
        e.type = LayerEntryType::kSymlink;
        e.mode = 0777;
        e.link_target = source.data;
        break;
    }
    IGNITE_RETURN_IF_ERROR(plan.add(base + path, std::move(e)).with_context(context));
  }
  plan.add_missing_parents();
  IGNITE_RETURN_IF_ERROR(plan.check().with_context(context));
  return plan;
}

}  // namespace ignite::oci
