// OciLayout: refs in index.json. Every change is a read-modify-write under LayoutLock with an
// atomic replace; reads take no lock (they see the old or the new file, whole).
#include <functional>
#include <map>
#include <memory>
#include <mutex>

#include "builder/oci/descriptor_json.h"
#include "builder/oci/layout_lock.h"
#include "builder/oci/layout_reference.h"
#include "builder/oci/manifest.h"
#include "builder/oci/media_types.h"
#include "builder/oci/oci_layout.h"
#include "builder/util/file_io.h"
#include "builder/util/json_codec.h"

namespace ignite::oci {
namespace {

// The ref name of an index.json entry, or "" when it has none.
std::string ref_name_of(const Json& entry) {
  if (!entry.is_object()) return {};
  auto a = entry.find("annotations");
  if (a == entry.end() || !a->is_object()) return {};
  auto n = a->find(std::string(kAnnotationRefName));
  return n != a->end() && n->is_string() ? n->get<std::string>() : std::string();
}

// index.json as read last, parsed and checked, per layout directory of this process. A build
// reads it three times (the later-refs check, the missing refs, its own ref) and a store holds a
// ref per version, so parsing it anew each time grew to most of a build's CPU. Keyed by the
// file's bytes, not its stat: a replaced index.json may reuse the inode, size and (coarse) mtime
// of the one before, but never its bytes while naming other refs.
struct ParsedIndex {
  std::string bytes;
  Json index;                  // "manifests" always an array
  std::vector<RefEntry> refs;  // the named entries, in order
};

class IndexCache {
 public:
  Result<std::shared_ptr<const ParsedIndex>> get(const std::string& dir) {
    const std::string path = dir + "/index.json";
    IGNITE_ASSIGN_OR_RETURN(std::string bytes, read_file(path));
    {
      std::lock_guard lock(mutex_);
      auto found = parsed_.find(dir);
      if (found != parsed_.end() && found->second->bytes == bytes) return found->second;
    }
    auto parsed = std::make_shared<ParsedIndex>();
    IGNITE_ASSIGN_OR_RETURN(parsed->index, parse_json_object(bytes, path));
    // Checks every entry's shape once, so callers may trust it.
    auto manifests = index_manifests(parsed->index);
    if (!manifests.ok()) return manifests.status().with_context(path);
    if (!parsed->index.contains("manifests") || parsed->index["manifests"].is_null()) {
      parsed->index["manifests"] = Json::array();
    }
    for (std::size_t i = 0; i < manifests->size(); ++i) {
      std::string name = ref_name_of(parsed->index["manifests"][i]);
      if (!name.empty()) {
        parsed->refs.push_back(RefEntry{std::move(name), std::move((*manifests)[i])});
      }
    }
    parsed->bytes = std::move(bytes);
    std::lock_guard lock(mutex_);
    parsed_[dir] = parsed;
    return std::shared_ptr<const ParsedIndex>(parsed);
  }

 private:
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<const ParsedIndex>> parsed_;
};

IndexCache& index_cache() {
  static IndexCache* cache = new IndexCache();  // never destroyed: used until the process ends
  return *cache;
}

Result<Json> read_index(const std::string& dir) {
  IGNITE_ASSIGN_OR_RETURN(std::shared_ptr<const ParsedIndex> parsed, index_cache().get(dir));
  return parsed->index;
}

// Applies `change` to index.json's manifests under the lock. `change` returns false to leave
// the file untouched.
Status update_index(const std::string& dir, const std::function<Result<bool>(Json&)>& change) {
  IGNITE_ASSIGN_OR_RETURN(LayoutLock lock, LayoutLock::acquire(dir));
  IGNITE_ASSIGN_OR_RETURN(Json index, read_index(dir));
  IGNITE_ASSIGN_OR_RETURN(bool changed, change(index["manifests"]));
  if (!changed) return ok_status();
  IGNITE_ASSIGN_OR_RETURN(std::string bytes, canonical_json(index));
  return write_file_atomic(dir + "/index.json", bytes);
}

}  // namespace

Status OciLayout::set_ref(std::string_view name, const Descriptor& manifest, ExistingRef existing) {
  const std::string context = "setting ref \"" + std::string(name) + "\" in OCI layout " + dir_;
  IGNITE_RETURN_IF_ERROR(validate_ref_name(name).with_context(context));
  // Docker schema 2 manifests are kept as they are (an image draft keeps its digest); the
  // image-layout spec lets index.json carry other media types than its own.
  if (manifest.media_type != kMediaTypeManifest && manifest.media_type != kMediaTypeIndex &&
      manifest.media_type != kMediaTypeDockerManifest &&
      manifest.media_type != kMediaTypeDockerManifestList) {
    return invalid_argument(context + ": media type \"" + manifest.media_type +
                            "\" is not an OCI or Docker schema 2 image manifest or index");
  }
  if (!has_blob(manifest.digest)) {
    return failed_precondition(context + ": manifest " + manifest.digest.to_string() +
                               " is not stored in the layout (store blobs before refs)");
  }
  Descriptor entry = manifest;
  entry.annotations[std::string(kAnnotationRefName)] = std::string(name);
  Status s = update_index(dir_, [&](Json& manifests) -> Result<bool> {
    bool same = false;
    for (const auto& m : manifests) {
      if (ref_name_of(m) != name) continue;
      const std::string current = m["digest"].get<std::string>();
      if (current == manifest.digest.to_string()) {
        same = true;
        continue;
      }
      if (existing == ExistingRef::kRefuse) {
        return already_exists("it already points to " + current + ", not " +
                              manifest.digest.to_string() +
                              " (a version's ref is never moved; ExistingRef::kReplace moves "
                              "a mutable one)");
      }
    }
    if (same) {
      std::size_t named = 0;
      for (const auto& m : manifests) named += ref_name_of(m) == name;
      if (named == 1) return false;  // already so: leave the file alone
    }
    Json kept = Json::array();
    for (auto& m : manifests) {
      if (ref_name_of(m) != name) kept.push_back(std::move(m));
    }
    kept.push_back(descriptor_to_json(entry));
    manifests = std::move(kept);
    return true;
  });
  return s.with_context(context);
}

Status OciLayout::remove_ref(std::string_view name) {
  const std::string context = "removing ref \"" + std::string(name) + "\" from OCI layout " + dir_;
  Status s = update_index(dir_, [&](Json& manifests) -> Result<bool> {
    Json kept = Json::array();
    for (auto& m : manifests) {
      if (ref_name_of(m) != name) kept.push_back(std::move(m));
    }
    if (kept.size() == manifests.size()) return not_found("no such ref");
    manifests = std::move(kept);
    return true;
  });
  return s.with_context(context);
}

Result<std::vector<RefEntry>> OciLayout::list_refs() const {
  auto parsed = index_cache().get(dir_);
  if (!parsed.ok()) return parsed.status().with_context("listing refs of OCI layout " + dir_);
  return (*parsed)->refs;
}

Result<Descriptor> OciLayout::resolve(std::string_view name) const {
  const std::string context = "resolving ref \"" + std::string(name) + "\" in OCI layout " + dir_;
  auto refs = list_refs();
  if (!refs.ok()) return refs.status().with_context(context);
  const RefEntry* found = nullptr;
  for (const auto& r : *refs) {
    if (r.name != name) continue;
    if (found != nullptr && found->manifest.digest != r.manifest.digest) {
      return failed_precondition(context + ": it names two manifests, " +
                                 found->manifest.digest.to_string() + " and " +
                                 r.manifest.digest.to_string());
    }
    found = &r;
  }
  if (found == nullptr) return not_found(context + ": no such ref");
  return found->manifest;
}

}  // namespace ignite::oci
