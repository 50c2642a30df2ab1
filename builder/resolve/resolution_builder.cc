#include "builder/resolve/resolution_builder.h"

#include <algorithm>
#include <map>

#include "builder/resolve/conflict_report.h"

namespace ignite::resolve::detail {
namespace {

// Whether the requirement still counts: requested, or declared by the current pin of its
// parent key.
bool is_live(const State& state, const Info& info) {
  return info.parent == nullptr || state.pin(info.parent_key) == info.parent;
}

// The keys with a route to a requested requirement through live requirements.
std::vector<bool> connected_keys(const State& state) {
  std::vector<bool> connected(state.criteria.size(), false);
  for (bool changed = true; changed;) {
    changed = false;
    for (KeyId key = 0; key < state.criteria.size(); ++key) {
      const Criterion* criterion = state.criterion(key);
      if (connected[key] || criterion == nullptr) continue;
      for (const Info& info : criterion->information) {
        if (!is_live(state, info)) continue;
        if (info.parent == nullptr ||
            (info.parent_key < connected.size() && connected[info.parent_key])) {
          connected[key] = changed = true;
          break;
        }
      }
    }
  }
  return connected;
}

}  // namespace

Resolution build_resolution(const CandidatePool& pool, const State& state) {
  const std::vector<bool> connected = connected_keys(state);
  // Keys of each project, plain key first (its id sorts first).
  std::map<std::string, std::vector<KeyId>> keys_by_name;
  for (KeyId key = 0; key < connected.size(); ++key) {
    if (connected[key] && state.pin(key) != nullptr) {
      keys_by_name[pool.key(key).name].push_back(key);
    }
  }
  Resolution out;
  for (auto& [name, keys] : keys_by_name) {
    std::sort(keys.begin(), keys.end(),
              [&](KeyId a, KeyId b) { return pool.key(a).id < pool.key(b).id; });
    Pin pin{*state.pin(keys.front()), {}, {}, ""};
    const Info* chain_from = nullptr;
    for (KeyId key : keys) {
      for (const std::string& extra : pool.key(key).extras) pin.extras.push_back(extra);
      for (const Info& info : state.criterion(key)->information) {
        if (!is_live(state, info) || info.need->synthetic) continue;
        Reason reason{info.need->text,
                      info.parent ? show_pin(pool, info.parent_key, *info.parent) : ""};
        if (std::find(pin.why.begin(), pin.why.end(), reason) == pin.why.end()) {
          pin.why.push_back(std::move(reason));
        }
        // A requested requirement explains a pin best; otherwise the first one recorded.
        if (chain_from == nullptr || (info.parent == nullptr && chain_from->parent != nullptr)) {
          chain_from = &info;
        }
      }
    }
    std::sort(pin.extras.begin(), pin.extras.end());
    pin.extras.erase(std::unique(pin.extras.begin(), pin.extras.end()), pin.extras.end());
    if (chain_from != nullptr) pin.chain = explain_chain(pool, state, *chain_from);
    out.pins.push_back(std::move(pin));
  }
  return out;
}

}  // namespace ignite::resolve::detail
