// Internal to the resolver: the search state, as resolvelib keeps it. A State is what one
// round works on; the resolver keeps a stack of them, one per pin, to go back to.
#pragma once

#include <memory>
#include <utility>
#include <vector>

#include "builder/resolve/candidate_pool.h"

namespace ignite::resolve::detail {

// One requirement on a key and the pin that declared it (resolvelib's
// RequirementInformation). `parent` is nullptr for a requested requirement.
struct Info {
  const Need* need = nullptr;
  KeyId parent_key = 0;
  const Candidate* parent = nullptr;
  friend bool operator==(const Info&, const Info&) = default;
};

// What is known about one key: the candidates still possible (newest first), the
// requirements on it, and the candidates found not to work.
struct Criterion {
  std::vector<const Candidate*> candidates;
  std::vector<Info> information;
  std::vector<const Candidate*> incompatibilities;
};
using CriterionPtr = std::shared_ptr<const Criterion>;

// Criteria by KeyId; a null entry (or one past the end) means no criterion yet. Copying
// one shares the Criterion objects, which are never changed once made.
using Criteria = std::vector<CriterionPtr>;

inline const Criterion* find_criterion(const Criteria& criteria, KeyId key) {
  return key < criteria.size() ? criteria[key].get() : nullptr;
}
inline void put_criterion(Criteria& criteria, KeyId key, CriterionPtr c) {
  if (key >= criteria.size()) criteria.resize(key + 1);
  criteria[key] = std::move(c);
}

struct State {
  Criteria criteria;
  std::vector<std::pair<KeyId, const Candidate*>> mapping;  // pins, in pinning order
  std::vector<const Candidate*> pins;                       // by KeyId, for lookup
  std::vector<Info> backtrack_causes;

  const Criterion* criterion(KeyId key) const { return find_criterion(criteria, key); }
  const Candidate* pin(KeyId key) const { return key < pins.size() ? pins[key] : nullptr; }
  // Pins the key, moving it to the end of the pinning order.
  void set_pin(KeyId key, const Candidate* candidate);
  // Removes the most recent pin; returns it.
  std::pair<KeyId, const Candidate*> pop_pin();
};

inline void State::set_pin(KeyId key, const Candidate* candidate) {
  std::erase_if(mapping, [&](const auto& entry) { return entry.first == key; });
  mapping.emplace_back(key, candidate);
  if (key >= pins.size()) pins.resize(key + 1, nullptr);
  pins[key] = candidate;
}

inline std::pair<KeyId, const Candidate*> State::pop_pin() {
  std::pair<KeyId, const Candidate*> last = mapping.back();
  mapping.pop_back();
  pins[last.first] = nullptr;
  return last;
}

}  // namespace ignite::resolve::detail
