#include "builder/python/wheel_selection.h"

namespace ignite::python {

TagPriority::TagPriority(const std::vector<Tag>& ordered) {
  for (std::size_t i = 0; i < ordered.size(); ++i) ranks_.emplace(ordered[i], i);
}

std::optional<std::size_t> TagPriority::rank(const Tag& tag) const {
  auto it = ranks_.find(tag);
  if (it == ranks_.end()) return std::nullopt;
  return it->second;
}

std::optional<std::size_t> TagPriority::best_rank(const std::vector<Tag>& tags) const {
  std::optional<std::size_t> best;
  for (const Tag& t : tags) {
    std::optional<std::size_t> r = rank(t);
    if (r && (!best || *r < *best)) best = r;
  }
  return best;
}

std::optional<std::size_t> select_best_wheel(const std::vector<WheelFilename>& wheels,
                                             const TagPriority& priority) {
  std::optional<std::size_t> best_index;
  std::size_t best_rank = 0;
  for (std::size_t i = 0; i < wheels.size(); ++i) {
    std::optional<std::size_t> r = priority.best_rank(wheels[i].tags);
    if (!r) continue;
    bool better = !best_index || *r < best_rank;
    if (best_index && *r == best_rank) {
      // No build tag sorts below any build tag.
      const std::optional<BuildTag>& mine = wheels[i].build;
      const std::optional<BuildTag>& theirs = wheels[*best_index].build;
      better = mine && (!theirs || *mine > *theirs);
    }
    if (better) {
      best_index = i;
      best_rank = *r;
    }
  }
  return best_index;
}

}  // namespace ignite::python
