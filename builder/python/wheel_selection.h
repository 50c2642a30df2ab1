// Choosing among wheels by their tags: a wheel ranks as its best tag in the target's
// ordered tag list (packaging's create_compatible_tags_selector), so a cp311 manylinux
// wheel beats an abi3 one, which beats py3-none-any.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <vector>

#include "builder/python/dist_filename.h"
#include "builder/python/tag.h"

namespace ignite::python {

class TagPriority {
 public:
  // `ordered`: most preferred first, e.g. target_tags(target). A repeated tag keeps its
  // first (best) rank.
  explicit TagPriority(const std::vector<Tag>& ordered);

  // 0 for the most preferred tag; nullopt for a tag the target does not accept.
  std::optional<std::size_t> rank(const Tag& tag) const;
  // The best rank among the tags (a wheel's compressed set), or nullopt if none fits.
  std::optional<std::size_t> best_rank(const std::vector<Tag>& tags) const;

 private:
  std::map<Tag, std::size_t> ranks_;
};

// The index of the best wheel among `wheels` (normally one project and version): the one
// whose best tag ranks highest; on a tie, the higher build tag (as pip does), then the
// earlier in the list. nullopt when no wheel fits the target.
std::optional<std::size_t> select_best_wheel(const std::vector<WheelFilename>& wheels,
                                             const TagPriority& priority);

}  // namespace ignite::python
