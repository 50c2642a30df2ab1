// The service with tokens (docs/auth.md), in-process over HTTP/JSON and gRPC: every call needs a
// token, and a token of one org sees nothing of another's: its apps, builds and versions answer
// NOT_FOUND exactly as missing ones do. Tokens are signed here with keys made here.
#include <gtest/gtest.h>

#include "dodil/ignite/builder/v1/build.grpc.pb.h"
#include "dodil/ignite/v1/compute.grpc.pb.h"
#include "src/auth/authenticator.h"
#include "tests/auth/token_signer.h"
#include "tests/service/api_testing.h"
#include "tests/service/compute_testing.h"

namespace ignite::service {
namespace {

namespace v1 = dodil::ignite::v1;
namespace bv1 = dodil::ignite::builder::v1;
using ignite::testing::TestKey;

constexpr const char* kAudience = "ignite-builder";

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class AuthServiceTest : public ServiceFixture {
 protected:
  void SetUp() override {
    auth::VerifierOptions o;
    auto key = auth::PublicKey::from_pem(key_.public_pem(), "k1", "test key");
    ASSERT_TRUE(key.ok()) << key.status().to_string();
    o.keys = {*key};
    o.audience = kAudience;
    auto verifier = auth::JwtVerifier::create(std::move(o));
    ASSERT_TRUE(verifier.ok()) << verifier.status().to_string();
    auth_ = std::make_unique<auth::Authenticator>(
        auth::Authenticator::with_tokens(std::move(*verifier)));
    ServiceOptions options;
    options.auth = auth_.get();
    options.max_body_bytes = 1 << 20;  // drafts here are small; RefusedBodies goes past it
    start(options);
    channel_ = grpc::CreateChannel("127.0.0.1:" + std::to_string(grpc_port_),
                                   grpc::InsecureChannelCredentials());
    compute_stub_ = v1::ComputeService::NewStub(channel_);
    build_stub_ = bv1::BuildService::NewStub(channel_);
  }

  // A token for `org`, valid for an hour: no test here is near its expiry.
  std::string token(const std::string& org) {
    return ignite::testing::signed_token(
        {{"alg", "ES256"}, {"kid", "k1"}},
        {{"org", org}, {"aud", kAudience}, {"sub", org + "-ci"}, {"exp", unix_now() + 3600}}, key_);
  }

  // A gRPC context carrying `token` (none when empty), with a deadline.
  std::unique_ptr<grpc::ClientContext> context(const std::string& token) {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
    if (!token.empty()) ctx->AddMetadata("authorization", "Bearer " + token);
    return ctx;
  }

  // An HTTP error's status object, checked to be an error.
  v1::ErrorStatus error(const Reply& r) {
    EXPECT_GE(r.status, 400) << r.body;
    return parsed<v1::ErrorStatus>(r.body);
  }

  TestKey key_ = TestKey::ec_p256();
  std::unique_ptr<auth::Authenticator> auth_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::ComputeService::Stub> compute_stub_;
  std::unique_ptr<bv1::BuildService::Stub> build_stub_;
};

TEST_F(AuthServiceTest, EveryCallNeedsAToken) {
  const std::string source = ignite::testing::echo_handler("x");
  for (const auto& [method, path] : std::vector<std::pair<std::string, std::string>>{
           {"POST", "/v1/ignite/app/acme-corp"},
           {"POST", "/v1/ignite/app/acme-corp/greet/draft"},
           {"POST", "/v1/ignite/app/acme-corp/greet/draft/publish"},
           {"POST", "/v1/builds"},
           {"GET", "/v1/builds"},
           {"GET", "/v1/builds/b-00000000000000000000000000000000"},
           {"POST", "/v1/builds/b-00000000000000000000000000000000:cancel"},
           {"GET", "/v1/builds/b-00000000000000000000000000000000/log"},
           {"GET", "/v1/apps/acme-corp/greet/versions"},
           {"GET", "/v1/apps/acme-corp/greet/versions/1"}}) {
    SCOPED_TRACE(method + " " + path);
    const Reply r = method == "GET" ? get(path) : post(path, draft_json(source));
    EXPECT_EQ(r.status, 401) << r.body;
    EXPECT_EQ(r.www_authenticate, "Bearer");
    const v1::ErrorStatus e = error(r);
    EXPECT_EQ(e.code(), 16);
    EXPECT_EQ(e.status(), "UNAUTHENTICATED");
    EXPECT_EQ(e.message(),
              "no token: send the header \"Authorization: Bearer <JWT>\" (docs/auth.md)");
  }
  // A refused token says why, and the header says the token was the trouble.
  const std::string forged = token("acme-corp") + "x";
  const Reply bad = get("/v1/builds", forged);
  EXPECT_EQ(bad.status, 401) << bad.body;
  EXPECT_EQ(bad.www_authenticate, "Bearer error=\"invalid_token\"");
  EXPECT_EQ(error(bad).message().rfind("token refused: ", 0), 0u) << bad.body;
  EXPECT_EQ(bad.body.find(forged), std::string::npos);
  // Health stays open: probes carry no token.
  EXPECT_EQ(get("/healthz").status, 200);
  EXPECT_EQ(get("/readyz").status, 200);
  // Nothing was made by the refused calls.
  EXPECT_TRUE(
      parsed<bv1::ListBuildsResponse>(get("/v1/builds", token("acme-corp")).body).builds().empty());

  // gRPC, both services.
  v1::CreateAppRequest create;
  create.set_org("acme-corp");
  create.set_name("greet");
  v1::CreateAppResponse created;
  grpc::Status s = compute_stub_->CreateApp(context("").get(), create, &created);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(s.error_message(),
            "no token: send the header \"Authorization: Bearer <JWT>\" (docs/auth.md)");
  bv1::ListBuildsResponse listed;
  s = build_stub_->ListBuilds(context(forged).get(), bv1::ListBuildsRequest(), &listed);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  bv1::WatchBuildRequest watch;
  watch.set_id("b-00000000000000000000000000000000");
  const auto watch_context = context("");  // a stream's context outlives the stream
  auto reader = build_stub_->WatchBuild(watch_context.get(), watch);
  bv1::BuildEvent event;
  EXPECT_FALSE(reader->Read(&event));
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::UNAUTHENTICATED);
  s = compute_stub_->CreateApp(context(token("acme-corp")).get(), create, &created);
  EXPECT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(created.app_id(), "acme-corp/greet");
}

// A request without a token has its body read and dropped; a body past the limit is still 413.
TEST_F(AuthServiceTest, RefusedBodies) {
  const Reply small = post("/v1/builds", std::string(100'000, 'x'));
  EXPECT_EQ(small.status, 401) << small.body;
  EXPECT_EQ(error(small).status(), "UNAUTHENTICATED");
  const Reply big = post("/v1/builds", std::string(2 << 20, 'x'));
  EXPECT_EQ(big.status, 413) << big.body;
  EXPECT_EQ(error(big).status(), "RESOURCE_EXHAUSTED");
  // The connection still serves the next request.
  EXPECT_EQ(get("/healthz").status, 200);
}

TEST_F(AuthServiceTest, AnOrgSeesNothingOfAnother) {
  const std::string a = token("acme-corp"), b = token("other-org");
  // Org A deploys its app.
  ASSERT_EQ(post("/v1/ignite/app/acme-corp", R"({"name": "greet"})", a).status, 200);
  const Reply saved = post("/v1/ignite/app/acme-corp/greet/draft",
                           draft_json(ignite::testing::echo_handler("a")), a);
  ASSERT_EQ(saved.status, 200) << saved.body;
  const Reply published = post("/v1/ignite/app/acme-corp/greet/draft/publish", "{}", a);
  ASSERT_EQ(published.status, 200) << published.body;
  const auto version = parsed<v1::PublishDraftResponse>(published.body);
  ASSERT_EQ(version.published_version(), 1u);
  const std::string build = version.build_id();
  EXPECT_EQ(get("/v1/builds/" + build, a).status, 200);
  EXPECT_EQ(get("/v1/builds/" + build + "/log", a).status, 200);
  EXPECT_EQ(get("/v1/apps/acme-corp/greet/versions/1", a).status, 200);
  EXPECT_EQ(parsed<bv1::ListBuildsResponse>(get("/v1/builds", a).body).builds_size(), 2);

  // Org B gets for A's app, build and versions exactly what it gets for ones that do not exist.
  const std::string ghost_build = "b-0123456789abcdef0123456789abcdef";
  const auto same_as_missing = [&](const std::string& path, const std::string& missing_path,
                                   const std::string& name, const std::string& missing_name,
                                   const std::string& body) {
    SCOPED_TRACE(path);
    const Reply other = body.empty() ? get(path, b) : post(path, body, b);
    const Reply missing = body.empty() ? get(missing_path, b) : post(missing_path, body, b);
    EXPECT_EQ(other.status, 404) << other.body;
    std::string expected = missing.body;
    for (std::size_t at = expected.find(missing_name); at != std::string::npos;
         at = expected.find(missing_name, at + name.size())) {
      expected.replace(at, missing_name.size(), name);
    }
    EXPECT_EQ(other.body, expected);
  };
  const std::string draft = draft_json(ignite::testing::echo_handler("b"));
  same_as_missing("/v1/ignite/app/acme-corp/greet/draft", "/v1/ignite/app/acme-corp/ghost/draft",
                  "greet", "ghost", draft);
  same_as_missing("/v1/ignite/app/acme-corp/greet/draft/publish",
                  "/v1/ignite/app/acme-corp/ghost/draft/publish", "greet", "ghost", "{}");
  same_as_missing("/v1/builds/" + build, "/v1/builds/" + ghost_build, build, ghost_build, "");
  same_as_missing("/v1/builds/" + build + "/log", "/v1/builds/" + ghost_build + "/log", build,
                  ghost_build, "");
  same_as_missing("/v1/builds/" + build + ":cancel", "/v1/builds/" + ghost_build + ":cancel", build,
                  ghost_build, "{}");
  same_as_missing("/v1/apps/acme-corp/greet/versions", "/v1/apps/acme-corp/ghost/versions", "greet",
                  "ghost", "");
  same_as_missing("/v1/apps/acme-corp/greet/versions/1", "/v1/apps/acme-corp/ghost/versions/1",
                  "greet", "ghost", "");
  // B's lists hold none of A's builds, with or without A's app named.
  EXPECT_EQ(parsed<bv1::ListBuildsResponse>(get("/v1/builds", b).body).builds_size(), 0);
  EXPECT_EQ(parsed<bv1::ListBuildsResponse>(get("/v1/builds?appId=acme-corp/greet", b).body)
                .builds_size(),
            0);
  // Making things in A's org is refused, whether or not they exist.
  for (const std::string name : {"greet", "ghost"}) {
    const Reply made = post("/v1/ignite/app/acme-corp", R"({"name": ")" + name + R"("})", b);
    EXPECT_EQ(made.status, 403) << made.body;
    EXPECT_EQ(error(made).message(),
              "the token acts for organization other-org, not acme-corp: acme-corp/" + name +
                  " cannot be made with it");
    const Reply submitted =
        post("/v1/builds", submit_json("acme-corp/" + name, ignite::testing::echo_handler("b")), b);
    EXPECT_EQ(submitted.status, 403) << submitted.body;
  }
  // B's own app of the same name is B's, and A does not see its builds.
  ASSERT_EQ(post("/v1/ignite/app/other-org", R"({"name": "greet"})", b).status, 200);
  const Reply b_saved = post("/v1/ignite/app/other-org/greet/draft", draft, b);
  ASSERT_EQ(b_saved.status, 200) << b_saved.body;
  const std::string b_build = parsed<v1::SaveDraftResponse>(b_saved.body).draft().build_id();
  EXPECT_EQ(get("/v1/builds/" + b_build, a).status, 404);
  const auto b_list = parsed<bv1::ListBuildsResponse>(get("/v1/builds", b).body);
  ASSERT_EQ(b_list.builds_size(), 1);
  EXPECT_EQ(b_list.builds(0).id(), b_build);
  EXPECT_EQ(parsed<bv1::ListBuildsResponse>(get("/v1/builds", a).body).builds_size(), 2);

  // The same over gRPC.
  bv1::GetBuildRequest get_build;
  get_build.set_id(build);
  bv1::Build found;
  grpc::Status s = build_stub_->GetBuild(context(b).get(), get_build, &found);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(s.error_message(), "build " + build + " not found");
  s = build_stub_->GetBuild(context(a).get(), get_build, &found);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(found.app_id(), "acme-corp/greet");
  bv1::WatchBuildRequest watch;
  watch.set_id(build);
  const auto watch_context = context(b);
  auto reader = build_stub_->WatchBuild(watch_context.get(), watch);
  bv1::BuildEvent event;
  EXPECT_FALSE(reader->Read(&event));
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::NOT_FOUND);
  bv1::GetVersionRequest get_version;
  get_version.set_app_id("acme-corp/greet");
  get_version.set_number(1);
  bv1::Version v;
  s = build_stub_->GetVersion(context(b).get(), get_version, &v);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(s.error_message(), "no versions of acme-corp/greet in the store");
  bv1::ListBuildsResponse listed;
  s = build_stub_->ListBuilds(context(b).get(), bv1::ListBuildsRequest(), &listed);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(listed.builds_size(), 1);
  v1::PublishDraftRequest publish;
  publish.set_org("acme-corp");
  publish.set_app("greet");
  v1::PublishDraftResponse out;
  s = compute_stub_->PublishDraft(context(b).get(), publish, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(s.error_message(),
            "app acme-corp/greet not found: create it first (CreateApp, POST "
            "/v1/ignite/app/acme-corp)");
}

}  // namespace
}  // namespace ignite::service
