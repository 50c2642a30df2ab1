#include "builder/oci/layer_plan.h"

#include "builder/source/source_path.h"
#include "builder/util/path_text.h"

namespace ignite::oci {

Status validate_layer_path(std::string_view path) {
  auto refuse = [&](std::string_view why) {
    return invalid_argument("layer path " + quote_path(path) + " " + std::string(why));
  };
  if (path.empty()) return refuse("is empty");
  if (path.size() > kMaxLayerPathBytes) {
    return refuse("is longer than " + std::to_string(kMaxLayerPathBytes) + " bytes");
  }
  if (path.front() == '/') return refuse("is absolute");
  if (path.find('\0') != std::string_view::npos) return refuse("holds a NUL byte");
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    std::string_view comp = path.substr(start, slash - start);
    if (comp.empty()) return refuse("has an empty component");
    if (comp == "." || comp == "..") return refuse("has a \".\" or \"..\" component");
    if (comp.starts_with(".wh.")) {
      return refuse(
          "has a component starting with \".wh.\", which OCI layers reserve for "
          "whiteouts (it would delete a file of a lower layer)");
    }
    start = slash + 1;
  }
  return ok_status();
}

Status LayerPlan::add(const std::string& path, LayerEntry entry) {
  IGNITE_RETURN_IF_ERROR(validate_layer_path(path));
  if (entries_.count(path)) {
    return invalid_argument("layer path " + quote_path(path) + " is listed twice");
  }
  if (entry.type == LayerEntryType::kRegular) file_bytes_ += entry.size;
  entry.mode &= 07777;
  entries_.emplace(path, std::move(entry));
  return ok_status();
}

void LayerPlan::add_missing_parents() {
  std::map<std::string, LayerEntry> missing;
  for (const auto& [path, entry] : entries_) {
    for (std::string dir = path_parent(path); !dir.empty(); dir = path_parent(dir)) {
      if (entries_.count(dir) || missing.count(dir)) break;
      LayerEntry d;
      d.type = LayerEntryType::kDirectory;
      d.mode = 0755;
      missing.emplace(dir, std::move(d));
    }
  }
  entries_.merge(missing);
}

Status LayerPlan::check() const {
  for (const auto& [path, entry] : entries_) {
    if (std::string dir = path_parent(path); !dir.empty()) {
      auto it = entries_.find(dir);
      if (it == entries_.end()) {
        return failed_precondition("layer path " + quote_path(path) +
                                   " has no entry for its "
                                   "parent directory " +
                                   quote_path(dir));
      }
      if (it->second.type != LayerEntryType::kDirectory) {
        return invalid_argument("layer path " + quote_path(path) + " is below " + quote_path(dir) +
                                ", which is not a directory");
      }
    }
    if (entry.type == LayerEntryType::kHardlink) {
      auto target = entries_.find(entry.link_target);
      if (target == entries_.end() || target->first >= path ||
          target->second.type != LayerEntryType::kRegular) {
        return invalid_argument("layer path " + quote_path(path) + " is a hard link to " +
                                quote_path(entry.link_target) +
                                ", which is not a regular file earlier in the layer");
      }
    }
  }
  return ok_status();
}

}  // namespace ignite::oci
