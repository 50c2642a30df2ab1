// Internal to the resolver: the Resolution read off the final state.
#pragma once

#include "builder/resolve/candidate_pool.h"
#include "builder/resolve/resolution.h"
#include "builder/resolve/resolve_state.h"

namespace ignite::resolve::detail {

// The pins reachable from a requested requirement (a pin whose every requirement came
// from pins that were later replaced is left out, as resolvelib leaves it out), merged per
// project across extras, with their reasons and chains; sorted by name.
Resolution build_resolution(const CandidatePool& pool, const State& state);

}  // namespace ignite::resolve::detail
