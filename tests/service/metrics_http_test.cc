// GET /metrics (docs/metrics.md): the deploy flow run through the in-process service, then its
// page read strictly (tests/service/prometheus_text.h) for the builds, stages and requests it
// counted; and the real `serve` binary's page.
#include <gtest/gtest.h>

#include "tests/registry/registry_servers.h"
#include "tests/service/api_testing.h"
#include "tests/service/compute_testing.h"
#include "tests/service/prometheus_text.h"
#include "tests/service/serve_process.h"

namespace ignite::service {
namespace {

using ignite::testing::parse_prometheus_text;
using ignite::testing::PrometheusPage;
using ignite::testing::shell_quote;

constexpr const char* kTextFormat = "text/plain; version=0.0.4; charset=utf-8";

class MetricsHttpTest : public ServiceFixture {
 protected:
  PrometheusPage scrape() {
    auto r = client_->Get("/metrics");
    if (!r) {
      ADD_FAILURE() << "no answer: " << httplib::to_string(r.error());
      return {};
    }
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->get_header_value("Content-Type"), kTextFormat);
    auto page = parse_prometheus_text(r->body);
    if (!page.ok()) {
      ADD_FAILURE() << page.status().to_string() << "\n" << r->body;
      return {};
    }
    return *page;
  }
};

TEST_F(MetricsHttpTest, ADeployFlowIsCountedOnThePage) {
  start();
  ASSERT_EQ(post("/v1/ignite/app/acme-corp", R"({"name": "greet"})").status, 200);
  ASSERT_EQ(post("/v1/ignite/app/acme-corp/greet/draft",
                 draft_json("def handler(payload, ctx):\n    return payload\n"))
                .status,
            200);
  auto published = post("/v1/ignite/app/acme-corp/greet/draft/publish", "{}");
  ASSERT_EQ(published.status, 200) << published.body;
  // The workers record a build's end in the queue before their turn ends (and is timed): once
  // the pool is gone, every turn has ended, and nothing is left to count.
  pool_.reset();

  PrometheusPage page = scrape();
  EXPECT_EQ(page.at(R"(ignite_builds{state="SUCCEEDED",kind="DRAFT"})"), 1);
  EXPECT_EQ(page.at(R"(ignite_builds{state="SUCCEEDED",kind="VERSION"})"), 1);
  for (const char* state : {"QUEUED", "RUNNING", "FAILED", "CANCELLED"}) {
    for (const char* kind : {"VERSION", "DRAFT"}) {
      EXPECT_EQ(
          page.at(std::string("ignite_builds{state=\"") + state + "\",kind=\"" + kind + "\"}"), 0)
          << state << " " << kind;
    }
  }
  EXPECT_EQ(page.types["ignite_queue_depth"], "gauge");
  // Nothing is queued, so no org has a series.
  EXPECT_EQ(page.samples.count(R"(ignite_queue_depth{org="acme-corp"})"), 0u);
  EXPECT_EQ(page.at("ignite_lease_reclaims_total"), 0);
  EXPECT_EQ(page.types["ignite_lease_reclaims_total"], "counter");

  // Both builds went through intake, layers and image; only the version build commits.
  EXPECT_EQ(page.types["ignite_build_stage_duration_seconds"], "histogram");
  for (const char* stage : {"intake", "layers", "image"}) {
    EXPECT_EQ(
        page.at(std::string("ignite_build_stage_duration_seconds_count{stage=\"") + stage + "\"}"),
        2)
        << stage;
  }
  EXPECT_EQ(page.at(R"(ignite_build_stage_duration_seconds_count{stage="commit"})"), 1);
  EXPECT_GT(page.at(R"(ignite_build_stage_duration_seconds_sum{stage="intake"})"), 0);
  EXPECT_EQ(page.at(R"(ignite_build_stage_duration_seconds_bucket{stage="commit",le="+Inf"})"), 1);
  EXPECT_EQ(page.at(R"(ignite_build_duration_seconds_count{outcome="succeeded"})"), 2);

  EXPECT_EQ(page.at(R"(ignite_http_requests_total{method="POST",code="200"})"), 3);
}

TEST_F(MetricsHttpTest, FailedRequestsAreCountedByTheirCode) {
  start(ServiceOptions{.workers = 0});
  ASSERT_EQ(post("/v1/ignite/app/acme-corp/nope/draft/publish", "{}").status, 404);
  ASSERT_EQ(get("/v1/no-such-route").status, 404);
  ASSERT_EQ(post("/v1/ignite/app/acme-corp", R"({"name": "Bad Name"})").status, 400);
  PrometheusPage page = scrape();
  EXPECT_EQ(page.at(R"(ignite_http_requests_total{method="POST",code="404"})"), 1);
  EXPECT_EQ(page.at(R"(ignite_http_requests_total{method="GET",code="404"})"), 1);
  EXPECT_EQ(page.at(R"(ignite_http_requests_total{method="POST",code="400"})"), 1);
}

// The binary wires the same page to the process's registry: its build info, the queue's
// figures of its store, in the format and with the content type Prometheus expects.
TEST(ServeMetricsTest, TheServeBinaryServesThePage) {
  ignite::testing::TempDir dir;
  ignite::testing::ServeProcess serve(dir.path(), "serve", "",
                                      "--workers 0 --store " + shell_quote(dir.path() + "/store"));
  ASSERT_TRUE(serve.listening()) << serve.log();
  httplib::Client client("127.0.0.1", serve.port());
  auto r = client.Get("/metrics");
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Content-Type"), kTextFormat);
  auto page = parse_prometheus_text(r->body);
  ASSERT_TRUE(page.ok()) << page.status().to_string() << "\n" << r->body;
  EXPECT_EQ(page->at(R"(ignite_build_info{version="0.1.0"})"), 1);
  EXPECT_EQ(page->at(R"(ignite_builds{state="QUEUED",kind="VERSION"})"), 0);
  EXPECT_EQ(page->at("ignite_lease_reclaims_total"), 0);
  EXPECT_EQ(page->types["ignite_build_stage_duration_seconds"], "histogram");
}

// serve --registry counts the blob bytes its publications move: the first version uploads
// every blob, the second (the same draft published again) finds them all there.
TEST(ServeMetricsTest, RegistryBytesAreCountedUploadedThenSkipped) {
  ignite::testing::TempDir dir;
  registry::testing::RegistryServer registry{registry::testing::RegistryConfig{}};
  const std::string base = ignite::testing::make_synthetic_base(dir.path() + "/base");
  ignite::testing::ServeProcess serve(dir.path(), "serve", "SOURCE_DATE_EPOCH=0",
                                      "--workers 1 --store " + shell_quote(dir.path() + "/store") +
                                          " --base " + shell_quote(base) + " --registry " +
                                          registry.host() + " --plain-http");
  ASSERT_TRUE(serve.listening()) << serve.log();
  ASSERT_EQ(serve.post("/v1/ignite/app/acme-corp", R"({"name": "greet"})").status, 200);
  auto saved = serve.post("/v1/ignite/app/acme-corp/greet/draft",
                          draft_json(ignite::testing::echo_handler("counted")));
  ASSERT_EQ(saved.status, 200) << saved.body;
  auto bytes = [&serve](const std::string& outcome) {
    auto page = parse_prometheus_text(serve.get("/metrics").body);
    EXPECT_TRUE(page.ok()) << page.status().to_string();
    return page.ok() ? page->at("ignite_registry_blob_bytes_total{outcome=\"" + outcome + "\"}")
                     : -1;
  };

  auto first = serve.post("/v1/ignite/app/acme-corp/greet/draft/publish", "{}");
  ASSERT_EQ(first.status, 200) << first.body << serve.log();
  const double uploaded = bytes("uploaded");
  EXPECT_GT(uploaded, 0);  // the base's, host's and app's layers, the config
  EXPECT_EQ(bytes("skipped"), 0);

  auto second = serve.post("/v1/ignite/app/acme-corp/greet/draft/publish", "{}");
  ASSERT_EQ(second.status, 200) << second.body << serve.log();
  EXPECT_EQ(bytes("uploaded"), uploaded);
  EXPECT_EQ(bytes("skipped"), uploaded);  // the same blobs, all there already
}

}  // namespace
}  // namespace ignite::service
