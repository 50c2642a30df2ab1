// The service as `serve` assembles it, in-process, for the compute tests: the worker pool (real
// pipeline, synthetic base), Compute, BuildServiceImpl, the HTTP gateway on a free loopback port
// and gRPC on another (both services), with an HTTP client, and a metrics registry of the test's
// own. Without ServiceOptions::auth it runs in development mode, as serve does without auth flags.
#pragma once

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <memory>
#include <string>

#include "src/service/build_service.h"
#include "src/service/build_waiter.h"
#include "src/service/compute.h"
#include "src/service/compute_service.h"
#include "src/service/http_gateway.h"
#include "src/service/service_metrics.h"
#include "tests/pipeline/pipeline_testing.h"
#include "tests/testing/temp_dir.h"

namespace ignite::service {

struct ServiceOptions {
  int workers = 2;
  std::size_t max_body_bytes = 64u << 20;
  std::function<Status()> ready{};
  // Tokens checked as serve's --auth-* flags do; development mode when null.
  const auth::Authenticator* auth = nullptr;
};

class ServiceFixture : public ::testing::Test {
 protected:
  void start(const ServiceOptions& o = {}) {
    store_dir_ = dir_.path() + "/store";
    base_ = ignite::testing::make_synthetic_base(dir_.path() + "/base");
    // As serve does: the store exists before the first request (a pool of 0 makes none).
    ASSERT_TRUE(
        pipeline::FunctionStore::open(store_dir_, pipeline::OpenStore::kCreateIfMissing).ok());
    empty_links_ = dir_.path() + "/no-wheels";
    ignite::testing::sh("mkdir -p " + ignite::testing::shell_quote(empty_links_));
    workers::WorkerOptions options;
    options.worker_id = "test";
    options.configure = [base = base_, links = empty_links_](pipeline::BuildRequest& r) {
      r.base = base;
      r.source_date_epoch = "0";
      r.sources.no_index = true;  // offline: only the (empty) find-links directory
      r.sources.find_links = {links};
    };
    pool_ = std::make_unique<WorkerPool>(
        store_dir_, o.workers, options, [this] { waiter_.notify(); }, kWorkerIdlePoll, &metrics_);
    queue_figures_ = add_queue_collector(metrics_, store_dir_);
    const auto notify = [this] { pool_->notify(); };
    const auth::Authenticator& auth = o.auth ? *o.auth : development_;
    builds_ = std::make_unique<BuildServiceImpl>(store_dir_, notify, auth);
    compute_ = std::make_unique<Compute>(store_dir_, notify, waiter_);
    compute_service_ = std::make_unique<ComputeServiceImpl>(*compute_, auth);
    HttpGatewayOptions http;
    http.max_body_bytes = o.max_body_bytes;
    http.ready = o.ready;
    http.metrics = &metrics_;
    gateway_ = std::make_unique<HttpGateway>(*compute_, *builds_, auth, http);
    auto port = gateway_->start("127.0.0.1", 0);
    ASSERT_TRUE(port.ok()) << port.status().to_string();
    client_ = std::make_unique<httplib::Client>("127.0.0.1", *port);
    client_->set_read_timeout(std::chrono::seconds(150));
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &grpc_port_);
    builder.RegisterService(compute_service_.get());
    builder.RegisterService(builds_.get());
    grpc_ = builder.BuildAndStart();
    ASSERT_NE(grpc_, nullptr);
  }
  void TearDown() override {
    if (gateway_) gateway_->stop();
    if (grpc_) grpc_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
    pool_.reset();
  }

  struct Reply {
    int status = 0;
    std::string body;
    std::string www_authenticate{};  // the header, when the answer has one
  };
  // `token`, when given, is sent as "Authorization: Bearer <token>".
  Reply post(const std::string& path, const std::string& json, const std::string& token = "") {
    return reply(client_->Post(path, bearer(token), json, "application/json"));
  }
  Reply get(const std::string& path, const std::string& token = "") {
    return reply(client_->Get(path, bearer(token)));
  }

  static httplib::Headers bearer(const std::string& token) {
    if (token.empty()) return {};
    return {{"Authorization", "Bearer " + token}};
  }
  static Reply reply(const httplib::Result& r) {
    if (!r) return {-1, "no response: " + httplib::to_string(r.error())};
    return {r->status, r->body, r->get_header_value("WWW-Authenticate")};
  }

  ignite::testing::TempDir dir_;
  std::string store_dir_;
  std::string base_;
  std::string empty_links_;
  BuildWaiter waiter_{std::chrono::milliseconds(100)};
  // The test's own, as serve's is the process's: GET /metrics serves it.
  metrics::Registry metrics_;
  metrics::Registry::CollectorHandle queue_figures_;
  const auth::Authenticator development_ = auth::Authenticator::development();
  std::unique_ptr<WorkerPool> pool_;
  std::unique_ptr<BuildServiceImpl> builds_;
  std::unique_ptr<Compute> compute_;
  std::unique_ptr<ComputeServiceImpl> compute_service_;
  std::unique_ptr<HttpGateway> gateway_;
  std::unique_ptr<httplib::Client> client_;
  std::unique_ptr<grpc::Server> grpc_;
  int grpc_port_ = 0;
};

}  // namespace ignite::service
