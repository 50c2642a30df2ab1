// The search loop: resolvelib 1.2's Resolution (rounds, pinning, backjumping with its
// optimistic variant), over the CandidatePool. docs/resolver.md walks through it.
#include "builder/resolve/resolver.h"

#include <algorithm>
#include <optional>
#include <set>

#include "builder/resolve/candidate_pool.h"
#include "builder/resolve/conflict_report.h"
#include "builder/resolve/resolution_builder.h"
#include "builder/resolve/resolve_state.h"

namespace ignite::resolve {
namespace detail {
namespace {

// Optimistic backjumping may run for this share of the rounds left when it starts; if it
// has not found a way by then, the resolver returns to where it began and backjumps only
// to pins that took part in a conflict (resolvelib's _OPTIMISTIC_BACKJUMPING_RATIO).
inline constexpr double kOptimisticBackjumpingRatio = 0.1;

enum class Backjump {
  kResumed,    // went back to an earlier pin; the search goes on from there
  kExhausted,  // no earlier pin left to change
  kImpossible  // ran out of states (resolvelib's ResolutionImpossible from _backjump)
};

class Resolver {
 public:
  Resolver(PackageSource& source, const ResolveRequest& request)
      : pool_(source, request),
        max_rounds_(std::max(request.options.max_rounds, 0)),
        request_(request) {}

  Result<Resolution> run();

 private:
  State& state() { return states_.back(); }
  void push_new_state() {
    State copy = states_.back();
    states_.push_back(std::move(copy));
  }

  // Adds a requirement to the criteria. Returns the criterion it left without candidates
  // (resolvelib's RequirementsConflicted), or nullptr when the requirement fitted.
  Result<CriterionPtr> add_to_criteria(Criteria& criteria, const Need* need, KeyId parent_key,
                                       const Candidate* parent);
  bool is_pin_satisfying(KeyId key) const;
  KeyId choose(const std::vector<KeyId>& unsatisfied) const;
  // Pins the first candidate of the key whose dependencies fit; returns the criteria that
  // each candidate broke when none fits, nothing when one was pinned.
  Result<std::vector<CriterionPtr>> attempt_to_pin(KeyId key);
  Result<Backjump> backjump(const std::vector<Info>& causes);
  Result<bool> patch_criteria(
      const std::vector<std::pair<KeyId, std::vector<const Candidate*>>>& incompatibilities);
  void remove_information_from(const std::vector<bool>& parents);
  void save_states() {
    if (!saved_states_) saved_states_ = states_;
  }
  void rollback_states() {
    optimistic_ratio_ = 0.0;
    if (saved_states_ && !saved_states_->empty()) {
      states_ = std::move(*saved_states_);
      saved_states_.reset();
    }
  }
  Status conflict(const State& at, const std::vector<Info>& causes) {
    return conflict_error(pool_, at, causes, unusable_);
  }

  CandidatePool pool_;
  const int max_rounds_;
  const ResolveRequest& request_;
  std::vector<State> states_;
  double optimistic_ratio_ = kOptimisticBackjumpingRatio;
  std::optional<std::vector<State>> saved_states_;
  int backjumps_ = 0;
  std::vector<std::string> tried_;
  UnusableNotes unusable_;
  std::vector<std::string> warnings_;
};

Result<CriterionPtr> Resolver::add_to_criteria(Criteria& criteria, const Need* need,
                                               KeyId parent_key, const Candidate* parent) {
  const Criterion* existing = find_criterion(criteria, need->key);
  auto criterion = std::make_shared<Criterion>();
  std::vector<const Need*> needs;
  if (existing != nullptr) {
    criterion->information = existing->information;
    criterion->incompatibilities = existing->incompatibilities;
    for (const Info& info : existing->information) needs.push_back(info.need);
  }
  needs.push_back(need);
  criterion->information.push_back(Info{need, parent_key, parent});
  IGNITE_ASSIGN_OR_RETURN(criterion->candidates,
                          pool_.matches(need->key, needs, criterion->incompatibilities));
  if (criterion->candidates.empty()) return CriterionPtr(std::move(criterion));
  put_criterion(criteria, need->key, std::move(criterion));
  return CriterionPtr();
}

bool Resolver::is_pin_satisfying(KeyId key) const {
  const State& s = states_.back();
  const Candidate* pin = s.pin(key);
  if (pin == nullptr) return false;
  const Criterion* criterion = s.criterion(key);
  return std::all_of(criterion->information.begin(), criterion->information.end(),
                     [&](const Info& info) { return CandidatePool::satisfies(*info.need, *pin); });
}

// The preference: keys with a requested requirement first, then by key ("name[extras]"),
// which keeps the order independent of how the index lists projects.
KeyId Resolver::choose(const std::vector<KeyId>& unsatisfied) const {
  auto rank = [&](KeyId key) {
    const Criterion* c = states_.back().criterion(key);
    bool transitive = std::all_of(c->information.begin(), c->information.end(),
                                  [](const Info& info) { return info.parent != nullptr; });
    return std::make_pair(transitive, std::string_view(pool_.key(key).id));
  };
  return *std::min_element(unsatisfied.begin(), unsatisfied.end(),
                           [&](KeyId a, KeyId b) { return rank(a) < rank(b); });
}

Result<std::vector<CriterionPtr>> Resolver::attempt_to_pin(KeyId key) {
  const CriterionPtr criterion = state().criteria[key];
  std::vector<CriterionPtr> causes;
  for (const Candidate* candidate : criterion->candidates) {
    tried_.push_back(candidate->display());
    IGNITE_ASSIGN_OR_RETURN(const Dependencies* deps, pool_.dependencies(key, candidate));
    if (!deps->unusable.empty()) {
      std::string note = show_pin(pool_, key, *candidate) + ": " + deps->unusable;
      std::vector<std::string>& notes = unusable_[candidate->name];
      if (std::find(notes.begin(), notes.end(), note) == notes.end()) {
        notes.push_back(note);
        warnings_.push_back("skipped " + note);
      }
      causes.push_back(criterion);
      continue;
    }
    Criteria criteria = state().criteria;
    CriterionPtr broken;
    for (const Need* need : deps->needs) {
      IGNITE_ASSIGN_OR_RETURN(broken, add_to_criteria(criteria, need, key, candidate));
      if (broken) break;
    }
    if (broken) {
      causes.push_back(std::move(broken));
      continue;
    }
    for (const Info& info : criterion->information) {
      if (!CandidatePool::satisfies(*info.need, *candidate)) {
        return internal_error("candidate " + candidate->display() + " does not satisfy " +
                              info.need->text);
      }
    }
    state().criteria = std::move(criteria);
    state().set_pin(key, candidate);
    return std::vector<CriterionPtr>{};
  }
  return causes;
}

Result<bool> Resolver::patch_criteria(
    const std::vector<std::pair<KeyId, std::vector<const Candidate*>>>& incompatibilities) {
  for (const auto& [key, found] : incompatibilities) {
    if (found.empty()) continue;
    const Criterion* criterion = state().criterion(key);
    if (criterion == nullptr) continue;
    std::vector<const Candidate*> all = found;
    for (const Candidate* c : criterion->incompatibilities) {
      if (std::find(all.begin(), all.end(), c) == all.end()) all.push_back(c);
    }
    std::vector<const Need*> needs;
    for (const Info& info : criterion->information) needs.push_back(info.need);
    IGNITE_ASSIGN_OR_RETURN(std::vector<const Candidate*> candidates,
                            pool_.matches(key, needs, all));
    if (candidates.empty()) return false;
    auto patched = std::make_shared<Criterion>();
    patched->candidates = std::move(candidates);
    patched->information = criterion->information;
    patched->incompatibilities = std::move(all);
    put_criterion(state().criteria, key, std::move(patched));
  }
  return true;
}

// resolvelib's _backjump. The stack holds one state per pin: the last (Z) found no
// candidate; go back to the pin that caused it (Y), drop that pin, and retry from the state
// before it (X) with Y's candidate marked incompatible.
Result<Backjump> Resolver::backjump(const std::vector<Info>& causes) {
  std::set<KeyId> incompatible_keys;
  for (const Info& cause : causes) {
    if (cause.parent != nullptr) incompatible_keys.insert(cause.parent_key);
    incompatible_keys.insert(cause.need->key);
  }
  while (states_.size() >= 3) {
    states_.pop_back();  // Z
    State broken;
    KeyId key = 0;
    const Candidate* candidate = nullptr;
    while (true) {
      if (states_.empty()) return Backjump::kImpossible;
      broken = std::move(states_.back());
      states_.pop_back();
      if (broken.mapping.empty()) return Backjump::kImpossible;
      std::tie(key, candidate) = broken.pop_pin();
      const bool involved = incompatible_keys.count(key) > 0;
      if (optimistic_ratio_ == 0.0 && !involved) break;
      if (optimistic_ratio_ != 0.0 && !involved) save_states();
      IGNITE_ASSIGN_OR_RETURN(const Dependencies* deps, pool_.dependencies(key, candidate));
      const bool overlaps = std::any_of(deps->needs.begin(), deps->needs.end(), [&](const Need* n) {
        return incompatible_keys.count(n->key) > 0;
      });
      if (overlaps || broken.mapping.empty()) break;
    }
    std::vector<std::pair<KeyId, std::vector<const Candidate*>>> incompatibilities;
    for (KeyId k = 0; k < broken.criteria.size(); ++k) {
      if (const Criterion* c = broken.criterion(k))
        incompatibilities.emplace_back(k, c->incompatibilities);
    }
    incompatibilities.emplace_back(key, std::vector<const Candidate*>{candidate});
    push_new_state();
    IGNITE_ASSIGN_OR_RETURN(bool patched, patch_criteria(incompatibilities));
    if (patched) return Backjump::kResumed;
  }
  return Backjump::kExhausted;
}

void Resolver::remove_information_from(const std::vector<bool>& parents) {
  Criteria& criteria = state().criteria;
  for (CriterionPtr& criterion : criteria) {
    if (!criterion) continue;
    auto from_parent = [&](const Info& info) {
      return info.parent != nullptr && info.parent_key < parents.size() && parents[info.parent_key];
    };
    if (std::none_of(criterion->information.begin(), criterion->information.end(), from_parent)) {
      continue;
    }
    auto kept = std::make_shared<Criterion>(*criterion);
    std::erase_if(kept->information, from_parent);
    criterion = std::move(kept);
  }
}

Result<Resolution> Resolver::run() {
  IGNITE_RETURN_IF_ERROR(pool_.init());
  State root;
  for (const python::Requirement& requirement : request_.requirements) {
    IGNITE_ASSIGN_OR_RETURN(const Need* need, pool_.requested(requirement));
    if (need == nullptr) continue;  // marker false for the target
    IGNITE_ASSIGN_OR_RETURN(const Project* project, pool_.project(pool_.key(need->key).name));
    if (project->candidates.empty()) return not_in_source_error(pool_, *need);
    IGNITE_ASSIGN_OR_RETURN(CriterionPtr broken, add_to_criteria(root.criteria, need, 0, nullptr));
    if (broken) return conflict(root, broken->information);
  }
  states_.push_back(std::move(root));
  push_new_state();  // the root state stays below, for the first pin to go back to

  std::optional<int> optimistic_start;
  int optimistic_cutoff = 0;
  std::vector<Info> last_causes;
  for (int round = 0; round < max_rounds_; ++round) {
    if (optimistic_ratio_ != 0.0 && saved_states_) {
      if (!optimistic_start) {
        optimistic_start = round;
        optimistic_cutoff = static_cast<int>((max_rounds_ - round) * optimistic_ratio_);
        if (optimistic_cutoff <= 0) {
          rollback_states();
          continue;
        }
      } else if (round - *optimistic_start >= optimistic_cutoff) {
        rollback_states();
        continue;
      }
    }

    std::vector<KeyId> unsatisfied;
    std::vector<bool> satisfied(state().criteria.size(), false);
    for (KeyId key = 0; key < state().criteria.size(); ++key) {
      if (state().criterion(key) == nullptr) continue;
      if (is_pin_satisfying(key)) {
        satisfied[key] = true;
      } else {
        unsatisfied.push_back(key);
      }
    }
    if (unsatisfied.empty()) {
      Resolution resolution = build_resolution(pool_, state());
      resolution.rounds = round;
      resolution.backjumps = backjumps_;
      resolution.tried = std::move(tried_);
      resolution.warnings = std::move(warnings_);
      return resolution;
    }

    IGNITE_ASSIGN_OR_RETURN(std::vector<CriterionPtr> failures,
                            attempt_to_pin(choose(unsatisfied)));
    if (failures.empty()) {
      // Requirements from pins that no longer satisfy theirs stop counting.
      std::vector<bool> invalidated(satisfied.size(), false);
      bool any = false;
      for (KeyId key = 0; key < satisfied.size(); ++key) {
        if (satisfied[key] && !is_pin_satisfying(key)) invalidated[key] = any = true;
      }
      if (any) remove_information_from(invalidated);
      push_new_state();
      continue;
    }

    std::vector<Info> causes;
    for (const CriterionPtr& failure : failures) {
      for (const Info& info : failure->information) {
        if (std::find(causes.begin(), causes.end(), info) == causes.end()) causes.push_back(info);
      }
    }
    last_causes = causes;
    const State at_failure = state();
    ++backjumps_;
    IGNITE_ASSIGN_OR_RETURN(Backjump outcome, backjump(causes));
    const bool optimistic_failed = outcome != Backjump::kResumed && optimistic_ratio_ != 0.0 &&
                                   saved_states_ && !saved_states_->empty();
    if (optimistic_failed) {
      rollback_states();
      continue;
    }
    if (outcome != Backjump::kResumed) return conflict(at_failure, causes);
    state().backtrack_causes = causes;
  }
  return too_complex_error(pool_, max_rounds_, backjumps_, last_causes);
}

}  // namespace
}  // namespace detail

Result<Resolution> resolve(PackageSource& source, const ResolveRequest& request) {
  detail::Resolver resolver(source, request);
  Result<Resolution> resolution = resolver.run();
  if (!resolution.ok()) return resolution.status().with_context("resolving requirements");
  return resolution;
}

}  // namespace ignite::resolve
