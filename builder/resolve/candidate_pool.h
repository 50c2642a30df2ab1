// Internal to the resolver: what it knows about projects, keys and requirements, and the
// two questions it asks of them (resolvelib's provider): which candidates match a set of
// requirements, and what a candidate depends on. Everything is fetched from the
// PackageSource once and kept for the whole resolution, so pointers handed out stay valid.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "builder/python/environment.h"
#include "builder/python/requirement.h"
#include "builder/resolve/package_source.h"
#include "builder/resolve/resolve_request.h"
#include "builder/util/status.h"

namespace ignite::resolve::detail {

// A key is what the resolver pins: a project, or a project with extras ("dask[delayed]"),
// which is its own node depending on the plain project at the same version.
using KeyId = std::uint32_t;

struct Key {
  std::string id;                   // "name" or "name[a,b]" (extras canonical, sorted)
  std::string name;                 // canonical project name
  std::vector<std::string> extras;  // canonical, sorted, unique
};

// A requirement on a key, as the resolver uses it.
struct Need {
  KeyId key = 0;
  python::SpecifierSet specifier = python::SpecifierSet::any();
  std::string text;        // shown in reasons and messages, marker dropped: "six>=1.12.0"
  bool exact = false;      // an "==" (no wildcard) or "===" clause: may select a yanked release
  bool synthetic = false;  // "name==version" of an extras key on its plain project
  bool names_prerelease = false;  // a clause names a pre-release (">=2.0b1"): admits them
};

// A project's candidates from the source, newest first, with what holds for them whatever
// the requirements: the target's Python and the constraints.
struct Project {
  std::vector<Candidate> candidates;
  std::vector<python::Candidate> versions;  // parallel: what specifiers are matched against
  std::vector<bool> python_ok;              // parallel: Requires-Python admits the target
  std::vector<bool> allowed;                // parallel: python_ok and every constraint admits it
  bool constraint_exact = false;            // a constraint pins with == or ===
  bool constraint_prerelease = false;       // a constraint names a pre-release
};

// What a candidate of a key depends on, markers evaluated.
struct Dependencies {
  std::vector<const Need*> needs;
  std::string unusable;  // when not empty: why the candidate cannot be used (bad metadata)
};

class CandidatePool {
 public:
  CandidatePool(PackageSource& source, const ResolveRequest& request);

  // Reads the constraints (markers evaluated); INVALID_ARGUMENT for a constraint with a URL.
  Status init();

  PackageSource& source() { return source_; }
  const Key& key(KeyId id) const { return keys_[id]; }
  std::size_t key_count() const { return keys_.size(); }

  // The need for a requested requirement, or nullptr when its marker is false for the
  // target.
  Result<const Need*> requested(const python::Requirement& requirement);

  // The project's candidates (fetched once). Errors from the source gain context.
  Result<const Project*> project(std::string_view name);

  // resolvelib's find_matches: the candidates of the key that every need and every
  // constraint on its project admits, minus the incompatible ones and ineligible ones
  // (Requires-Python, yanked without an exact pin), with PEP 440's pre-release rule
  // applied over what is left; newest first.
  Result<std::vector<const Candidate*>> matches(KeyId key, const std::vector<const Need*>& needs,
                                                const std::vector<const Candidate*>& incompatible);

  // Whether the candidate's version satisfies the need (resolvelib's is_satisfied_by).
  static bool satisfies(const Need& need, const Candidate& candidate);

  // The dependencies of a candidate of the key (fetched and evaluated once).
  Result<const Dependencies*> dependencies(KeyId key, const Candidate* candidate);

  // The constraints on a project, as written ("six<1.12"), for messages.
  std::vector<std::string> constraint_texts(std::string_view name) const;

 private:
  KeyId intern(const std::string& name, std::vector<std::string> extras);
  Result<const Need*> need_of(const python::Requirement& requirement);
  const python::Environment& environment_for(const std::string& extra);
  Result<bool> marker_applies(const python::Requirement& requirement,
                              const std::vector<std::string>& extras);
  const std::vector<bool>& admitted(const Need& need, const Project& project);

  struct Constraint {
    python::SpecifierSet specifier = python::SpecifierSet::any();
    std::string text;
    bool exact = false;
  };

  PackageSource& source_;
  const ResolveRequest& request_;
  std::optional<python::Version> target_python_;
  std::vector<Key> keys_;
  std::map<std::string, KeyId, std::less<>> key_ids_;
  std::deque<Need> needs_;
  std::map<std::string, std::unique_ptr<Project>, std::less<>> projects_;
  std::map<std::pair<KeyId, const Candidate*>, Dependencies> dependencies_;
  // Which candidates of its project each need admits: needs recur round after round, so
  // each is matched against the versions once.
  std::map<const Need*, std::vector<bool>> admitted_;
  std::map<const Candidate*, Result<std::vector<python::Requirement>>> metadata_;
  std::map<std::string, std::vector<Constraint>, std::less<>> constraints_;
  std::map<std::string, python::Environment> environments_;  // by `extra`
};

}  // namespace ignite::resolve::detail
