// The provenance statement: its exact bytes for a fixed input, reading it back, and naming
// whatever a statement read lacks.
#include "builder/attest/provenance.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/attest/attest_testing.h"

namespace ignite::attest {
namespace {

using Json = nlohmann::json;

using testing::mutate_json;
using testing::repeat_text;

const std::string kManifest = repeat_text("e1", 32);
const std::string kCode = repeat_text("c0", 32);
const std::string kLock = repeat_text("10", 32);
const std::string kBase = repeat_text("ba", 32);
const std::string kCommit = "0123456789abcdef0123456789abcdef01234567";

ProvenanceClaims full_claims() {
  ProvenanceClaims c;
  c.subject_name = "acme-corp/greet";
  c.subject_digest = "sha256:" + kManifest;
  c.org = "acme-corp";
  c.app = "greet";
  c.code_hash = "sha256:" + kCode;
  c.git =
      GitSourceClaim{"https://git.example.com/acme/greet.git", "refs/heads/main", kCommit, "fn"};
  c.lock_hash = "sha256:" + kLock;
  c.base = "ignite/python-base:bookworm-3.11";
  c.base_digest = "sha256:" + kBase;
  c.source_date_epoch = 1700000000;  // 2023-11-14T22:13:20Z
  c.builder_version = "0.1.0";
  c.invocation_id = "01HX7Q0000000000000000000";
  c.started_at_ms = 1700000100123;   // 22:15:00.123
  c.finished_at_ms = 1700000163999;  // 22:16:03.999
  return c;
}

// The statement of full_claims(), written out by hand from the shape in provenance.h: keys
// sorted, no whitespace, times in whole seconds rounded down.
const std::string kGolden =
    R"({"_type":"https://in-toto.io/Statement/v1","predicate":{"buildDefinition":{)"
    R"("buildType":"https://ignite-compute.dev/ignite-builder/function/v1",)"
    R"("externalParameters":{"app":"greet","git":{"commit":")" +
    kCommit +
    R"(","ref":"refs/heads/main","subdir":"fn","url":"https://git.example.com/acme/greet.git"},)"
    R"("org":"acme-corp","source":{"codeHash":"sha256:)" +
    kCode +
    R"("}},)"
    R"("internalParameters":{"base":"ignite/python-base:bookworm-3.11","codeHashVersion":"1",)"
    R"("sourceDateEpoch":1700000000},)"
    R"("resolvedDependencies":[{"digest":{"sha256":")" +
    kCode +
    R"("},"name":"source"},)"
    R"({"digest":{"gitCommit":")" +
    kCommit +
    R"("},"uri":"git+https://git.example.com/acme/greet.git"},)"
    R"({"digest":{"sha256":")" +
    kLock +
    R"("},"name":"pylock.toml"},)"
    R"({"digest":{"sha256":")" +
    kBase +
    R"("},"name":"base","uri":"ignite/python-base:bookworm-3.11"}]},)"
    R"("runDetails":{"builder":{"id":"https://ignite-compute.dev/ignite-builder",)"
    R"("version":{"ignite-builder":"0.1.0"}},"metadata":{"finishedOn":"2023-11-14T22:16:03Z",)"
    R"("invocationId":"01HX7Q0000000000000000000","startedOn":"2023-11-14T22:15:00Z"}}},)"
    R"("predicateType":"https://slsa.dev/provenance/v1",)"
    R"("subject":[{"digest":{"sha256":")" +
    kManifest + R"("},"name":"acme-corp/greet"}]})";

void expect_same_claims(const ProvenanceClaims& a, const ProvenanceClaims& b) {
  EXPECT_EQ(a.subject_name, b.subject_name);
  EXPECT_EQ(a.subject_digest, b.subject_digest);
  EXPECT_EQ(a.org, b.org);
  EXPECT_EQ(a.app, b.app);
  EXPECT_EQ(a.code_hash, b.code_hash);
  EXPECT_EQ(a.code_hash_version, b.code_hash_version);
  ASSERT_EQ(a.git.has_value(), b.git.has_value());
  if (a.git) {
    EXPECT_EQ(a.git->url, b.git->url);
    EXPECT_EQ(a.git->ref, b.git->ref);
    EXPECT_EQ(a.git->commit, b.git->commit);
    EXPECT_EQ(a.git->subdir, b.git->subdir);
  }
  EXPECT_EQ(a.lock_hash, b.lock_hash);
  EXPECT_EQ(a.base, b.base);
  EXPECT_EQ(a.base_digest, b.base_digest);
  EXPECT_EQ(a.source_date_epoch, b.source_date_epoch);
  EXPECT_EQ(a.builder_id, b.builder_id);
  EXPECT_EQ(a.builder_version, b.builder_version);
  EXPECT_EQ(a.invocation_id, b.invocation_id);
  EXPECT_EQ(a.started_at_ms, b.started_at_ms);
  EXPECT_EQ(a.finished_at_ms, b.finished_at_ms);
}

TEST(ProvenanceTest, WritesTheDocumentedStatement) {
  EXPECT_EQ(write_provenance_statement(full_claims()), kGolden);
}

TEST(ProvenanceTest, TheSameClaimsAreTheSameBytes) {
  const std::string first = write_provenance_statement(full_claims());
  EXPECT_EQ(write_provenance_statement(full_claims()), first);
  auto back = read_provenance_statement(first, "statement");
  ASSERT_TRUE(back.ok()) << back.status().to_string();
  EXPECT_EQ(write_provenance_statement(*back), first);
}

struct Variant {
  const char* name;
  bool git;
  bool lock;
  bool invocation;
};

class ProvenanceRoundTripTest : public ::testing::TestWithParam<Variant> {};

TEST_P(ProvenanceRoundTripTest, ReadsBackEveryField) {
  ProvenanceClaims claims = full_claims();
  if (!GetParam().git) claims.git.reset();
  if (!GetParam().lock) claims.lock_hash.clear();
  if (!GetParam().invocation) claims.invocation_id.clear();
  claims.builder_id = "https://builder.example/ci";
  claims.code_hash_version = "1";
  const std::string json = write_provenance_statement(claims);
  EXPECT_EQ(json.find("\"git\":") != std::string::npos, GetParam().git);
  EXPECT_EQ(json.find("gitCommit") != std::string::npos, GetParam().git);
  EXPECT_EQ(json.find("pylock.toml") != std::string::npos, GetParam().lock);
  EXPECT_EQ(json.find("invocationId") != std::string::npos, GetParam().invocation);

  auto back = read_provenance_statement(json, "statement");
  ASSERT_TRUE(back.ok()) << back.status().to_string();
  // Times come back with second precision.
  claims.started_at_ms = 1700000100000;
  claims.finished_at_ms = 1700000163000;
  expect_same_claims(*back, claims);
}

INSTANTIATE_TEST_SUITE_P(Variants, ProvenanceRoundTripTest,
                         ::testing::Values(Variant{"Everything", true, true, true},
                                           Variant{"NoGit", false, true, true},
                                           Variant{"NoLock", true, false, true},
                                           Variant{"NoInvocation", true, true, false},
                                           Variant{"Nothing", false, false, false}),
                         [](const auto& p) { return std::string(p.param.name); });

TEST(ProvenanceTest, TimesRoundDownToTheSecond) {
  ProvenanceClaims claims = full_claims();
  claims.started_at_ms = -1;  // before 1970 rounds down too
  claims.finished_at_ms = 999;
  const std::string json = write_provenance_statement(claims);
  EXPECT_NE(json.find(R"("startedOn":"1969-12-31T23:59:59Z")"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("finishedOn":"1970-01-01T00:00:00Z")"), std::string::npos) << json;
}

// A change to the golden statement, and the error it must give.
struct Mutation {
  const char* name;
  const char* pointer;  // JSON pointer into the statement
  Json value;           // null: remove the member
  const char* message;  // after "statement: "
};

class ProvenanceReadErrorTest : public ::testing::TestWithParam<Mutation> {};

TEST_P(ProvenanceReadErrorTest, NamesTheField) {
  Json j = Json::parse(kGolden);
  mutate_json(j, GetParam().pointer, GetParam().value);
  auto claims = read_provenance_statement(j.dump(), "statement");
  ASSERT_FALSE(claims.ok());
  EXPECT_EQ(claims.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(claims.status().message(), std::string("statement: ") + GetParam().message);
}

const std::string kDependencies = "predicate.buildDefinition.resolvedDependencies";

INSTANTIATE_TEST_SUITE_P(
    Fields, ProvenanceReadErrorTest,
    ::testing::Values(
        Mutation{"NoType", "/_type", nullptr, "field \"_type\" is missing"},
        Mutation{"OldType", "/_type", "https://in-toto.io/Statement/v0.1",
                 "field \"_type\" is \"https://in-toto.io/Statement/v0.1\", not "
                 "https://in-toto.io/Statement/v1"},
        Mutation{"OtherPredicate", "/predicateType", "https://slsa.dev/provenance/v0.2",
                 "field \"predicateType\" is \"https://slsa.dev/provenance/v0.2\", not "
                 "https://slsa.dev/provenance/v1"},
        Mutation{"NoSubject", "/subject", nullptr, "field \"subject\" is missing"},
        Mutation{"SubjectNotArray", "/subject", Json::object(),
                 "field \"subject\" is not an array"},
        Mutation{"TwoSubjects", "/subject/1", Json::object(),
                 "field \"subject\" holds 2 entries; a version's statement has one object"},
        Mutation{"NoSubjectName", "/subject/0/name", nullptr,
                 "subject[0]: field \"name\" is missing"},
        Mutation{"NoSubjectDigest", "/subject/0/digest/sha256", nullptr,
                 "subject[0].digest: field \"sha256\" is missing"},
        Mutation{"SubjectDigestNotHex", "/subject/0/digest/sha256", "E1E1",
                 "subject[0].digest: field \"sha256\" is \"E1E1\", not 64 lowercase hex digits"},
        Mutation{"NoPredicate", "/predicate", nullptr, "field \"predicate\" is missing"},
        Mutation{"NoDefinition", "/predicate/buildDefinition", nullptr,
                 "predicate: field \"buildDefinition\" is missing"},
        Mutation{"OtherBuildType", "/predicate/buildDefinition/buildType", "https://x/y",
                 "predicate.buildDefinition: field \"buildType\" is \"https://x/y\", not "
                 "https://ignite-compute.dev/ignite-builder/function/v1"},
        Mutation{"NoOrg", "/predicate/buildDefinition/externalParameters/org", nullptr,
                 "predicate.buildDefinition.externalParameters: field \"org\" is missing"},
        Mutation{"AppNotString", "/predicate/buildDefinition/externalParameters/app", 7,
                 "predicate.buildDefinition.externalParameters: field \"app\" is not a string"},
        Mutation{"NoCodeHash", "/predicate/buildDefinition/externalParameters/source/codeHash",
                 nullptr,
                 "predicate.buildDefinition.externalParameters.source: field \"codeHash\" is "
                 "missing"},
        Mutation{"GitNotObject", "/predicate/buildDefinition/externalParameters/git", "x",
                 "predicate.buildDefinition.externalParameters: field \"git\" is not an object"},
        Mutation{"NoGitUrl", "/predicate/buildDefinition/externalParameters/git/url", nullptr,
                 "predicate.buildDefinition.externalParameters.git: field \"url\" is missing"},
        Mutation{"NoGitSubdir", "/predicate/buildDefinition/externalParameters/git/subdir", nullptr,
                 "predicate.buildDefinition.externalParameters.git: field \"subdir\" is "
                 "missing"},
        Mutation{"EpochNotInteger", "/predicate/buildDefinition/internalParameters/sourceDateEpoch",
                 "1700000000",
                 "predicate.buildDefinition.internalParameters: field \"sourceDateEpoch\" is not "
                 "an integer"},
        Mutation{"NoCodeHashVersion",
                 "/predicate/buildDefinition/internalParameters/codeHashVersion", nullptr,
                 "predicate.buildDefinition.internalParameters: field \"codeHashVersion\" is "
                 "missing"},
        Mutation{"NoBaseReference", "/predicate/buildDefinition/internalParameters/base", nullptr,
                 "predicate.buildDefinition.internalParameters: field \"base\" is missing"},
        Mutation{"NoDependencies", "/predicate/buildDefinition/resolvedDependencies", nullptr,
                 "predicate.buildDefinition: field \"resolvedDependencies\" is missing"},
        Mutation{"SourceDigestDiffers",
                 "/predicate/buildDefinition/resolvedDependencies/0/digest/sha256",
                 repeat_text("0c", 32),
                 "predicate.buildDefinition.resolvedDependencies[0]: field \"digest\" is "
                 "\"sha256:0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c\", "
                 "not sha256:c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0 "
                 "(externalParameters.source.codeHash)"},
        Mutation{"NoSourceEntry", "/predicate/buildDefinition/resolvedDependencies/0", nullptr,
                 "predicate.buildDefinition.resolvedDependencies has no \"source\" entry"},
        Mutation{"NoGitEntry", "/predicate/buildDefinition/resolvedDependencies/1", nullptr,
                 "predicate.buildDefinition.resolvedDependencies has no git commit entry"},
        Mutation{"GitCommitDiffers",
                 "/predicate/buildDefinition/resolvedDependencies/1/digest/gitCommit", "ffff",
                 "predicate.buildDefinition.resolvedDependencies[1]: field \"gitCommit\" is "
                 "\"ffff\", not 0123456789abcdef0123456789abcdef01234567 "
                 "(externalParameters.git.commit)"},
        Mutation{"LockDigestNotHex",
                 "/predicate/buildDefinition/resolvedDependencies/2/digest/sha256", 5,
                 "predicate.buildDefinition.resolvedDependencies[2].digest: field \"sha256\" is "
                 "not a string"},
        Mutation{"NoBaseEntry", "/predicate/buildDefinition/resolvedDependencies/3", nullptr,
                 "predicate.buildDefinition.resolvedDependencies has no \"base\" entry"},
        Mutation{"BaseUriDiffers", "/predicate/buildDefinition/resolvedDependencies/3/uri",
                 "other:base",
                 "predicate.buildDefinition.resolvedDependencies[3]: field \"uri\" is "
                 "\"other:base\", not ignite/python-base:bookworm-3.11 "
                 "(internalParameters.base)"},
        Mutation{"DependencyNotObject", "/predicate/buildDefinition/resolvedDependencies/2", 1,
                 "predicate.buildDefinition.resolvedDependencies[2] is not an object"},
        Mutation{"NoRunDetails", "/predicate/runDetails", nullptr,
                 "predicate: field \"runDetails\" is missing"},
        Mutation{"NoBuilderId", "/predicate/runDetails/builder/id", nullptr,
                 "predicate.runDetails.builder: field \"id\" is missing"},
        Mutation{"NoBuilderVersion", "/predicate/runDetails/builder/version/ignite-builder",
                 nullptr,
                 "predicate.runDetails.builder.version: field \"ignite-builder\" is missing"},
        Mutation{"StartNotATime", "/predicate/runDetails/metadata/startedOn", "yesterday",
                 "predicate.runDetails.metadata: field \"startedOn\" is \"yesterday\", not an "
                 "RFC 3339 UTC time (YYYY-MM-DDTHH:MM:SSZ)"},
        Mutation{"NoFinish", "/predicate/runDetails/metadata/finishedOn", nullptr,
                 "predicate.runDetails.metadata: field \"finishedOn\" is missing"},
        Mutation{"InvocationNotString", "/predicate/runDetails/metadata/invocationId", 12,
                 "predicate.runDetails.metadata: field \"invocationId\" is not a string"}),
    [](const auto& p) { return std::string(p.param.name); });

TEST(ProvenanceTest, RefusesWhatIsNotAStatement) {
  EXPECT_EQ(read_provenance_statement("{", "statement").status().message(),
            "statement: not valid JSON");
  EXPECT_EQ(read_provenance_statement("[]", "statement").status().message(),
            "statement: not a JSON object");
  // A git commit entry in a statement that names no git source.
  Json j = Json::parse(kGolden);
  j["predicate"]["buildDefinition"]["externalParameters"].erase("git");
  EXPECT_EQ(read_provenance_statement(j.dump(), "statement").status().message(),
            "statement: " + kDependencies + "[1] is a git commit, but no git source is named");
}

}  // namespace
}  // namespace ignite::attest
