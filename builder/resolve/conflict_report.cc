#include "builder/resolve/conflict_report.h"

#include <algorithm>
#include <set>

namespace ignite::resolve::detail {
namespace {

inline constexpr const char* kArrow = " \u2190 ";  // "←": read as "comes from"
// How many versions a message lists before "and N older".
inline constexpr std::size_t kVersionsShown = 10;
// How many versions of a declaring project a conflict row lists before "and N more".
inline constexpr std::size_t kParentVersionsShown = 3;
// How many clashing requirements the round-limit message names.
inline constexpr std::size_t kClashShown = 4;

std::string join(const std::vector<std::string>& items, std::string_view sep) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out += sep;
    out += items[i];
  }
  return out;
}

}  // namespace

std::string show_pin(const CandidatePool& pool, KeyId key, const Candidate& candidate) {
  return pool.key(key).id + " " + candidate.version.to_string();
}

ChainParts chain_parts(const CandidatePool& pool, const State& state, const Info& info) {
  ChainParts parts{info.need->text, "", "", ""};
  if (info.parent == nullptr) return parts;
  parts.parent_key = pool.key(info.parent_key).id;
  parts.parent_version = info.parent->version.to_string();
  // Breadth first from the declaring pin up through the requirements on each key, so the
  // route shown is a shortest one; ties go to the requirement recorded first.
  struct Hop {
    KeyId key;
    const Candidate* candidate;
    std::size_t previous;
  };
  std::vector<Hop> hops{{info.parent_key, info.parent, 0}};
  std::set<KeyId> seen{info.parent_key};
  for (std::size_t i = 0; i < hops.size(); ++i) {
    const Criterion* criterion = state.criterion(hops[i].key);
    if (criterion == nullptr) continue;
    for (const Info& up : criterion->information) {
      if (up.parent != nullptr) continue;
      std::vector<std::size_t> route;  // hop i back to hop 0, which parent_* shows
      for (std::size_t j = i; j != 0; j = hops[j].previous) route.push_back(j);
      for (auto it = route.rbegin(); it != route.rend(); ++it) {
        parts.rest += kArrow + show_pin(pool, hops[*it].key, *hops[*it].candidate);
      }
      parts.rest += kArrow + ("requested " + up.need->text);
      return parts;
    }
    for (const Info& up : criterion->information) {
      if (seen.insert(up.parent_key).second) hops.push_back({up.parent_key, up.parent, i});
    }
  }
  return parts;
}

std::string explain_chain(const CandidatePool& pool, const State& state, const Info& info) {
  ChainParts parts = chain_parts(pool, state, info);
  if (parts.parent_key.empty()) return parts.requirement + kArrow + "requested";
  return parts.requirement + kArrow + parts.parent_key + " " + parts.parent_version + parts.rest;
}

std::string describe_versions(CandidatePool& pool, const std::string& name) {
  Result<const Project*> project = pool.project(name);
  if (!project.ok() || (*project)->candidates.empty()) {
    return name + " has no versions in " + pool.source().describe();
  }
  const Project& p = **project;
  std::vector<std::string> shown;
  for (std::size_t i = 0; i < p.candidates.size() && i < kVersionsShown; ++i) {
    const Candidate& c = p.candidates[i];
    std::string item = c.version.to_string();
    if (!p.python_ok[i]) item += " (requires Python " + c.requires_python->to_string() + ")";
    if (c.yanked)
      item += c.yanked_reason.empty() ? " (yanked)" : " (yanked: " + c.yanked_reason + ")";
    shown.push_back(std::move(item));
  }
  std::string out =
      "versions of " + name + " in " + pool.source().describe() + ": " + join(shown, ", ");
  if (p.candidates.size() > kVersionsShown) {
    out += " and " + std::to_string(p.candidates.size() - kVersionsShown) + " older";
  }
  return out;
}

namespace {

// One row of a conflict message: a requirement and its chain, for every version of the
// declaring project that was tried ("jinja2 2.11.1, 2.11.0, 2.10.3 and 12 more").
struct Row {
  ChainParts parts;
  std::vector<std::string> parent_versions;

  std::string to_string() const {
    if (parts.parent_key.empty()) return parts.requirement + kArrow + "requested";
    std::vector<std::string> shown(
        parent_versions.begin(),
        parent_versions.begin() + std::min(parent_versions.size(), kParentVersionsShown));
    std::string versions = join(shown, ", ");
    if (parent_versions.size() > kParentVersionsShown) {
      versions += " and " + std::to_string(parent_versions.size() - kParentVersionsShown) + " more";
    }
    return parts.requirement + kArrow + parts.parent_key + " " + versions + parts.rest;
  }
};

}  // namespace

Status conflict_error(CandidatePool& pool, const State& state, const std::vector<Info>& causes,
                      const UnusableNotes& unusable) {
  // Group the clashing requirements by project; a project with extras and without is one.
  std::map<std::string, std::vector<Row>> rows;
  for (const Info& info : causes) {
    std::vector<Row>& project_rows = rows[pool.key(info.need->key).name];
    ChainParts parts = chain_parts(pool, state, info);
    auto same = std::find_if(project_rows.begin(), project_rows.end(), [&](const Row& row) {
      return row.parts.requirement == parts.requirement &&
             row.parts.parent_key == parts.parent_key && row.parts.rest == parts.rest;
    });
    if (same == project_rows.end()) {
      std::string version = parts.parent_version;
      project_rows.push_back(Row{std::move(parts), {}});
      same = project_rows.end() - 1;
      if (!version.empty()) same->parent_versions.push_back(std::move(version));
    } else if (std::find(same->parent_versions.begin(), same->parent_versions.end(),
                         parts.parent_version) == same->parent_versions.end()) {
      same->parent_versions.push_back(parts.parent_version);
    }
  }
  std::string message;
  bool first = true;
  for (const auto& [name, project_rows] : rows) {
    std::vector<std::string> lines;
    for (const Row& row : project_rows) lines.push_back(row.to_string());
    for (const std::string& constraint : pool.constraint_texts(name)) {
      lines.push_back(constraint + kArrow + "constraint");
    }
    if (!first) message += "\n";
    first = false;
    message += "no version of " + name + " satisfies " +
               (lines.size() > 1 ? "all of:" : "the requirement:");
    for (const std::string& line : lines) message += "\n  " + line;
    message += "\n  " + describe_versions(pool, name);
    if (auto it = unusable.find(name); it != unusable.end()) {
      for (const std::string& note : it->second) message += "\n  skipped " + note;
    }
  }
  return failed_precondition(std::move(message));
}

Status not_in_source_error(CandidatePool& pool, const Need& need) {
  const std::string& name = pool.key(need.key).name;
  const std::vector<std::string> unusable = pool.source().unusable_files(name);
  if (!unusable.empty()) {
    std::string message = name + " has no file the target can install in " + pool.source().describe() +
                          " (" + need.text + kArrow + "requested):";
    for (const std::string& u : unusable) message += "\n  skipped " + u;
    return failed_precondition(std::move(message));
  }
  return not_found(pool.key(need.key).name + " is not in " + pool.source().describe() + " (" +
                   need.text + kArrow + "requested)");
}

Status too_complex_error(const CandidatePool& pool, int rounds, int backjumps,
                         const std::vector<Info>& last_causes) {
  std::vector<std::string> clash;
  for (const Info& info : last_causes) {
    std::string item = info.need->text + kArrow +
                       (info.parent ? show_pin(pool, info.parent_key, *info.parent) : "requested");
    if (std::find(clash.begin(), clash.end(), item) == clash.end()) clash.push_back(item);
  }
  std::string message = "too complex after " + std::to_string(rounds) + " rounds (" +
                        std::to_string(backjumps) + " backjumps";
  if (!clash.empty()) {
    const std::size_t shown = std::min(clash.size(), kClashShown);
    message += "; the last conflict involved " +
               join(std::vector<std::string>(clash.begin(), clash.begin() + shown), ", ");
    if (clash.size() > shown) message += " and " + std::to_string(clash.size() - shown) + " more";
  }
  return resource_exhausted(message +
                            "); pin versions of the projects involved to narrow the search, or "
                            "raise the round limit");
}

}  // namespace ignite::resolve::detail
