// BuildService over real gRPC on loopback, with the worker pool and the real pipeline on a
// synthetic base: a submitted draft is watched to its version, listed, logged and versioned;
// bad requests get the right codes and leave nothing; a published build cannot be cancelled.
#include "src/service/build_service.h"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <thread>

#include "tests/pipeline/pipeline_testing.h"
#include "tests/testing/temp_dir.h"

namespace ignite::service {
namespace {

namespace v1 = dodil::ignite::builder::v1;

class BuildServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_dir_ = dir_.path() + "/store";
    base_ = ignite::testing::make_synthetic_base(dir_.path() + "/base");
    workers::WorkerOptions options;
    options.worker_id = "test";
    options.configure = [base = base_](pipeline::BuildRequest& r) {
      r.base = base;
      r.source_date_epoch = "0";
    };
    pool_ = std::make_unique<WorkerPool>(store_dir_, 2, options);
    service_ = std::make_unique<BuildServiceImpl>(
        store_dir_, [this] { pool_->notify(); }, auth_);
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port_);
    builder.RegisterService(service_.get());
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    ASSERT_NE(port_, 0);
    stub_ = v1::BuildService::NewStub(grpc::CreateChannel("127.0.0.1:" + std::to_string(port_),
                                                          grpc::InsecureChannelCredentials()));
  }
  void TearDown() override {
    server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
    pool_.reset();
  }

  grpc::Status submit(const std::string& app, const std::string& source, v1::Build* out) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
    v1::SubmitBuildRequest req;
    req.set_app_id(app);
    req.set_source_code(source);
    return stub_->SubmitBuild(&ctx, req, out);
  }

  // Every event of the build until it ends.
  std::vector<v1::BuildEvent> watch(const std::string& id) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(120));
    v1::WatchBuildRequest req;
    req.set_id(id);
    auto reader = stub_->WatchBuild(&ctx, req);
    std::vector<v1::BuildEvent> events;
    v1::BuildEvent e;
    while (reader->Read(&e)) events.push_back(e);
    grpc::Status s = reader->Finish();
    EXPECT_TRUE(s.ok()) << s.error_message();
    return events;
  }

  ignite::testing::TempDir dir_;
  std::string store_dir_;
  std::string base_;
  std::unique_ptr<WorkerPool> pool_;
  const auth::Authenticator auth_ = auth::Authenticator::development();
  std::unique_ptr<BuildServiceImpl> service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  std::unique_ptr<v1::BuildService::Stub> stub_;
};

TEST_F(BuildServiceTest, ASubmittedDraftIsWatchedToItsVersion) {
  v1::Build b;
  grpc::Status s = submit("acme-corp/greet", ignite::testing::echo_handler("grpc"), &b);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_TRUE(b.id().starts_with("b-"));
  EXPECT_EQ(b.state(), v1::BUILD_STATE_QUEUED);
  EXPECT_TRUE(b.code_hash().starts_with("sha256:"));

  const auto events = watch(b.id());
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.front().sequence(), 1u);
  for (std::size_t i = 1; i < events.size(); ++i) {
    EXPECT_EQ(events[i].sequence(), events[i - 1].sequence() + 1);  // gapless
  }
  EXPECT_EQ(events.back().state(), v1::BUILD_STATE_SUCCEEDED);

  grpc::ClientContext get_ctx;
  v1::GetBuildRequest get;
  get.set_id(b.id());
  v1::Build done;
  ASSERT_TRUE(stub_->GetBuild(&get_ctx, get, &done).ok());
  EXPECT_EQ(done.version(), 1u);
  EXPECT_TRUE(done.image_digest().starts_with("sha256:"));
  EXPECT_TRUE(done.has_finished_at());

  grpc::ClientContext versions_ctx;
  v1::ListVersionsRequest lv;
  lv.set_app_id("acme-corp/greet");
  v1::ListVersionsResponse versions;
  ASSERT_TRUE(stub_->ListVersions(&versions_ctx, lv, &versions).ok());
  ASSERT_EQ(versions.versions_size(), 1);
  EXPECT_EQ(versions.versions(0).image_digest(), done.image_digest());
  EXPECT_EQ(versions.versions(0).code_hash(), b.code_hash());

  grpc::ClientContext log_ctx;
  v1::GetBuildLogRequest lr;
  lr.set_id(b.id());
  v1::BuildLog log;
  ASSERT_TRUE(stub_->GetBuildLog(&log_ctx, lr, &log).ok());
  EXPECT_EQ(static_cast<std::size_t>(log.lines_size()), events.size());

  grpc::ClientContext list_ctx;
  v1::ListBuildsRequest list;
  list.set_app_id("acme-corp/greet");
  v1::ListBuildsResponse builds;
  ASSERT_TRUE(stub_->ListBuilds(&list_ctx, list, &builds).ok());
  ASSERT_EQ(builds.builds_size(), 1);

  // After the commit, a cancel names the version.
  grpc::ClientContext cancel_ctx;
  v1::CancelBuildRequest cancel;
  cancel.set_id(b.id());
  v1::Build ignored;
  grpc::Status refused = stub_->CancelBuild(&cancel_ctx, cancel, &ignored);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(refused.error_message().find("already published as v1"), std::string::npos)
      << refused.error_message();
}

TEST_F(BuildServiceTest, BadRequestsGetTheirCodeAndLeaveNothing) {
  v1::Build b;
  EXPECT_EQ(submit("", "x", &b).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(submit("not an app", "x", &b).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(submit("acme-corp/greet", "", &b).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  // A zip that is not one: refused by intake, naming it.
  grpc::Status bad = submit("acme-corp/greet", std::string("PK\x03\x04garbage", 11), &b);
  EXPECT_EQ(bad.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << bad.error_message();
  EXPECT_NE(bad.error_message().find("source_code"), std::string::npos) << bad.error_message();

  grpc::ClientContext get_ctx;
  v1::GetBuildRequest get;
  get.set_id("b-" + std::string(32, '0'));
  v1::Build none;
  EXPECT_EQ(stub_->GetBuild(&get_ctx, get, &none).error_code(), grpc::StatusCode::NOT_FOUND);

  grpc::ClientContext list_ctx;
  v1::ListBuildsRequest list;
  v1::ListBuildsResponse builds;
  ASSERT_TRUE(stub_->ListBuilds(&list_ctx, list, &builds).ok());
  EXPECT_EQ(builds.builds_size(), 0);  // nothing was queued
  EXPECT_EQ(ignite::testing::sh("ls -A " + ignite::testing::shell_quote(store_dir_ + "/sources") +
                                " 2>/dev/null || true"),
            "");
}

// `ignite-builder serve` as a user starts it: it prints where it listens, builds what a client
// submits, and stops cleanly on SIGTERM.
TEST(ServeCommandTest, ServesBuildsAndStopsOnSigterm) {
  ignite::testing::TempDir dir;
  using ignite::testing::sh;
  using ignite::testing::shell_quote;
  const std::string base = ignite::testing::make_synthetic_base(dir.path() + "/base");
  const std::string log = dir.path() + "/serve.log";
  const std::string rc = dir.path() + "/rc";
  const std::string pid = dir.path() + "/pid";
  sh("(SOURCE_DATE_EPOCH=0 exec " + std::string(IGNITE_BINARY) + " serve --store " +
     shell_quote(dir.path() + "/store") + " --workers 1 --base " + shell_quote(base) + " 2>" +
     shell_quote(log) + " </dev/null & echo $! >" + shell_quote(pid) + "; wait $!; echo $? >" +
     shell_quote(rc) + ") >/dev/null 2>&1 &");
  // Whatever happens below, the server does not outlive the test.
  struct Stop {
    std::string pid;
    ~Stop() { ignite::testing::sh("kill -KILL $(cat " + pid + ") 2>/dev/null || true"); }
  } stop{shell_quote(pid)};
  std::string port;
  for (int i = 0; i < 300 && port.empty(); ++i) {
    port = sh("sed -n 's/.*serving gRPC on 127.0.0.1:\\([0-9]*\\) .*/\\1/p' " + shell_quote(log) +
              " 2>/dev/null || true");
    if (!port.empty() && port.back() == '\n') port.pop_back();
    if (port.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_FALSE(port.empty()) << sh("cat " + shell_quote(log) + " || true");
  auto stub = v1::BuildService::NewStub(
      grpc::CreateChannel("127.0.0.1:" + port, grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  v1::SubmitBuildRequest req;
  req.set_app_id("acme-corp/served");
  req.set_source_code(ignite::testing::echo_handler("served"));
  v1::Build b;
  grpc::Status s = stub->SubmitBuild(&ctx, req, &b);
  ASSERT_TRUE(s.ok()) << s.error_message();
  v1::BuildEvent last;
  {
    grpc::ClientContext wctx;
    wctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
    v1::WatchBuildRequest w;
    w.set_id(b.id());
    auto reader = stub->WatchBuild(&wctx, w);
    v1::BuildEvent e;
    while (reader->Read(&e)) last = e;
    EXPECT_TRUE(reader->Finish().ok());
  }
  EXPECT_EQ(last.state(), v1::BUILD_STATE_SUCCEEDED) << sh("cat " + shell_quote(log));

  sh("kill -TERM $(cat " + shell_quote(pid) + ")");
  std::string code;
  for (int i = 0; i < 300 && code.empty(); ++i) {
    code = sh("cat " + shell_quote(rc) + " 2>/dev/null || true");
    if (code.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(code, "0\n") << sh("cat " + shell_quote(log));
  EXPECT_NE(sh("cat " + shell_quote(log)).find("stopping"), std::string::npos);
}

}  // namespace
}  // namespace ignite::service
