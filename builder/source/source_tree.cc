#include "builder/source/source_tree.h"

#include <algorithm>
#include <vector>

#include "builder/source/source_path.h"
#include "builder/util/path_text.h"

namespace ignite {
namespace {

// Symlinks are followed at most this many times while resolving one path (Linux's MAXSYMLINKS).
constexpr int kMaxSymlinkHops = 40;

}  // namespace

char entry_kind_letter(EntryKind kind) {
  switch (kind) {
    case EntryKind::kFile:
      return 'f';
    case EntryKind::kExecutable:
      return 'x';
    case EntryKind::kSymlink:
      return 'l';
  }
  return '?';
}

const SourceEntry* SourceTree::find(const std::string& path) const {
  auto it = entries_.find(path);
  return it == entries_.end() ? nullptr : &it->second;
}

const SourceEntry* SourceTree::find_file(const std::string& path) const {
  const SourceEntry* e = find(path);
  if (e == nullptr || e->kind != EntryKind::kSymlink) return e;
  auto target = resolve_symlink(path);
  if (!target.ok()) return nullptr;
  const SourceEntry* t = find(*target);
  return t != nullptr && t->kind != EntryKind::kSymlink ? t : nullptr;
}

Status SourceTree::add(const std::string& path, SourceEntry entry) {
  if (entries_.count(path) || explicit_directories_.count(path)) {
    return invalid_argument("entry " + quote_path(path) + ": duplicate path");
  }
  if (entry.kind != EntryKind::kSymlink) total_bytes_ += entry.data.size();
  for (std::string dir = path_parent(path); !dir.empty(); dir = path_parent(dir)) {
    if (!directories_.insert(dir).second) break;
  }
  entries_.emplace(path, std::move(entry));
  return ok_status();
}

Status SourceTree::add_directory(const std::string& path) {
  if (entries_.count(path) || !explicit_directories_.insert(path).second) {
    return invalid_argument("entry " + quote_path(path) + ": duplicate path");
  }
  for (std::string dir = path; !dir.empty(); dir = path_parent(dir)) {
    if (!directories_.insert(dir).second) break;
  }
  return ok_status();
}

Status SourceTree::check_structure() const {
  // Anything below a symlink would be written through it when the tree is unpacked.
  auto through_symlink = [&](const std::string& path) -> Status {
    for (std::string dir = path_parent(path); !dir.empty(); dir = path_parent(dir)) {
      auto it = entries_.find(dir);
      if (it != entries_.end() && it->second.kind == EntryKind::kSymlink) {
        return invalid_argument("entry " + quote_path(path) + ": written through the symlink " +
                                quote_path(dir));
      }
    }
    return ok_status();
  };
  for (const auto& [path, entry] : entries_) IGNITE_RETURN_IF_ERROR(through_symlink(path));
  for (const auto& dir : explicit_directories_) IGNITE_RETURN_IF_ERROR(through_symlink(dir));

  // A file or symlink at a path that is also a directory (listed, or implied by an entry below it).
  for (const auto& [path, entry] : entries_) {
    if (directories_.count(path)) {
      return invalid_argument("entry " + quote_path(path) +
                              ": a file and a directory at the same path");
    }
  }
  // Every symlink must resolve, through any other symlinks, to a place inside the tree.
  for (const auto& [path, entry] : entries_) {
    if (entry.kind != EntryKind::kSymlink) continue;
    auto resolved = resolve_symlink(path);
    if (!resolved.ok()) return resolved.status();
  }
  return ok_status();
}

Result<std::string> SourceTree::resolve_symlink(const std::string& path) const {
  const SourceEntry* link = find(path);
  if (link == nullptr || link->kind != EntryKind::kSymlink) return path;
  auto refuse = [&](const std::string& why) {
    return invalid_argument("entry " + quote_path(path) + ": symlink to " + quote_path(link->data) +
                            " " + why);
  };
  if (link->data.empty()) return refuse("has an empty target");
  if (link->data.front() == '/') return refuse("points to an absolute path");

  // Resolve lexically: `stack` is the location so far, `pending` the components left (reversed).
  std::vector<std::string> stack;
  if (std::string dir = path_parent(path); !dir.empty()) stack = split_path(dir);
  std::vector<std::string> pending = split_path(link->data);
  std::reverse(pending.begin(), pending.end());
  auto joined = [&] {
    std::string here;
    for (const auto& s : stack) here += (here.empty() ? "" : "/") + s;
    return here;
  };
  int hops = 1;
  while (!pending.empty()) {
    std::string comp = std::move(pending.back());
    pending.pop_back();
    if (comp.empty() || comp == ".") continue;
    if (comp == "..") {
      if (stack.empty()) return refuse("leaves the source tree");
      stack.pop_back();
      continue;
    }
    stack.push_back(std::move(comp));
    std::string here = joined();
    auto it = entries_.find(here);
    if (it == entries_.end() || it->second.kind != EntryKind::kSymlink) continue;
    if (++hops > kMaxSymlinkHops) return refuse("is part of a symlink loop");
    const std::string& target = it->second.data;
    if (target.empty() || target.front() == '/') {
      return refuse("leaves the source tree through " + quote_path(here));
    }
    stack.pop_back();
    auto more = split_path(target);
    for (auto r = more.rbegin(); r != more.rend(); ++r) pending.push_back(*r);
  }
  return joined();
}

Status SourceTree::check_handler() const {
  static const std::string kHandler = "handler.py";
  const SourceEntry* h = find(kHandler);
  if (h == nullptr) {
    std::string found;
    for (const auto& [path, entry] : entries_) {
      if (path.size() > kHandler.size() && path.ends_with("/" + kHandler)) {
        found = path;
        break;
      }
    }
    if (!found.empty()) {
      return invalid_argument(
          "handler.py must be at the root of the source, but it was found at " + quote_path(found) +
          " (archives are not stripped of a top-level folder: pack the folder's contents, "
          "e.g. `tar -C " +
          path_parent(found) + " -czf draft.tar.gz .`)");
    }
    return invalid_argument(
        "no handler.py at the root of the source (the function's entry point "
        "is `def handler(payload, ctx)` in handler.py)");
  }
  if (h->kind == EntryKind::kSymlink) {
    IGNITE_RETURN_IF_ERROR(resolve_symlink(kHandler).status());
    if (find_file(kHandler) == nullptr) {
      return invalid_argument("handler.py is a symlink to " + quote_path(h->data) +
                              ", which is not a regular file in the source tree");
    }
  }
  return ok_status();
}

}  // namespace ignite
