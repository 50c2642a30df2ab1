#include "builder/git/fetch_plan.h"

#include <algorithm>

#include "builder/git/git_source.h"

namespace ignite::git {
namespace {

constexpr std::string_view kPeeledSuffix = "^{}";
constexpr std::size_t kNamesShown = 5;

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

const AdvertisedRef* find_ref(const std::vector<AdvertisedRef>& refs, std::string_view name) {
  for (const AdvertisedRef& r : refs) {
    if (r.name == name) return &r;
  }
  return nullptr;
}

std::string lower_hex(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string names_under(const std::vector<AdvertisedRef>& refs, std::string_view prefix) {
  std::vector<std::string> names;
  for (const AdvertisedRef& r : refs) {
    if (r.name.starts_with(prefix) && !ends_with(r.name, kPeeledSuffix)) {
      names.push_back(r.name.substr(prefix.size()));
    }
  }
  std::sort(names.begin(), names.end());
  std::string out;
  for (std::size_t i = 0; i < names.size() && i < kNamesShown; ++i) {
    out += (i ? ", " : "") + names[i];
  }
  if (names.size() > kNamesShown) out += ", …";
  return out;
}

FetchPlan plan_for(const AdvertisedRef& ref) {
  // A peeled entry stands for its tag: the tag ref is what can be asked for.
  std::string name = ref.name;
  if (ends_with(name, kPeeledSuffix)) name.resize(name.size() - kPeeledSuffix.size());
  // The destination is never written (no tips are updated) but keeps the refspec well formed.
  return FetchPlan{{"+" + name + ":refs/ignite/fetched"}, ref.oid, name, ""};
}

}  // namespace

std::string describe_refs(const std::vector<AdvertisedRef>& advertised) {
  const std::string branches = names_under(advertised, "refs/heads/");
  const std::string tags = names_under(advertised, "refs/tags/");
  if (branches.empty() && tags.empty()) return "no branches or tags";
  std::string out;
  if (!branches.empty()) out = "branches: " + branches;
  if (!tags.empty()) out += (out.empty() ? "" : "; ") + std::string("tags: ") + tags;
  return out;
}

Result<FetchPlan> plan_fetch(std::string_view ref, const std::vector<AdvertisedRef>& advertised,
                             std::string_view url) {
  std::vector<std::string> candidates;
  if (ref.starts_with("refs/") || ref == "HEAD") {
    candidates.emplace_back(ref);
  } else {
    candidates = {"refs/" + std::string(ref), "refs/tags/" + std::string(ref),
                  "refs/heads/" + std::string(ref)};
  }
  for (const std::string& name : candidates) {
    if (const AdvertisedRef* r = find_ref(advertised, name)) return plan_for(*r);
  }
  if (!ref.starts_with("refs/") && looks_like_commit_id(ref)) {
    const std::string id = lower_hex(ref);
    if (id.size() == 40) {
      // Prefer a branch or tag at that very commit: one ref's history instead of all of them.
      for (const AdvertisedRef& r : advertised) {
        if (r.oid == id && r.name != "HEAD") {
          FetchPlan plan = plan_for(r);
          plan.commit_prefix = id;
          return plan;
        }
      }
    }
    return FetchPlan{
        {"+refs/heads/*:refs/ignite/heads/*", "+refs/tags/*:refs/ignite/tags/*"}, "", "", id};
  }
  return not_found("git: ref '" + std::string(ref) + "' not found in " + std::string(url) + " (" +
                   describe_refs(advertised) + ")");
}

}  // namespace ignite::git
