// What the resolver is asked: requirements, constraints, the target environment, options.
#pragma once

#include <vector>

#include "builder/python/environment.h"
#include "builder/python/requirement.h"

namespace ignite::resolve {

// The documented round limit (docs/resolver.md, "Rounds"). A round pins one package
// (trying its candidates newest first) or backjumps once; a resolution that needs more
// fails with RESOURCE_EXHAUSTED "too complex after N rounds" instead of running on.
// resolvelib ships 100 and pip 200000; 2000 resolves every real-index vector case but the
// pathological pyrax one in well under a second.
inline constexpr int kDefaultMaxRounds = 2000;

enum class Prereleases {
  kIfNeeded,  // PEP 440's default: a pre-release only when no final release matches
              // (or a specifier names a pre-release, e.g. ">=2.0b1")
  kAllow,     // pip's --pre: pre-releases compete with final releases
};

struct ResolveOptions {
  Prereleases prereleases = Prereleases::kIfNeeded;
  int max_rounds = kDefaultMaxRounds;
};

struct ResolveRequest {
  // What to install (requirements.txt lines). Markers are evaluated for `environment`
  // with `extra` empty; a requirement whose marker is false is dropped. Direct URL
  // requirements ("name @ https://...") are not resolved here (UNIMPLEMENTED).
  std::vector<python::Requirement> requirements;
  // -c lines: they narrow the versions of a project that something else brings in, and
  // never bring a project in themselves. Only name, specifier and marker count.
  std::vector<python::Requirement> constraints;
  // The interpreter the image runs: markers and Requires-Python are checked against it.
  python::Environment environment = python::Environment::target_default();
  ResolveOptions options;
};

}  // namespace ignite::resolve
