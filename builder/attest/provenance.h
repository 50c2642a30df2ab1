// The provenance of a version: an in-toto Statement v1 whose predicate is SLSA Provenance v1
// (https://slsa.dev/provenance/v1), written by one canonical writer (docs/attestations.md).
//
//   {"_type":"https://in-toto.io/Statement/v1",
//    "subject":[{"name":"<org>/<app>","digest":{"sha256":"<manifest hex>"}}],
//    "predicateType":"https://slsa.dev/provenance/v1",
//    "predicate":{
//      "buildDefinition":{
//        "buildType":"https://ignite-compute.dev/ignite-builder/function/v1",
//        "externalParameters":{"org":…,"app":…,"source":{"codeHash":"sha256:…"} and, for a git
//                              build, "git":{"url":…,"ref":…,"commit":…,"subdir":…}},
//        "internalParameters":{"codeHashVersion":"1","sourceDateEpoch":<seconds>,
//                              "base":"<the recorded base reference>"},
//        "resolvedDependencies":[
//          {"name":"source","digest":{"sha256":"<codeHash hex>"}} (a git build also
//             {"uri":"git+<url>","digest":{"gitCommit":"<commit>"}}),
//          {"name":"pylock.toml","digest":{"sha256":"<lockHash hex>"}}  (only with a lock),
//          {"name":"base","uri":"<base reference>","digest":{"sha256":"<base manifest hex>"}}]},
//      "runDetails":{
//        "builder":{"id":"<builder id>","version":{"ignite-builder":"<version>"}},
//        "metadata":{"invocationId":"<build id>" (when a queue's build),
//                    "startedOn":"<RFC 3339>","finishedOn":"<RFC 3339>"}}}}
//
// Keys are written sorted (nlohmann's order) with no whitespace; the same inputs give the same
// bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "builder/util/status.h"

namespace ignite::attest {

inline constexpr std::string_view kStatementType = "https://in-toto.io/Statement/v1";
inline constexpr std::string_view kSlsaProvenanceType = "https://slsa.dev/provenance/v1";
inline constexpr std::string_view kBuildType =
    "https://ignite-compute.dev/ignite-builder/function/v1";
// The builder id when none is configured.
inline constexpr std::string_view kDefaultBuilderId =
    "https://ignite-compute.dev/ignite-builder";

struct GitSourceClaim {
  std::string url;  // credential-free
  std::string ref;
  std::string commit;
  std::string subdir;
};

// What the provenance claims. Digests are "sha256:<hex>" here; the statement holds the hex.
struct ProvenanceClaims {
  std::string subject_name;     // "<org>/<app>"
  std::string subject_digest;   // the image manifest
  std::string org;
  std::string app;
  std::string code_hash;
  std::string code_hash_version = "1";
  std::optional<GitSourceClaim> git;
  std::string lock_hash;        // "" without a lock
  std::string base;             // the recorded base reference (inputs.base)
  std::string base_digest;
  std::int64_t source_date_epoch = 0;
  std::string builder_id = std::string(kDefaultBuilderId);
  std::string builder_version;
  std::string invocation_id;    // the queue's build id; "" for `ignite-builder build`
  std::int64_t started_at_ms = 0;   // written as RFC 3339 UTC, milliseconds dropped
  std::int64_t finished_at_ms = 0;
};

// The statement's JSON bytes.
std::string write_provenance_statement(const ProvenanceClaims& claims);

// Reads a statement back. INVALID_ARGUMENT "<origin>: …" naming the key when it is not an
// in-toto Statement v1 with a SLSA v1 predicate, or a field above is missing or of the wrong
// type. Times come back with second precision.
Result<ProvenanceClaims> read_provenance_statement(std::string_view json, std::string_view origin);

}  // namespace ignite::attest
