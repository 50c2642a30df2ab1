// The platform's HTTP/JSON bodies (its documentation's examples) read into and written from the
// API's messages through the proto3 JSON mapping.
#include "src/api/json_mapping.h"

#include <gtest/gtest.h>

#include "dodil/ignite/builder/v1/build.pb.h"
#include "dodil/ignite/v1/compute.pb.h"
#include "src/api/build_messages.h"

namespace ignite::api {
namespace {

namespace v1 = dodil::ignite::v1;
namespace bv1 = dodil::ignite::builder::v1;

TEST(JsonMappingTest, ReadsTheCreateAppBody) {
  v1::CreateAppRequest r;
  ASSERT_TRUE(
      parse_json(R"({"name": "greet", "resourceTier": "small", "description": "hi"})", r).ok());
  EXPECT_EQ(r.name(), "greet");
  EXPECT_EQ(r.resource_tier(), "small");
  EXPECT_EQ(r.description(), "hi");
  v1::CreateAppResponse out;
  out.set_app_id("acme-corp/greet");
  EXPECT_EQ(to_json(out), R"({"appId":"acme-corp/greet"})");
}

TEST(JsonMappingTest, ReadsACompileDraftWithBase64Source) {
  // "def handler(p, ctx):\n    return p\n"
  v1::SaveDraftRequest r;
  Status s = parse_json(
      R"({"code": {"compile": {"runtime": {"python": {}},
          "sourceCode": "ZGVmIGhhbmRsZXIocCwgY3R4KToKICAgIHJldHVybiBwCg=="}}})",
      r);
  ASSERT_TRUE(s.ok()) << s.message();
  ASSERT_EQ(r.code().kind_case(), v1::Code::kCompile);
  EXPECT_TRUE(r.code().compile().runtime().has_python());
  EXPECT_EQ(r.code().compile().source_code(), "def handler(p, ctx):\n    return p\n");

  v1::SaveDraftRequest image;
  ASSERT_TRUE(
      parse_json(R"({"code": {"image": {"reference": "r.example/f@sha256:ab"}}})", image).ok());
  EXPECT_EQ(image.code().kind_case(), v1::Code::kImage);
}

TEST(JsonMappingTest, RefusesBadBodiesNamingWhatIsWrong) {
  v1::SaveDraftRequest r;
  Status bad_base64 = parse_json(R"({"code": {"compile": {"sourceCode": "%%%"}}})", r);
  ASSERT_FALSE(bad_base64.ok());
  EXPECT_EQ(bad_base64.code(), Code::kInvalidArgument);
  EXPECT_NE(bad_base64.message().find("dodil.ignite.v1.SaveDraftRequest"), std::string::npos)
      << bad_base64.message();

  Status unknown = parse_json(R"({"code": {"compile": {"sourcecode": "AA=="}}})", r);
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.message().find("sourcecode"), std::string::npos) << unknown.message();

  Status malformed = parse_json(R"({"code": )", r);
  EXPECT_EQ(malformed.code(), Code::kInvalidArgument);

  // Two kinds of code at once break the oneof.
  Status both = parse_json(R"({"code": {"compile": {}, "image": {"reference": "x"}}})", r);
  EXPECT_EQ(both.code(), Code::kInvalidArgument) << both.message();
}

TEST(JsonMappingTest, WritesVersionsAsNumbersEnumsByNameAndTimesAsRfc3339) {
  v1::PublishDraftResponse published;
  published.set_published_version(3);
  EXPECT_EQ(to_json(published), R"({"publishedVersion":3})");

  bv1::Build b;
  b.set_id("b-1");
  b.set_state(bv1::BUILD_STATE_SUCCEEDED);
  b.set_version(7);
  b.mutable_finished_at()->set_seconds(1700000000);
  EXPECT_EQ(to_json(b), R"({"id":"b-1","state":"BUILD_STATE_SUCCEEDED","version":7,)"
                        R"("finishedAt":"2023-11-14T22:13:20Z"})");

  bv1::BuildEvent e;
  e.set_sequence(12);  // uint64: a string in JSON, as the mapping says; named by its json_name
  EXPECT_EQ(to_json(e), R"({"seq":"12"})");

  bv1::Build back;
  ASSERT_TRUE(parse_json(to_json(b), back).ok());
  EXPECT_EQ(back.SerializeAsString(), b.SerializeAsString());
}

// The queue's records as messages (build_messages.h): a version build's SBOM and provenance
// digests reach the Build and the BuildEvent, named as docs/api.md and docs/events.md say.
TEST(BuildMessagesTest, ABuildAndItsEventCarryTheVersionsSbomAndProvenanceDigests) {
  const store::AppId app = *store::AppId::parse("acme-corp/greet");
  store::BuildRecord r{"b-0123456789abcdef0123456789abcdef", app};
  r.state = store::BuildState::kSucceeded;
  r.version = 3;
  r.sbom_digest = "sha256:" + std::string(64, 'a');
  r.provenance_digest = "sha256:" + std::string(64, 'f');
  bv1::Build b;
  to_proto(r, &b);
  EXPECT_EQ(b.sbom_digest(), r.sbom_digest);
  EXPECT_EQ(b.provenance_digest(), r.provenance_digest);
  const std::string build_json = to_json(b);
  EXPECT_NE(build_json.find(R"("sbomDigest":"sha256:aaaa)"), std::string::npos) << build_json;
  EXPECT_NE(build_json.find(R"("provenanceDigest":"sha256:ffff)"), std::string::npos) << build_json;

  store::BuildEvent e;
  e.build_id = r.id;
  e.sequence = 5;
  e.state = store::BuildState::kSucceeded;
  e.sbom_digest = r.sbom_digest;
  e.provenance_digest = r.provenance_digest;
  bv1::BuildEvent event;
  to_proto(app, e, &event);
  EXPECT_EQ(event.sbom_digest(), r.sbom_digest);
  EXPECT_EQ(event.provenance_digest(), r.provenance_digest);
  const std::string event_json = to_json(event);
  EXPECT_NE(event_json.find(R"("sbomDigest":"sha256:aaaa)"), std::string::npos) << event_json;
  EXPECT_NE(event_json.find(R"("provenanceDigest":"sha256:ffff)"), std::string::npos) << event_json;

  // None: left out, as every field at its default is.
  e.sbom_digest.clear();
  e.provenance_digest.clear();
  bv1::BuildEvent plain;
  to_proto(app, e, &plain);
  EXPECT_EQ(to_json(plain).find("Digest"), std::string::npos) << to_json(plain);
}

TEST(JsonMappingTest, ErrorsCarryTheGrpcStatusAndTheMatchingHttpStatus) {
  const Status s = failed_precondition("no draft saved");
  EXPECT_EQ(error_json(s),
            R"({"code":9,"status":"FAILED_PRECONDITION","message":"no draft saved"})");
  EXPECT_EQ(http_status_for(Code::kFailedPrecondition), 400);
  EXPECT_EQ(http_status_for(Code::kInvalidArgument), 400);
  EXPECT_EQ(http_status_for(Code::kNotFound), 404);
  EXPECT_EQ(http_status_for(Code::kAlreadyExists), 409);
  EXPECT_EQ(http_status_for(Code::kDeadlineExceeded), 504);
  EXPECT_EQ(http_status_for(Code::kUnavailable), 503);
  EXPECT_EQ(http_status_for(Code::kOk), 200);
}

}  // namespace
}  // namespace ignite::api
