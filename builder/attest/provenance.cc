#include "builder/attest/provenance.h"

#include "builder/util/json_codec.h"
#include "builder/util/quote.h"
#include "builder/util/rfc3339.h"
#include "builder/util/sha256.h"

namespace ignite::attest {
namespace {

constexpr std::string_view kSha256Prefix = "sha256:";
constexpr std::string_view kGitUriPrefix = "git+";
constexpr std::string_view kBuilderVersionKey = "ignite-builder";

// The statement holds digests as hex (in-toto's DigestSet); the claims as "sha256:<hex>".
std::string hex_of(std::string_view digest) {
  if (digest.starts_with(kSha256Prefix)) digest.remove_prefix(kSha256Prefix.size());
  return std::string(digest);
}

Json sha256_set(std::string_view digest) { return {{"sha256", hex_of(digest)}}; }

// Milliseconds since the epoch as RFC 3339 seconds, rounded down (also before 1970).
std::string time_of(std::int64_t ms) {
  const std::int64_t seconds = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
  return rfc3339_utc(seconds);
}

Status unexpected(std::string_view what, std::string_view key, std::string_view value,
                  std::string_view wanted) {
  return invalid_argument(std::string(what) + ": field \"" + std::string(key) + "\" is " +
                          quote_text(value) + ", not " + std::string(wanted));
}

// The "digest" member's `algorithm` entry of a resource descriptor or subject.
Result<std::string> digest_entry(const Json& object, std::string_view algorithm,
                                 std::string_view what) {
  IGNITE_ASSIGN_OR_RETURN(const Json* digest, json_object(object, "digest", what));
  return json_string(*digest, algorithm, std::string(what) + ".digest");
}

// "sha256:<hex>" from a DigestSet's sha256, which must be 64 lowercase hex digits.
Result<std::string> sha256_digest(const Json& object, std::string_view what) {
  IGNITE_ASSIGN_OR_RETURN(std::string hex, digest_entry(object, "sha256", what));
  if (!is_sha256_hex(hex)) {
    return invalid_argument(std::string(what) + ".digest: field \"sha256\" is " + quote_text(hex) +
                            ", not 64 lowercase hex digits");
  }
  return std::string(kSha256Prefix) + hex;
}

Result<std::int64_t> time_ms(const Json& object, std::string_view key, std::string_view what) {
  IGNITE_ASSIGN_OR_RETURN(std::string text, json_string(object, key, what));
  const auto seconds = parse_rfc3339_utc(text);
  if (!seconds) return unexpected(what, key, text, "an RFC 3339 UTC time (YYYY-MM-DDTHH:MM:SSZ)");
  return *seconds * 1000;
}

Status read_external(const Json& external, std::string_view what, ProvenanceClaims& claims) {
  IGNITE_ASSIGN_OR_RETURN(claims.org, json_string(external, "org", what));
  IGNITE_ASSIGN_OR_RETURN(claims.app, json_string(external, "app", what));
  IGNITE_ASSIGN_OR_RETURN(const Json* source, json_object(external, "source", what));
  IGNITE_ASSIGN_OR_RETURN(claims.code_hash,
                          json_string(*source, "codeHash", std::string(what) + ".source"));
  if (external.contains("git")) {
    const std::string git_what = std::string(what) + ".git";
    IGNITE_ASSIGN_OR_RETURN(const Json* git, json_object(external, "git", what));
    GitSourceClaim claim;
    IGNITE_ASSIGN_OR_RETURN(claim.url, json_string(*git, "url", git_what));
    IGNITE_ASSIGN_OR_RETURN(claim.ref, json_string(*git, "ref", git_what));
    IGNITE_ASSIGN_OR_RETURN(claim.commit, json_string(*git, "commit", git_what));
    IGNITE_ASSIGN_OR_RETURN(claim.subdir, json_string(*git, "subdir", git_what));
    claims.git = std::move(claim);
  }
  return ok_status();
}

// The resolved dependencies, each checked against the parameters read before them: they
// restate the codeHash, the git commit and the base, and must not say something else.
Status read_dependencies(const Json& dependencies, std::string_view what,
                         ProvenanceClaims& claims) {
  bool source = false;
  bool git = false;
  bool base = false;
  for (std::size_t i = 0; i < dependencies.size(); ++i) {
    const Json& d = dependencies[i];
    const std::string at = std::string(what) + "[" + std::to_string(i) + "]";
    if (!d.is_object()) return invalid_argument(at + " is not an object");
    IGNITE_ASSIGN_OR_RETURN(std::string name, json_optional_string(d, "name", at));
    IGNITE_ASSIGN_OR_RETURN(std::string uri, json_optional_string(d, "uri", at));
    if (name == "source") {
      IGNITE_ASSIGN_OR_RETURN(std::string digest, sha256_digest(d, at));
      if (digest != claims.code_hash) {
        return unexpected(at, "digest", digest,
                          claims.code_hash + " (externalParameters.source.codeHash)");
      }
      source = true;
    } else if (name == "pylock.toml") {
      IGNITE_ASSIGN_OR_RETURN(claims.lock_hash, sha256_digest(d, at));
    } else if (name == "base") {
      IGNITE_ASSIGN_OR_RETURN(claims.base_digest, sha256_digest(d, at));
      if (uri != claims.base) {
        return unexpected(at, "uri", uri, claims.base + " (internalParameters.base)");
      }
      base = true;
    } else if (name.empty() && uri.starts_with(kGitUriPrefix)) {
      if (!claims.git) return invalid_argument(at + " is a git commit, but no git source is named");
      const std::string wanted = std::string(kGitUriPrefix) + claims.git->url;
      if (uri != wanted)
        return unexpected(at, "uri", uri, wanted + " (externalParameters.git.url)");
      IGNITE_ASSIGN_OR_RETURN(std::string commit, digest_entry(d, "gitCommit", at));
      if (commit != claims.git->commit) {
        return unexpected(at, "gitCommit", commit,
                          claims.git->commit + " (externalParameters.git.commit)");
      }
      git = true;
    }
  }
  if (!source) return invalid_argument(std::string(what) + " has no \"source\" entry");
  if (!base) return invalid_argument(std::string(what) + " has no \"base\" entry");
  if (claims.git && !git) return invalid_argument(std::string(what) + " has no git commit entry");
  return ok_status();
}

Status read_build_definition(const Json& definition, std::string_view what,
                             ProvenanceClaims& claims) {
  IGNITE_RETURN_IF_ERROR(json_expect_string(definition, "buildType", kBuildType, what));
  IGNITE_ASSIGN_OR_RETURN(const Json* external,
                          json_object(definition, "externalParameters", what));
  IGNITE_RETURN_IF_ERROR(
      read_external(*external, std::string(what) + ".externalParameters", claims));
  const std::string internal_what = std::string(what) + ".internalParameters";
  IGNITE_ASSIGN_OR_RETURN(const Json* internal,
                          json_object(definition, "internalParameters", what));
  IGNITE_ASSIGN_OR_RETURN(claims.code_hash_version,
                          json_string(*internal, "codeHashVersion", internal_what));
  IGNITE_ASSIGN_OR_RETURN(claims.source_date_epoch,
                          json_int(*internal, "sourceDateEpoch", internal_what));
  IGNITE_ASSIGN_OR_RETURN(claims.base, json_string(*internal, "base", internal_what));
  IGNITE_ASSIGN_OR_RETURN(const Json* dependencies,
                          json_array(definition, "resolvedDependencies", what));
  return read_dependencies(*dependencies, std::string(what) + ".resolvedDependencies", claims);
}

Status read_run_details(const Json& run, std::string_view what, ProvenanceClaims& claims) {
  const std::string builder_what = std::string(what) + ".builder";
  IGNITE_ASSIGN_OR_RETURN(const Json* builder, json_object(run, "builder", what));
  IGNITE_ASSIGN_OR_RETURN(claims.builder_id, json_string(*builder, "id", builder_what));
  IGNITE_ASSIGN_OR_RETURN(const Json* version, json_object(*builder, "version", builder_what));
  IGNITE_ASSIGN_OR_RETURN(claims.builder_version,
                          json_string(*version, kBuilderVersionKey, builder_what + ".version"));
  const std::string metadata_what = std::string(what) + ".metadata";
  IGNITE_ASSIGN_OR_RETURN(const Json* metadata, json_object(run, "metadata", what));
  IGNITE_ASSIGN_OR_RETURN(claims.invocation_id,
                          json_optional_string(*metadata, "invocationId", metadata_what));
  IGNITE_ASSIGN_OR_RETURN(claims.started_at_ms, time_ms(*metadata, "startedOn", metadata_what));
  IGNITE_ASSIGN_OR_RETURN(claims.finished_at_ms, time_ms(*metadata, "finishedOn", metadata_what));
  return ok_status();
}

}  // namespace

std::string write_provenance_statement(const ProvenanceClaims& c) {
  Json external = {{"org", c.org}, {"app", c.app}, {"source", {{"codeHash", c.code_hash}}}};
  Json dependencies = Json::array();
  dependencies.push_back({{"name", "source"}, {"digest", sha256_set(c.code_hash)}});
  if (c.git) {
    external["git"] = {{"url", c.git->url},
                       {"ref", c.git->ref},
                       {"commit", c.git->commit},
                       {"subdir", c.git->subdir}};
    dependencies.push_back({{"uri", std::string(kGitUriPrefix) + c.git->url},
                            {"digest", {{"gitCommit", c.git->commit}}}});
  }
  if (!c.lock_hash.empty()) {
    dependencies.push_back({{"name", "pylock.toml"}, {"digest", sha256_set(c.lock_hash)}});
  }
  dependencies.push_back(
      {{"name", "base"}, {"uri", c.base}, {"digest", sha256_set(c.base_digest)}});

  Json metadata = {{"startedOn", time_of(c.started_at_ms)},
                   {"finishedOn", time_of(c.finished_at_ms)}};
  if (!c.invocation_id.empty()) metadata["invocationId"] = c.invocation_id;

  const Json definition = {{"buildType", std::string(kBuildType)},
                           {"externalParameters", std::move(external)},
                           {"internalParameters",
                            {{"codeHashVersion", c.code_hash_version},
                             {"sourceDateEpoch", c.source_date_epoch},
                             {"base", c.base}}},
                           {"resolvedDependencies", std::move(dependencies)}};
  const Json run = {
      {"builder",
       {{"id", c.builder_id}, {"version", {{std::string(kBuilderVersionKey), c.builder_version}}}}},
      {"metadata", std::move(metadata)}};
  Json subject = Json::array();
  subject.push_back({{"name", c.subject_name}, {"digest", sha256_set(c.subject_digest)}});
  const Json statement = {{"_type", std::string(kStatementType)},
                          {"subject", std::move(subject)},
                          {"predicateType", std::string(kSlsaProvenanceType)},
                          {"predicate", {{"buildDefinition", definition}, {"runDetails", run}}}};
  return canonical_json_lossy(statement);
}

Result<ProvenanceClaims> read_provenance_statement(std::string_view json, std::string_view origin) {
  const std::string where(origin);
  IGNITE_ASSIGN_OR_RETURN(Json j, parse_json_object(json, where));
  IGNITE_RETURN_IF_ERROR(json_expect_string(j, "_type", kStatementType, where));
  IGNITE_RETURN_IF_ERROR(json_expect_string(j, "predicateType", kSlsaProvenanceType, where));

  ProvenanceClaims claims;
  IGNITE_ASSIGN_OR_RETURN(const Json* subjects, json_array(j, "subject", where));
  if (subjects->size() != 1 || !(*subjects)[0].is_object()) {
    return invalid_argument(where + ": field \"subject\" holds " +
                            std::to_string(subjects->size()) +
                            " entries; a version's statement has one object");
  }
  const Json& subject = (*subjects)[0];
  IGNITE_ASSIGN_OR_RETURN(claims.subject_name,
                          json_string(subject, "name", where + ": subject[0]"));
  IGNITE_ASSIGN_OR_RETURN(claims.subject_digest, sha256_digest(subject, where + ": subject[0]"));

  IGNITE_ASSIGN_OR_RETURN(const Json* predicate, json_object(j, "predicate", where));
  IGNITE_ASSIGN_OR_RETURN(const Json* definition,
                          json_object(*predicate, "buildDefinition", where + ": predicate"));
  IGNITE_RETURN_IF_ERROR(
      read_build_definition(*definition, where + ": predicate.buildDefinition", claims));
  IGNITE_ASSIGN_OR_RETURN(const Json* run,
                          json_object(*predicate, "runDetails", where + ": predicate"));
  IGNITE_RETURN_IF_ERROR(read_run_details(*run, where + ": predicate.runDetails", claims));
  return claims;
}

}  // namespace ignite::attest
