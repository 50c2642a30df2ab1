#include "builder/index/file_choice.h"

#include <map>
#include <optional>

namespace ignite::index {

TargetSelection TargetSelection::make(const python::PythonTarget& target,
                                      const python::Environment& env) {
  auto version = python::Version::parse(env.get("python_full_version").value_or("3.11.2"));
  if (!version.ok()) version = python::Version::parse("3.11.2");
  return TargetSelection{python::TagPriority(python::target_tags(target)), *version};
}

TargetSelection TargetSelection::image_default() {
  return make(python::PythonTarget{}, python::Environment::target_default());
}

bool fits_target(const FileOption& option, const TargetSelection& target) {
  if (!target.tags.best_rank(option.wheel.tags)) return false;
  const auto& rp = option.candidate.requires_python;
  return !rp || rp->contains(target.python_version, /*prereleases=*/true);
}

std::vector<std::size_t> choose_files(const std::vector<FileOption>& options,
                                      const TargetSelection& target) {
  struct Best {
    std::size_t index;
    bool python_ok;
    bool yanked;
    std::size_t rank;
  };
  std::vector<python::Version> order;  // versions in order of first appearance
  std::map<python::Version, Best> best;
  for (std::size_t i = 0; i < options.size(); ++i) {
    const FileOption& o = options[i];
    const auto tag_rank = target.tags.best_rank(o.wheel.tags);
    if (!tag_rank) continue;
    const std::size_t rank = *tag_rank;
    const bool python_ok = fits_target(o, target);
    const bool yanked = o.candidate.yanked;
    auto it = best.find(o.wheel.version);
    if (it == best.end()) {
      best.emplace(o.wheel.version, Best{i, python_ok, yanked, rank});
      order.push_back(o.wheel.version);
      continue;
    }
    Best& b = it->second;
    bool better = false;
    if (python_ok != b.python_ok) {
      better = python_ok;
    } else if (yanked != b.yanked) {
      better = !yanked;
    } else if (rank != b.rank) {
      better = rank < b.rank;
    } else {
      const auto& mine = o.wheel.build;
      const auto& theirs = options[b.index].wheel.build;
      // No build tag sorts below any build tag (pip: () < (1, "")).
      better = mine.has_value() && (!theirs.has_value() || *theirs < *mine);
    }
    if (better) b = Best{i, python_ok, yanked, rank};
  }
  std::vector<std::size_t> out;
  out.reserve(order.size());
  for (const auto& v : order) out.push_back(best.at(v).index);
  return out;
}

}  // namespace ignite::index
