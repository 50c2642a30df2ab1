// The dependency resolver: from requirements to one pinned candidate per project.
//
// A backtracking resolver in the manner of resolvelib 1.2 (pip's): each round picks the
// unpinned project to decide next (projects requested directly first, then by name),
// tries its candidates newest first, and pins the first whose dependencies leave every
// project at least one candidate. When none does, it backjumps to the pin that caused
// the conflict, remembers the version that failed, and tries again. docs/resolver.md
// describes the algorithm, the preference order and the messages.
//
// Errors (each names the project):
//   FAILED_PRECONDITION  the requirements cannot all be met: the message lists, per
//                        project, every clashing requirement with the chain of pins that
//                        brought it in, and the versions that exist.
//   NOT_FOUND            a requested project has no versions in the source at all.
//   RESOURCE_EXHAUSTED   "too complex after N rounds" (ResolveOptions::max_rounds).
//   UNIMPLEMENTED        a requested direct URL ("name @ https://...").
//   anything else        a failure of the package source, with context.
#pragma once

#include "builder/resolve/package_source.h"
#include "builder/resolve/resolution.h"
#include "builder/resolve/resolve_request.h"
#include "builder/util/status.h"

namespace ignite::resolve {

// Deterministic: the same source contents and request give the same Resolution.
Result<Resolution> resolve(PackageSource& source, const ResolveRequest& request);

}  // namespace ignite::resolve
