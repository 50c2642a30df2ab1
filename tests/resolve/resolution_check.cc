#include "tests/resolve/resolution_check.h"

#include <algorithm>
#include <set>

#include "builder/python/names.h"

namespace ignite::resolve::testing {
namespace {

// Whether the marker holds with `extra` empty or set to any one of the extras (the
// plain project is always pinned beside a project with extras).
bool applies(const python::Requirement& r, const python::Environment& target,
             const std::vector<std::string>& extras, std::vector<std::string>& problems) {
  if (!r.marker()) return true;
  std::vector<std::string> each{""};
  each.insert(each.end(), extras.begin(), extras.end());
  for (const std::string& extra : each) {
    python::Environment env = target;
    if (!extra.empty()) env.set("extra", extra);
    Result<bool> value = r.marker()->evaluate(env);
    if (!value.ok()) {
      problems.push_back("marker of '" + r.to_string() + "': " + value.status().message());
      return false;
    }
    if (*value) return true;
  }
  return false;
}

void check_met(const python::Requirement& r, const Resolution& resolution, const std::string& from,
               std::vector<std::string>& problems) {
  const Pin* pin = resolution.find(r.canonical_name());
  if (pin == nullptr) {
    problems.push_back(from + ": '" + r.to_string() + "' has no pin");
    return;
  }
  if (!r.specifier().contains(pin->candidate.version, true)) {
    problems.push_back(from + ": '" + r.to_string() + "' is not met by " +
                       pin->candidate.display());
  }
  for (const std::string& extra : r.extras()) {
    std::string e = python::canonicalize_name(extra);
    if (std::find(pin->extras.begin(), pin->extras.end(), e) == pin->extras.end()) {
      problems.push_back(from + ": '" + r.to_string() + "' asks for extra " + e + " of " +
                         pin->candidate.display() + ", which lacks it");
    }
  }
}

}  // namespace

std::vector<std::string> check_resolution(PackageSource& source, const ResolveRequest& request,
                                          const Resolution& resolution) {
  std::vector<std::string> problems;
  const python::Environment& env = request.environment;
  for (const python::Requirement& r : request.requirements) {
    if (applies(r, env, {}, problems)) check_met(r, resolution, "requested", problems);
  }
  for (const python::Requirement& c : request.constraints) {
    if (!applies(c, env, {}, problems)) continue;
    const Pin* pin = resolution.find(c.canonical_name());
    if (pin != nullptr && !c.specifier().contains(pin->candidate.version, true)) {
      problems.push_back("constraint '" + c.to_string() + "' is not met by " +
                         pin->candidate.display());
    }
  }
  std::optional<python::Version> python;
  if (auto v = env.get("python_full_version")) {
    if (auto parsed = python::Version::parse(*v); parsed.ok()) python = *parsed;
  }
  std::set<std::string> names;
  for (const Pin& pin : resolution.pins) {
    const Candidate& c = pin.candidate;
    if (!names.insert(c.name).second) problems.push_back("two pins of " + c.name);
    if (pin.why.empty()) problems.push_back(c.display() + " has no reason to be there");
    if (c.requires_python && python && !c.requires_python->contains(*python, true)) {
      problems.push_back(c.display() + " requires Python " + c.requires_python->to_string());
    }
    if (c.yanked) {
      bool pinned = false;
      for (const python::Requirement& r : request.requirements) {
        if (r.canonical_name() != c.name) continue;
        for (const python::Specifier& s : r.specifier().specifiers()) {
          pinned = pinned || (s.op() == python::SpecifierOp::kEqual && !s.is_wildcard());
        }
      }
      if (!pinned) problems.push_back(c.display() + " is yanked and not pinned with ==");
    }
    Result<std::vector<python::Requirement>> deps = source.dependencies(c);
    if (!deps.ok()) {
      problems.push_back(c.display() + ": " + deps.status().to_string());
      continue;
    }
    for (const python::Requirement& d : *deps) {
      if (applies(d, env, pin.extras, problems)) check_met(d, resolution, c.display(), problems);
    }
  }
  return problems;
}

}  // namespace ignite::resolve::testing
