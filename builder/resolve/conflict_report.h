// Internal to the resolver: the messages it fails with, and the chains of pins that
// explain why a project is wanted. docs/resolver.md shows each message.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "builder/resolve/candidate_pool.h"
#include "builder/resolve/resolve_state.h"
#include "builder/util/status.h"

namespace ignite::resolve::detail {

// "name[extras] version", e.g. "dask[delayed] 2.10.1".
std::string show_pin(const CandidatePool& pool, KeyId key, const Candidate& candidate);

// A requirement and the route to it, in pieces: "six>=1.12.0", "virtualenv", "20.0.4",
// " ← requested virtualenv". parent_key is empty for a requested requirement; rest is
// empty when no route to a requested requirement is left in the state.
struct ChainParts {
  std::string requirement;
  std::string parent_key;
  std::string parent_version;
  std::string rest;
};
ChainParts chain_parts(const CandidatePool& pool, const State& state, const Info& info);

// The requirement and the shortest route from a requested requirement to it, through
// the criteria of `state`: "six>=1.12.0 ← virtualenv 20.0.4 ← requested virtualenv",
// or "six<1.12 ← requested".
std::string explain_chain(const CandidatePool& pool, const State& state, const Info& info);

// "versions of six in <source>: 1.14.0, 1.13.0 (yanked), ... and 20 older", or
// "six has no versions in <source>".
std::string describe_versions(CandidatePool& pool, const std::string& name);

// Unusable candidates by project name: "foo 2.0: <why>" (metadata that could not be read).
using UnusableNotes = std::map<std::string, std::vector<std::string>>;

// FAILED_PRECONDITION: per project of the causes, every clashing requirement with its
// chain, the constraints on it, the versions that exist, and the candidates skipped.
Status conflict_error(CandidatePool& pool, const State& state, const std::vector<Info>& causes,
                      const UnusableNotes& unusable);

// NOT_FOUND: a requested project that the source does not have at all.
Status not_in_source_error(CandidatePool& pool, const Need& need);

// RESOURCE_EXHAUSTED "too complex after N rounds", naming the requirements that clashed last.
Status too_complex_error(const CandidatePool& pool, int rounds, int backjumps,
                         const std::vector<Info>& last_causes);

}  // namespace ignite::resolve::detail
