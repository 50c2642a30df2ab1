// A version's SBOM and provenance digests through the BuildService, over real gRPC on loopback:
// GetBuild and ListBuilds show them on the build that made the version, WatchBuild on its
// SUCCEEDED event (and on no event before it), ListVersions and GetVersion on the version; and
// their JSON names are the documented ones (docs/api.md). The build is submitted through the
// API and committed the way a worker's queue hooks commit it, with a version record that has the
// two digests (what the pipeline records for an attested image); a version without them leaves
// the fields empty. No pipeline runs here.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "builder/pipeline/function_store.h"
#include "builder/store/sqlite_build_queue.h"
#include "builder/store/sqlite_version_store.h"
#include "src/api/json_mapping.h"
#include "src/service/build_service.h"
#include "tests/testing/temp_dir.h"

namespace ignite::service {
namespace {

namespace v1 = dodil::ignite::builder::v1;

std::string digest_of(char hex) { return "sha256:" + std::string(64, hex); }

constexpr const char* kHandler = "def handler(payload, ctx):\n    return payload\n";

class AttestationApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_dir_ = dir_.path() + "/store";
    ASSERT_TRUE(
        pipeline::FunctionStore::open(store_dir_, pipeline::OpenStore::kCreateIfMissing).ok());
    service_ = std::make_unique<BuildServiceImpl>(
        store_dir_, [] {}, auth_);
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
  }

  static void deadline(grpc::ClientContext& ctx) {
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  }

  // Submitted through the API, then claimed and committed as the app's next version with
  // `sbom` and `provenance` ("" for none), the build's success in the version's transaction.
  std::string build_version(const std::string& sbom, const std::string& provenance) {
    grpc::ClientContext ctx;
    deadline(ctx);
    v1::SubmitBuildRequest req;
    req.set_app_id("acme-corp/greet");
    req.set_source_code(kHandler);
    v1::Build submitted;
    grpc::Status s = stub_->SubmitBuild(&ctx, req, &submitted);
    EXPECT_TRUE(s.ok()) << s.error_message();

    auto queue = store::SqliteBuildQueue::open(store_dir_ + "/ignite.db");
    EXPECT_TRUE(queue.ok()) << queue.status().to_string();
    auto versions = store::SqliteVersionStore::open(store_dir_ + "/ignite.db");
    EXPECT_TRUE(versions.ok()) << versions.status().to_string();
    if (!queue.ok() || !versions.ok()) return "";
    auto c = queue->claim("test:1", std::chrono::seconds(60));
    EXPECT_TRUE(c.ok() && c->has_value() && (*c)->build.id == submitted.id());
    if (!c.ok() || !c->has_value()) return "";
    store::VersionRecord record;
    record.manifest_digest = digest_of('d');
    record.code_hash = submitted.code_hash();
    record.base_digest = digest_of('b');
    record.inputs = "{}";
    record.sbom_digest = sbom;
    record.provenance_digest = provenance;
    auto v = versions->commit_version(app_, record, [&](store::StoreTx& tx, std::int64_t number) {
      store::BuildOutcome outcome{number, record.manifest_digest, ""};
      outcome.sbom_digest = record.sbom_digest;
      outcome.provenance_digest = record.provenance_digest;
      return queue->succeed_in_transaction(tx, submitted.id(), (*c)->epoch, outcome);
    });
    EXPECT_TRUE(v.ok()) << v.status().to_string();
    return submitted.id();
  }

  v1::Build get_build(const std::string& id) {
    grpc::ClientContext ctx;
    deadline(ctx);
    v1::GetBuildRequest req;
    req.set_id(id);
    v1::Build out;
    grpc::Status s = stub_->GetBuild(&ctx, req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  std::vector<v1::BuildEvent> watch(const std::string& id) {
    grpc::ClientContext ctx;
    deadline(ctx);
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

  v1::ListVersionsResponse list_versions() {
    grpc::ClientContext ctx;
    deadline(ctx);
    v1::ListVersionsRequest req;
    req.set_app_id("acme-corp/greet");
    v1::ListVersionsResponse out;
    grpc::Status s = stub_->ListVersions(&ctx, req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  ignite::testing::TempDir dir_;
  std::string store_dir_;
  const store::AppId app_ = *store::AppId::parse("acme-corp/greet");
  const auth::Authenticator auth_ = auth::Authenticator::development();
  std::unique_ptr<BuildServiceImpl> service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  std::unique_ptr<v1::BuildService::Stub> stub_;
};

TEST_F(AttestationApiTest, TheBuildItsSucceededEventAndTheVersionShowTheDigests) {
  const std::string id = build_version(digest_of('a'), digest_of('f'));
  ASSERT_FALSE(id.empty());

  const v1::Build b = get_build(id);
  EXPECT_EQ(b.state(), v1::BUILD_STATE_SUCCEEDED);
  EXPECT_EQ(b.version(), 1u);
  EXPECT_EQ(b.sbom_digest(), digest_of('a'));
  EXPECT_EQ(b.provenance_digest(), digest_of('f'));
  const auto build_json = nlohmann::json::parse(api::to_json(b));
  EXPECT_EQ(build_json["sbomDigest"], digest_of('a'));
  EXPECT_EQ(build_json["provenanceDigest"], digest_of('f'));

  grpc::ClientContext list_ctx;
  deadline(list_ctx);
  v1::ListBuildsRequest list;
  list.set_app_id("acme-corp/greet");
  v1::ListBuildsResponse builds;
  ASSERT_TRUE(stub_->ListBuilds(&list_ctx, list, &builds).ok());
  ASSERT_EQ(builds.builds_size(), 1);
  EXPECT_EQ(builds.builds(0).provenance_digest(), digest_of('f'));

  const auto events = watch(id);
  ASSERT_EQ(events.size(), 3u);  // queued, claimed, published
  EXPECT_EQ(events.back().state(), v1::BUILD_STATE_SUCCEEDED);
  EXPECT_EQ(events.back().digest(), digest_of('d'));
  EXPECT_EQ(events.back().sbom_digest(), digest_of('a'));
  EXPECT_EQ(events.back().provenance_digest(), digest_of('f'));
  for (std::size_t i = 0; i + 1 < events.size(); ++i) {
    EXPECT_EQ(events[i].sbom_digest(), "") << "event " << events[i].sequence();
    EXPECT_EQ(events[i].provenance_digest(), "") << "event " << events[i].sequence();
  }
  const auto event_json = nlohmann::json::parse(api::to_json(events.back()));
  EXPECT_EQ(event_json["sbomDigest"], digest_of('a'));
  EXPECT_EQ(event_json["provenanceDigest"], digest_of('f'));

  const v1::ListVersionsResponse versions = list_versions();
  ASSERT_EQ(versions.versions_size(), 1);
  EXPECT_EQ(versions.versions(0).sbom_digest(), digest_of('a'));
  EXPECT_EQ(versions.versions(0).provenance_digest(), digest_of('f'));
  const auto version_json = nlohmann::json::parse(api::to_json(versions.versions(0)));
  EXPECT_EQ(version_json["sbomDigest"], digest_of('a'));
  EXPECT_EQ(version_json["provenanceDigest"], digest_of('f'));

  grpc::ClientContext get_ctx;
  deadline(get_ctx);
  v1::GetVersionRequest get;
  get.set_app_id("acme-corp/greet");
  get.set_number(1);
  v1::Version one;
  ASSERT_TRUE(stub_->GetVersion(&get_ctx, get, &one).ok());
  EXPECT_EQ(one.sbom_digest(), digest_of('a'));
  EXPECT_EQ(one.provenance_digest(), digest_of('f'));
}

TEST_F(AttestationApiTest, AVersionWithoutThemLeavesThemOut) {
  const std::string id = build_version("", "");
  ASSERT_FALSE(id.empty());
  const v1::Build b = get_build(id);
  EXPECT_EQ(b.state(), v1::BUILD_STATE_SUCCEEDED);
  EXPECT_EQ(b.sbom_digest(), "");
  const auto events = watch(id);
  ASSERT_FALSE(events.empty());
  const auto event_json = nlohmann::json::parse(api::to_json(events.back()));
  EXPECT_EQ(event_json["state"], "BUILD_STATE_SUCCEEDED");
  EXPECT_FALSE(event_json.contains("sbomDigest")) << event_json.dump();
  EXPECT_FALSE(event_json.contains("provenanceDigest")) << event_json.dump();
  const auto versions = list_versions();
  ASSERT_EQ(versions.versions_size(), 1);
  EXPECT_FALSE(nlohmann::json::parse(api::to_json(versions.versions(0))).contains("sbomDigest"));
}

}  // namespace
}  // namespace ignite::service
