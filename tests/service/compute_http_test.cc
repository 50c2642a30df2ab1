// The platform's deploy flow over HTTP/JSON (and gRPC), as the platform's documentation shows
// it: CreateApp, SaveDraft, PublishDraft, with the real pipeline on a synthetic base. Bad
// requests get a 4xx with a message and leave nothing behind.
#include <gtest/gtest.h>

#include "dodil/ignite/v1/error.pb.h"
#include "tests/service/api_testing.h"
#include "tests/service/compute_testing.h"
#include "tests/testing/archive_writer.h"
#include "builder/store/sqlite_build_queue.h"
#include "workers/store_queue.h"

namespace ignite::service {
namespace {

namespace v1 = dodil::ignite::v1;
namespace bv1 = dodil::ignite::builder::v1;
using ignite::testing::ArchiveFormat;
using ignite::testing::TestEntry;

class ComputeHttpTest : public ServiceFixture {
 protected:
  void create(const std::string& org, const std::string& name) {
    auto r =
        post("/v1/ignite/app/" + org, R"({"name": ")" + name + R"(", "resourceTier": "small"})");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(parsed<v1::CreateAppResponse>(r.body).app_id(), org + "/" + name);
  }
  v1::Draft save(const std::string& app_path, const std::string& source) {
    auto r = post("/v1/ignite/app/" + app_path + "/draft", draft_json(source));
    EXPECT_EQ(r.status, 200) << r.body;
    return parsed<v1::SaveDraftResponse>(r.body).draft();
  }
  // The ids of every build of the store.
  std::vector<std::string> build_ids() {
    auto q = workers::open_store_queue(store_dir_);
    if (!q.ok()) return {};  // no store yet: no builds
    auto page = (*q)->list(store::BuildFilter{});
    std::vector<std::string> ids;
    for (const auto& b : page->builds) ids.push_back(b.id);
    return ids;
  }
  std::string kept_sources() {
    return ignite::testing::sh("ls -A " + ignite::testing::shell_quote(store_dir_) +
                               "/sources/sha256 2>/dev/null || true");
  }
};

TEST_F(ComputeHttpTest, CreateSaveAndPublishMakeNumberedVersions) {
  start();
  create("acme-corp", "greet");
  const v1::Draft draft = save("acme-corp/greet", ignite::testing::echo_handler("one"));
  EXPECT_EQ(draft.code_hash().rfind("sha256:", 0), 0u);
  EXPECT_EQ(draft.build_id().rfind("b-", 0), 0u);

  auto first = post("/v1/ignite/app/acme-corp/greet/draft/publish", "{}");
  ASSERT_EQ(first.status, 200) << first.body;
  const auto v1_reply = parsed<v1::PublishDraftResponse>(first.body);
  EXPECT_EQ(v1_reply.published_version(), 1u);
  // The platform's documented shape: a JSON number.
  EXPECT_NE(first.body.find(R"("publishedVersion":1)"), std::string::npos) << first.body;

  // Publishing the unchanged draft again: a second version, the same image.
  auto second = post("/v1/ignite/app/acme-corp/greet/draft/publish", "");
  ASSERT_EQ(second.status, 200) << second.body;
  const auto v2_reply = parsed<v1::PublishDraftResponse>(second.body);
  EXPECT_EQ(v2_reply.published_version(), 2u);
  EXPECT_EQ(v2_reply.image_digest(), v1_reply.image_digest());

  // An archive draft: a new codeHash, a new image, version 3.
  const std::string archive = ignite::testing::write_archive(
      ArchiveFormat::kTarGz, {TestEntry::file("handler.py", ignite::testing::echo_handler("two")),
                              TestEntry::file("util.py", "X = 1\n")});
  const v1::Draft other = save("acme-corp/greet", archive);
  EXPECT_NE(other.code_hash(), draft.code_hash());
  auto third = post("/v1/ignite/app/acme-corp/greet/draft/publish", R"({"timeout": "60s"})");
  ASSERT_EQ(third.status, 200) << third.body;
  const auto v3_reply = parsed<v1::PublishDraftResponse>(third.body);
  EXPECT_EQ(v3_reply.published_version(), 3u);
  EXPECT_NE(v3_reply.image_digest(), v1_reply.image_digest());

  // The versions and builds, through the build service's routes.
  auto versions = get("/v1/apps/acme-corp/greet/versions");
  ASSERT_EQ(versions.status, 200) << versions.body;
  const auto listed = parsed<bv1::ListVersionsResponse>(versions.body);
  ASSERT_EQ(listed.versions_size(), 3);
  EXPECT_EQ(listed.versions(2).image_digest(), v3_reply.image_digest());
  auto build = get("/v1/builds/" + v3_reply.build_id());
  ASSERT_EQ(build.status, 200) << build.body;
  const auto b = parsed<bv1::Build>(build.body);
  EXPECT_EQ(b.state(), bv1::BUILD_STATE_SUCCEEDED);
  EXPECT_EQ(b.kind(), bv1::BUILD_KIND_VERSION);
  EXPECT_EQ(b.priority(), bv1::BUILD_PRIORITY_PUBLISH);
  EXPECT_EQ(b.version(), 3u);
  auto draft_build = parsed<bv1::Build>(get("/v1/builds/" + other.build_id()).body);
  EXPECT_EQ(draft_build.kind(), bv1::BUILD_KIND_DRAFT);
  EXPECT_EQ(draft_build.state(), bv1::BUILD_STATE_SUCCEEDED);
  EXPECT_EQ(draft_build.version(), 0u);
  EXPECT_EQ(draft_build.image_digest(), v3_reply.image_digest());  // the draft built it first
  // 2 draft builds and 3 publish builds.
  EXPECT_EQ(build_ids().size(), 5u);
}

TEST_F(ComputeHttpTest, SavingTheSameDraftAgainStartsNoSecondBuild) {
  start();
  create("acme-corp", "greet");
  const std::string source = ignite::testing::echo_handler("same");
  const v1::Draft a = save("acme-corp/greet", source);
  const v1::Draft b = save("acme-corp/greet", source);
  EXPECT_EQ(a.build_id(), b.build_id());
  EXPECT_EQ(a.code_hash(), b.code_hash());
  EXPECT_EQ(build_ids().size(), 1u);
}

TEST_F(ComputeHttpTest, ADraftThatDoesNotBuildFailsThePublishWithItsBuildAndReason) {
  start();
  create("acme-corp", "deps");
  const std::string archive = ignite::testing::write_archive(
      ArchiveFormat::kTarGz, {TestEntry::file("handler.py", ignite::testing::echo_handler("deps")),
                              TestEntry::file("requirements.txt", "surely-not-a-package==1.0\n")});
  const v1::Draft draft = save("acme-corp/deps", archive);
  auto r = post("/v1/ignite/app/acme-corp/deps/draft/publish", "{}");
  EXPECT_EQ(r.status, 400) << r.body;
  const auto error = parsed<v1::ErrorStatus>(r.body);
  EXPECT_EQ(error.status(), "FAILED_PRECONDITION");
  EXPECT_NE(error.message().find("the draft's build " + draft.build_id() + " failed"),
            std::string::npos)
      << error.message();
  EXPECT_NE(error.message().find("surely-not-a-package"), std::string::npos) << error.message();
  // Nothing was published, and no publish build was queued.
  auto versions = get("/v1/apps/acme-corp/deps/versions");
  EXPECT_EQ(versions.status, 404);
  EXPECT_NE(versions.body.find("no versions of acme-corp/deps"), std::string::npos)
      << versions.body;
  EXPECT_EQ(build_ids().size(), 1u);
}

TEST_F(ComputeHttpTest, APublishThatOutwaitsItsTimeoutNamesTheBuildItWaitsFor) {
  start({.workers = 0});  // nothing builds
  create("acme-corp", "slow");
  const v1::Draft draft = save("acme-corp/slow", ignite::testing::echo_handler("slow"));
  auto r = post("/v1/ignite/app/acme-corp/slow/draft/publish", R"({"timeout": "0.3s"})");
  EXPECT_EQ(r.status, 504) << r.body;
  const auto error = parsed<v1::ErrorStatus>(r.body);
  EXPECT_EQ(error.status(), "DEADLINE_EXCEEDED");
  EXPECT_NE(error.message().find(draft.build_id()), std::string::npos) << error.message();
  EXPECT_NE(error.message().find("QUEUED"), std::string::npos) << error.message();
  // The publish moved the draft build it waits for ahead of the other queued builds.
  const auto waited = parsed<bv1::Build>(get("/v1/builds/" + draft.build_id()).body);
  EXPECT_EQ(waited.priority(), bv1::BUILD_PRIORITY_PUBLISH);
}

TEST_F(ComputeHttpTest, BadRequestsGetA4xxWithAMessageAndLeaveNothing) {
  start({.max_body_bytes = 32 * 1024});
  create("acme-corp", "greet");
  const std::string tar_escape = ignite::testing::write_archive(
      ArchiveFormat::kPaxTar, {TestEntry::file("handler.py", "def handler(p, c): pass\n"),
                               TestEntry::file("../../etc/cron.d/x", "boom")});
  struct Case {
    std::string name, path, body;
    int status;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"malformed JSON", "/v1/ignite/app/acme-corp/greet/draft", R"({"code": )", 400,
       "reading a dodil.ignite.v1.SaveDraftRequest from JSON"},
      {"bad base64", "/v1/ignite/app/acme-corp/greet/draft",
       R"({"code": {"compile": {"runtime": {"python": {}}, "sourceCode": "!!not base64!!"}}})", 400,
       "source_code"},
      {"unknown runtime", "/v1/ignite/app/acme-corp/greet/draft",
       R"({"code": {"compile": {"runtime": {"node": {}}, "sourceCode": "YQ=="}}})", 400, "node"},
      {"no runtime", "/v1/ignite/app/acme-corp/greet/draft",
       R"({"code": {"compile": {"sourceCode": "YQ=="}}})", 400, "runtime"},
      {"empty source", "/v1/ignite/app/acme-corp/greet/draft",
       R"({"code": {"compile": {"runtime": {"python": {}}}}})", 400, "sourceCode is empty"},
      {"no code", "/v1/ignite/app/acme-corp/greet/draft", "{}", 400, "code is required"},
      {"unknown field", "/v1/ignite/app/acme-corp/greet/draft", R"({"sourcecode": "YQ=="})", 400,
       "sourcecode"},
      {"oversized body", "/v1/ignite/app/acme-corp/greet/draft",
       draft_json(std::string(64 * 1024, '#')), 413, "larger than 32768 bytes"},
      {"hostile archive", "/v1/ignite/app/acme-corp/greet/draft", draft_json(tar_escape), 400,
       "\"..\""},
      {"unknown app", "/v1/ignite/app/acme-corp/nope/draft",
       draft_json("def handler(p, c): pass\n"), 404, "app acme-corp/nope not found"},
      {"unknown org", "/v1/ignite/app/other-org/greet/draft",
       draft_json("def handler(p, c): pass\n"), 404, "app other-org/greet not found"},
      {"bad org name", "/v1/ignite/app/Acme_Corp", R"({"name": "x"})", 400, "Acme_Corp"},
      {"org differs from the path", "/v1/ignite/app/acme-corp",
       R"({"org": "other-org", "name": "x"})", 400, "differs from \"acme-corp\" in the path"},
      {"app exists", "/v1/ignite/app/acme-corp", R"({"name": "greet"})", 409, "already exists"},
      {"no draft", "/v1/ignite/app/acme-corp/greet/draft/publish", "{}", 400,
       "no draft saved for app acme-corp/greet"},
      {"publish of an unknown app", "/v1/ignite/app/acme-corp/nope/draft/publish", "{}", 404,
       "not found"},
      {"negative timeout", "/v1/ignite/app/acme-corp/greet/draft/publish", R"({"timeout": "-1s"})",
       400, "timeout must be positive"},
      {"no route", "/v1/ignite/nothing", "{}", 404, "no route POST /v1/ignite/nothing"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto r = post(c.path, c.body);
    EXPECT_EQ(r.status, c.status) << r.body;
    const auto error = parsed<v1::ErrorStatus>(r.body);
    EXPECT_NE(error.message().find(c.message), std::string::npos) << error.message();
    EXPECT_NE(error.code(), 0);
  }
  // Nothing was kept: no build, no source, no draft, no app but the one created.
  EXPECT_TRUE(build_ids().empty());
  EXPECT_EQ(kept_sources(), "");
  auto r = post("/v1/ignite/app/acme-corp/greet/draft/publish", "{}");
  EXPECT_NE(r.body.find("no draft saved"), std::string::npos) << r.body;
  EXPECT_EQ(post("/v1/ignite/app/acme-corp", R"({"name": "x"})").status, 200);  // never made
}

TEST_F(ComputeHttpTest, BuildRoutesReadListCancelAndLog) {
  start();
  create("acme-corp", "greet");
  save("acme-corp/greet", ignite::testing::echo_handler("routes"));
  auto published = parsed<v1::PublishDraftResponse>(
      post("/v1/ignite/app/acme-corp/greet/draft/publish", "{}").body);
  ASSERT_EQ(published.published_version(), 1u);

  auto list = get("/v1/builds?appId=acme-corp/greet&state=BUILD_STATE_SUCCEEDED&pageSize=1");
  ASSERT_EQ(list.status, 200) << list.body;
  const auto page = parsed<bv1::ListBuildsResponse>(list.body);
  ASSERT_EQ(page.builds_size(), 1);
  EXPECT_EQ(page.builds(0).id(), published.build_id());  // newest first
  EXPECT_FALSE(page.next_page_token().empty());          // the draft build is on the next page
  EXPECT_EQ(get("/v1/builds?colour=red").status, 400);
  EXPECT_EQ(get("/v1/builds?state=DONE").status, 400);
  EXPECT_EQ(get("/v1/builds?pageSize=-1").status, 400);

  auto cancel = post("/v1/builds/" + published.build_id() + ":cancel", "");
  EXPECT_EQ(cancel.status, 400) << cancel.body;
  EXPECT_NE(cancel.body.find("already published as v1"), std::string::npos) << cancel.body;

  auto log = get("/v1/builds/" + published.build_id() + "/log");
  ASSERT_EQ(log.status, 200) << log.body;
  EXPECT_NE(log.body.find("published as acme-corp/greet:v1"), std::string::npos) << log.body;
  EXPECT_EQ(get("/v1/builds/b-" + std::string(32, '0')).status, 404);
  EXPECT_EQ(get("/v1/builds/nope").status, 400);
  EXPECT_EQ(get("/v1/apps/acme-corp/greet/versions/1").status, 200);
  EXPECT_EQ(get("/v1/apps/acme-corp/greet/versions/2").status, 404);
  EXPECT_EQ(get("/v1/apps/acme-corp/greet/versions/x").status, 400);
}

TEST_F(ComputeHttpTest, ASubmitRetriedWithItsIdempotencyKeyReturnsTheFirstBuild) {
  start({.workers = 0});
  bv1::SubmitBuildRequest req;
  req.set_app_id("acme-corp/greet");
  req.set_source_code(ignite::testing::echo_handler("keyed"));
  req.set_idempotency_key("ci-run-42");
  auto first = post("/v1/builds", api::to_json(req));
  ASSERT_EQ(first.status, 200) << first.body;
  auto again = post("/v1/builds", api::to_json(req));
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(parsed<bv1::Build>(again.body).id(), parsed<bv1::Build>(first.body).id());
  req.set_source_code(ignite::testing::echo_handler("another"));
  auto other = post("/v1/builds", api::to_json(req));
  EXPECT_EQ(other.status, 409) << other.body;
  EXPECT_EQ(parsed<v1::ErrorStatus>(other.body).status(), "ALREADY_EXISTS");
  EXPECT_EQ(build_ids().size(), 1u);
}

TEST_F(ComputeHttpTest, HealthAndReadiness) {
  bool ready = true;
  start({.ready = [&ready] {
    return ready ? ok_status() : unavailable("the store is not reachable");
  }});
  auto health = get("/healthz");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(parsed<v1::ServingStatus>(health.body).status(), "SERVING");
  EXPECT_EQ(get("/readyz").status, 200);
  ready = false;
  auto not_ready = get("/readyz");
  EXPECT_EQ(not_ready.status, 503);
  EXPECT_EQ(parsed<v1::ServingStatus>(not_ready.body).message(), "the store is not reachable");
}

// The same calls over gRPC give the same results and codes.
TEST_F(ComputeHttpTest, TheFlowOverGrpc) {
  start();
  auto stub = v1::ComputeService::NewStub(grpc::CreateChannel(
      "127.0.0.1:" + std::to_string(grpc_port_), grpc::InsecureChannelCredentials()));
  const auto deadline = [] { return std::chrono::system_clock::now() + std::chrono::seconds(120); };
  {
    grpc::ClientContext ctx;
    ctx.set_deadline(deadline());
    v1::CreateAppRequest req;
    req.set_org("acme-corp");
    req.set_name("grpc");
    v1::CreateAppResponse out;
    ASSERT_TRUE(stub->CreateApp(&ctx, req, &out).ok());
    EXPECT_EQ(out.app_id(), "acme-corp/grpc");
    grpc::ClientContext again;
    EXPECT_EQ(stub->CreateApp(&again, req, &out).error_code(), grpc::StatusCode::ALREADY_EXISTS);
  }
  {
    grpc::ClientContext ctx;
    ctx.set_deadline(deadline());
    v1::PublishDraftRequest req;
    req.set_org("acme-corp");
    req.set_app("grpc");
    v1::PublishDraftResponse out;
    grpc::Status s = stub->PublishDraft(&ctx, req, &out);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
    EXPECT_EQ(s.error_message(), "no draft saved for app acme-corp/grpc");
  }
  {
    grpc::ClientContext ctx;
    ctx.set_deadline(deadline());
    v1::SaveDraftRequest req;
    req.set_org("acme-corp");
    req.set_app("grpc");
    req.mutable_code()->mutable_compile()->mutable_runtime()->mutable_python();
    req.mutable_code()->mutable_compile()->set_source_code(ignite::testing::echo_handler("grpc"));
    v1::SaveDraftResponse out;
    grpc::Status s = stub->SaveDraft(&ctx, req, &out);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  grpc::ClientContext ctx;
  ctx.set_deadline(deadline());
  v1::PublishDraftRequest req;
  req.set_org("acme-corp");
  req.set_app("grpc");
  v1::PublishDraftResponse out;
  grpc::Status s = stub->PublishDraft(&ctx, req, &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(out.published_version(), 1u);
}

}  // namespace
}  // namespace ignite::service

namespace ignite::service {
namespace {

// serve's shutdown: a PublishDraft waiting for its build answers at once (UNAVAILABLE, naming
// the build, which goes on), so stopping never waits out a publish's timeout.
TEST(BuildWaiterTest, AShutdownEndsEveryWaitWithUnavailable) {
  ignite::testing::TempDir dir;
  auto queue = store::SqliteBuildQueue::open(dir / "ignite.db");
  ASSERT_TRUE(queue.ok()) << queue.status().to_string();
  auto build =
      queue->submit(*store::AppId::parse("acme-corp/greet"), "sha256:" + std::string(64, '5'), "",
                    store::BuildPriority::kNormal, {});
  ASSERT_TRUE(build.ok());
  BuildWaiter waiter(std::chrono::milliseconds(50));
  Status waited;
  std::thread t([&] {
    auto q = store::SqliteBuildQueue::open(dir / "ignite.db");
    waited = q.ok() ? waiter
                          .wait(*q, build->id,
                                std::chrono::steady_clock::now() + std::chrono::minutes(10))
                          .status()
                    : q.status();
  });
  waiter.shutdown();
  t.join();
  EXPECT_EQ(waited.code(), Code::kUnavailable) << waited.to_string();
  EXPECT_NE(waited.message().find(build->id), std::string::npos) << waited.message();
  // And a wait that starts after it.
  EXPECT_EQ(
      waiter.wait(*queue, build->id, std::chrono::steady_clock::now() + std::chrono::minutes(1))
          .status()
          .code(),
      Code::kUnavailable);
}

}  // namespace
}  // namespace ignite::service
