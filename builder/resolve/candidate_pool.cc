#include "builder/resolve/candidate_pool.h"

#include <algorithm>

#include "builder/python/marker.h"
#include "builder/python/names.h"

namespace ignite::resolve::detail {
namespace {

// An "==" clause without a wildcard, or "===": the requirement names one release.
bool is_exact(const python::SpecifierSet& set) {
  return std::any_of(set.specifiers().begin(), set.specifiers().end(),
                     [](const python::Specifier& s) {
                       return (s.op() == python::SpecifierOp::kEqual && !s.is_wildcard()) ||
                              s.op() == python::SpecifierOp::kArbitrary;
                     });
}

std::vector<std::string> canonical_extras(const std::vector<std::string>& extras) {
  std::vector<std::string> out;
  for (const std::string& e : extras) out.push_back(python::canonicalize_name(e));
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace

CandidatePool::CandidatePool(PackageSource& source, const ResolveRequest& request)
    : source_(source), request_(request) {
  std::optional<std::string_view> full = request.environment.get("python_full_version");
  if (!full) full = request.environment.get("python_version");
  if (full) {
    Result<python::Version> v = python::Version::parse(*full);
    if (v.ok()) target_python_ = std::move(*v);
  }
}

Status CandidatePool::init() {
  for (const python::Requirement& c : request_.constraints) {
    const std::string text = c.with_marker(std::nullopt).to_string();
    if (c.url()) {
      return invalid_argument("constraint '" + text + "': a constraint cannot be a URL");
    }
    IGNITE_ASSIGN_OR_RETURN(bool applies, marker_applies(c, {}));
    if (!applies) continue;
    constraints_[c.canonical_name()].push_back(
        Constraint{c.specifier(), text, is_exact(c.specifier())});
  }
  return ok_status();
}

KeyId CandidatePool::intern(const std::string& name, std::vector<std::string> extras) {
  std::string id = name;
  if (!extras.empty()) {
    id += '[';
    for (std::size_t i = 0; i < extras.size(); ++i) id += (i ? "," : "") + extras[i];
    id += ']';
  }
  auto it = key_ids_.find(id);
  if (it != key_ids_.end()) return it->second;
  KeyId key = static_cast<KeyId>(keys_.size());
  keys_.push_back(Key{id, name, std::move(extras)});
  key_ids_.emplace(std::move(id), key);
  return key;
}

Result<const Need*> CandidatePool::need_of(const python::Requirement& requirement) {
  Need need;
  need.key = intern(requirement.canonical_name(), canonical_extras(requirement.extras()));
  need.specifier = requirement.specifier();
  need.text = requirement.with_marker(std::nullopt).to_string();
  need.exact = is_exact(need.specifier);
  need.names_prerelease = need.specifier.prereleases() == true;
  needs_.push_back(std::move(need));
  return &needs_.back();
}

const python::Environment& CandidatePool::environment_for(const std::string& extra) {
  auto it = environments_.find(extra);
  if (it == environments_.end()) {
    python::Environment env = request_.environment;
    if (!extra.empty()) env.set("extra", extra);
    it = environments_.emplace(extra, std::move(env)).first;
  }
  return it->second;
}

// A marker applies when it is true for the plain project (extra "") or, for a key with
// extras, for any one of them (as pip and resolvelib evaluate Requires-Dist).
Result<bool> CandidatePool::marker_applies(const python::Requirement& requirement,
                                           const std::vector<std::string>& extras) {
  if (!requirement.marker()) return true;
  const python::Marker& marker = *requirement.marker();
  if (extras.empty()) return marker.evaluate(environment_for(""));
  for (const std::string& extra : extras) {
    IGNITE_ASSIGN_OR_RETURN(bool applies, marker.evaluate(environment_for(extra)));
    if (applies) return true;
  }
  return false;
}

Result<const Need*> CandidatePool::requested(const python::Requirement& requirement) {
  const std::string text = requirement.with_marker(std::nullopt).to_string();
  if (requirement.url()) {
    return unimplemented("requirement '" + text +
                         "': direct URL requirements are not resolved; list the project by "
                         "name and give its index with --index-url or --find-links");
  }
  Result<bool> applies = marker_applies(requirement, {});
  if (!applies.ok()) return applies.status().with_context("requirement '" + text + "'");
  if (!*applies) return nullptr;
  return need_of(requirement);
}

Result<const Project*> CandidatePool::project(std::string_view name) {
  auto it = projects_.find(name);
  if (it != projects_.end()) return it->second.get();
  Result<std::vector<Candidate>> fetched = source_.candidates(name);
  if (!fetched.ok()) {
    return fetched.status().with_context("finding versions of " + std::string(name) + " in " +
                                         source_.describe());
  }
  std::vector<Candidate> candidates = std::move(*fetched);
  std::stable_sort(candidates.begin(), candidates.end(),
                   [](const Candidate& a, const Candidate& b) { return a.version > b.version; });
  // One candidate per version: the source promises it, and "1.0" == "1.0.0" would
  // otherwise be two.
  candidates.erase(
      std::unique(candidates.begin(), candidates.end(),
                  [](const Candidate& a, const Candidate& b) { return a.version == b.version; }),
      candidates.end());
  auto project = std::make_unique<Project>();
  const auto constraints = constraints_.find(name);
  for (Candidate& c : candidates) {
    python::Candidate version = python::Candidate::of(c.version);
    const bool python_ok =
        !c.requires_python || !target_python_ || c.requires_python->contains(*target_python_, true);
    bool allowed = python_ok;
    if (constraints != constraints_.end()) {
      for (const Constraint& constraint : constraints->second) {
        allowed = allowed && constraint.specifier.matches(version);
      }
    }
    project->versions.push_back(std::move(version));
    project->python_ok.push_back(python_ok);
    project->allowed.push_back(allowed);
    project->candidates.push_back(std::move(c));
  }
  if (constraints != constraints_.end()) {
    for (const Constraint& constraint : constraints->second) {
      project->constraint_exact = project->constraint_exact || constraint.exact;
      project->constraint_prerelease =
          project->constraint_prerelease || constraint.specifier.prereleases() == true;
    }
  }
  const Project* out = project.get();
  projects_.emplace(std::string(name), std::move(project));
  return out;
}

const std::vector<bool>& CandidatePool::admitted(const Need& need, const Project& project) {
  auto [it, inserted] = admitted_.try_emplace(&need);
  if (inserted) {
    it->second.reserve(project.versions.size());
    for (const python::Candidate& v : project.versions) {
      it->second.push_back(need.specifier.matches(v));
    }
  }
  return it->second;
}

Result<std::vector<const Candidate*>> CandidatePool::matches(
    KeyId key, const std::vector<const Need*>& needs,
    const std::vector<const Candidate*>& incompatible) {
  IGNITE_ASSIGN_OR_RETURN(const Project* project, project(keys_[key].name));
  std::vector<const std::vector<bool>*> masks;
  bool exact = project->constraint_exact;
  // The combined set's pre-release setting: on with --pre, or when a clause names a
  // pre-release (packaging's SpecifierSet.prereleases over the clauses of all sets).
  bool prerelease_named = project->constraint_prerelease;
  for (const Need* need : needs) {
    masks.push_back(&admitted(*need, *project));
    exact = exact || need->exact;
    prerelease_named = prerelease_named || need->names_prerelease;
  }
  std::optional<bool> prereleases;
  if (request_.options.prereleases == Prereleases::kAllow || prerelease_named) prereleases = true;
  std::vector<std::size_t> matched;
  for (std::size_t i = 0; i < project->candidates.size(); ++i) {
    const Candidate* c = &project->candidates[i];
    if (!project->allowed[i] || (c->yanked && !exact)) continue;
    if (std::find(incompatible.begin(), incompatible.end(), c) != incompatible.end()) continue;
    if (std::all_of(masks.begin(), masks.end(),
                    [&](const std::vector<bool>* mask) { return (*mask)[i]; })) {
      matched.push_back(i);
    }
  }
  matched = python::apply_prerelease_policy(project->versions, std::move(matched), prereleases);
  std::vector<const Candidate*> out;
  out.reserve(matched.size());
  for (std::size_t i : matched) out.push_back(&project->candidates[i]);
  return out;
}

bool CandidatePool::satisfies(const Need& need, const Candidate& candidate) {
  return need.specifier.contains(candidate.version);
}

Result<const Dependencies*> CandidatePool::dependencies(KeyId key, const Candidate* candidate) {
  auto found = dependencies_.find({key, candidate});
  if (found != dependencies_.end()) return &found->second;

  auto meta = metadata_.find(candidate);
  if (meta == metadata_.end()) {
    meta = metadata_.emplace(candidate, source_.dependencies(*candidate)).first;
  }
  Dependencies deps;
  const Result<std::vector<python::Requirement>>& requirements = meta->second;
  if (!requirements.ok()) {
    // Metadata that cannot be read or parsed makes the candidate unusable; any other
    // failure (the network, the disk) stops the resolution.
    Code code = requirements.status().code();
    if (code != Code::kDataLoss && code != Code::kInvalidArgument) {
      return requirements.status().with_context("reading dependencies of " + candidate->display());
    }
    deps.unusable = requirements.status().message();
    return &dependencies_.emplace(std::make_pair(key, candidate), std::move(deps)).first->second;
  }
  const Key k = keys_[key];  // a copy: intern() below may grow keys_
  if (!k.extras.empty()) {
    // A key with extras depends on its plain project at the same version.
    Need base;
    base.key = intern(k.name, {});
    Result<python::SpecifierSet> pin =
        python::SpecifierSet::parse("==" + candidate->version.to_string());
    if (!pin.ok()) return pin.status();  // a valid version always makes a valid pin
    base.specifier = std::move(*pin);
    base.text = k.name + "==" + candidate->version.to_string();
    base.exact = true;
    base.synthetic = true;
    base.names_prerelease = base.specifier.prereleases() == true;
    needs_.push_back(std::move(base));
    deps.needs.push_back(&needs_.back());
  }
  for (const python::Requirement& r : *requirements) {
    Result<bool> applies = marker_applies(r, k.extras);
    if (!applies.ok()) {
      deps.unusable = "dependency '" + r.to_string() + "': " + applies.status().message();
      deps.needs.clear();
      break;
    }
    if (!*applies) continue;
    if (r.url()) {
      deps.unusable = "dependency '" + r.to_string() + "' is a direct URL";
      deps.needs.clear();
      break;
    }
    IGNITE_ASSIGN_OR_RETURN(const Need* need, need_of(r));
    deps.needs.push_back(need);
  }
  return &dependencies_.emplace(std::make_pair(key, candidate), std::move(deps)).first->second;
}

std::vector<std::string> CandidatePool::constraint_texts(std::string_view name) const {
  std::vector<std::string> out;
  if (auto it = constraints_.find(name); it != constraints_.end()) {
    for (const Constraint& c : it->second) out.push_back(c.text);
  }
  return out;
}

}  // namespace ignite::resolve::detail
