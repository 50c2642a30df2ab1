#include "builder/resolve/resolution.h"

#include <algorithm>

namespace ignite::resolve {

std::string Reason::to_string() const {
  return requirement + " \u2190 " + (parent.empty() ? std::string("requested") : parent);
}

const Pin* Resolution::find(std::string_view canonical_name) const {
  auto it = std::lower_bound(
      pins.begin(), pins.end(), canonical_name,
      [](const Pin& pin, std::string_view name) { return pin.candidate.name < name; });
  return it != pins.end() && it->candidate.name == canonical_name ? &*it : nullptr;
}

}  // namespace ignite::resolve
