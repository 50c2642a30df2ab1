// HTTP/JSON for the service (docs/api.md): the platform's deploy flow under /v1/ignite/app/...,
// the build service under /v1/builds and /v1/apps/.../versions, and /healthz and /readyz.
// Bodies are the proto3 JSON mapping of the calls' messages (src/api/json_mapping.h); errors are
// dodil.ignite.v1.ErrorStatus with the HTTP status of their code. Every route calls the same code
// as its gRPC method (Compute, BuildServiceImpl), so the two transports cannot differ. Every route
// but /healthz, /readyz and /metrics first authenticates its request's "Authorization: Bearer <JWT>"
// header (401 with WWW-Authenticate: Bearer when it cannot), then calls for that caller. GET /metrics is the
// Prometheus page when the gateway is given a registry.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "builder/metrics/metrics.h"
#include "builder/util/status.h"
#include "src/auth/authenticator.h"
#include "src/service/build_service.h"
#include "src/service/compute.h"

namespace httplib {
class Server;
}

namespace ignite::service {

struct HttpGatewayOptions {
  // Request bodies past this are refused with 413 before they are read to the end. A draft's
  // bytes arrive as base64 (4/3 of their size): 64 MiB takes a 48 MiB archive.
  std::size_t max_body_bytes = 64u << 20;
  // Requests served at once; a PublishDraft holds one while it waits for its build.
  int threads = 32;
  // /readyz: OK when the service can take work (the store opens); its error otherwise.
  std::function<Status()> ready;
  // GET /metrics serves this registry's page (docs/metrics.md), and every request is counted
  // there (ignite_http_requests_total); null: no /metrics route.
  metrics::Registry* metrics = nullptr;
};

class HttpGateway {
 public:
  HttpGateway(Compute& compute, BuildServiceImpl& builds, const auth::Authenticator& auth,
              HttpGatewayOptions options = {});
  ~HttpGateway();  // stop()
  HttpGateway(const HttpGateway&) = delete;
  HttpGateway& operator=(const HttpGateway&) = delete;

  // Binds `host`:`port` (0: a free port) and serves on a thread of its own. Returns the port.
  // UNAVAILABLE when it cannot bind.
  Result<int> start(const std::string& host, int port);
  // Stops taking requests and waits for those being served.
  void stop();

 private:
  void route();

  Compute& compute_;
  BuildServiceImpl& builds_;
  const auth::Authenticator& auth_;
  HttpGatewayOptions options_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
};

}  // namespace ignite::service
