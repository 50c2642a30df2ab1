#include "src/service/http_gateway.h"

#include <httplib.h>

#include <charconv>

#include "dodil/ignite/v1/error.pb.h"
#include "src/api/json_mapping.h"

namespace ignite::service {
namespace {

namespace v1 = dodil::ignite::v1;
namespace bv1 = dodil::ignite::builder::v1;
constexpr const char* kJson = "application/json";

void send_error(httplib::Response& res, const Status& status) {
  res.status = api::http_status_for(status.code());
  res.set_content(api::error_json(status), kJson);
}

void send(httplib::Response& res, const google::protobuf::Message& message) {
  res.status = 200;
  res.set_content(api::to_json(message), kJson);
}

template <typename Message>
void send(httplib::Response& res, const Result<Message>& result) {
  if (result.ok()) {
    send(res, *result);
  } else {
    send_error(res, result.status());
  }
}

// What a BuildServiceImpl method answered: its message, or its status as our error.
void send(httplib::Response& res, const grpc::Status& s, const google::protobuf::Message& out) {
  if (s.ok()) return send(res, out);
  send_error(res, Status(static_cast<Code>(s.error_code()), s.error_message()));
}

// The body into `message`; an empty body is {}.
Status read_body(const std::string& body, google::protobuf::Message& message) {
  if (body.empty()) return ok_status();
  return api::parse_json(body, message);
}

// The caller of an HTTP request, from its Authorization header.
Result<auth::Caller> caller_of(const auth::Authenticator& auth, const httplib::Request& req) {
  if (!req.has_header("Authorization")) return auth.authenticate(std::nullopt);
  const std::string authorization = req.get_header_value("Authorization");
  return auth.authenticate(authorization);
}

// UNAUTHENTICATED as 401, with the WWW-Authenticate of RFC 6750 §3.
void refuse(const httplib::Request& req, httplib::Response& res, const Status& status) {
  send_error(res, status);
  res.set_header("WWW-Authenticate",
                 req.has_header("Authorization") ? "Bearer error=\"invalid_token\"" : "Bearer");
}

using Handler =
    std::function<void(const httplib::Request&, const auth::Caller&, httplib::Response&)>;
using PostHandler = std::function<void(const httplib::Request&, const std::string& body,
                                       const auth::Caller&, httplib::Response&)>;

// A GET route for authenticated callers.
void get(httplib::Server& server, const auth::Authenticator& auth, const std::string& pattern,
         Handler handler) {
  server.Get(pattern, [&auth, handler = std::move(handler)](const httplib::Request& req,
                                                            httplib::Response& res) {
    auto caller = caller_of(auth, req);
    if (!caller.ok()) return refuse(req, res, caller.status());
    handler(req, *caller, res);
  });
}

// A POST route for authenticated callers, that reads its body itself. httplib's plain handlers
// refuse a body sent as application/x-www-form-urlencoded past 8 KiB (curl -d's default type)
// before any handler runs; this reader takes any type, up to the server's payload limit (413
// past it). A request that is not authenticated has its body read and dropped, never kept.
void post(httplib::Server& server, const auth::Authenticator& auth, const std::string& pattern,
          PostHandler handler) {
  server.Post(pattern, [&auth, handler = std::move(handler)](const httplib::Request& req,
                                                             httplib::Response& res,
                                                             const httplib::ContentReader& reader) {
    auto caller = caller_of(auth, req);
    std::string body;
    const bool read = reader([&](const char* data, std::size_t size) {
      if (caller.ok()) body.append(data, size);
      return true;
    });
    if (!read) return;  // httplib answers (413, or the connection is gone)
    if (!caller.ok()) return refuse(req, res, caller.status());
    handler(req, body, *caller, res);
  });
}

// A path parameter set again in the body must agree with the path.
Status path_param(std::string& field, const std::string& from_path, std::string_view name) {
  if (!field.empty() && field != from_path) {
    return invalid_argument(std::string(name) + " \"" + field + "\" in the body differs from \"" +
                            from_path + "\" in the path");
  }
  field = from_path;
  return ok_status();
}

Result<std::uint32_t> parse_uint32(const std::string& text, std::string_view name) {
  std::uint32_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) {
    return invalid_argument(std::string(name) + " must be a number from 0 to 4294967295, not \"" +
                            text.substr(0, 40) + "\"");
  }
  return v;
}

// GET /v1/builds?appId=&state=&pageSize=&pageToken=: the query names are the JSON mapping's
// field names; an unknown one is refused as an unknown JSON field would be.
Result<bv1::ListBuildsRequest> list_request(const httplib::Request& req) {
  bv1::ListBuildsRequest out;
  for (const auto& [name, value] : req.params) {
    if (name == "appId") {
      out.set_app_id(value);
    } else if (name == "state") {
      bv1::BuildState state;
      if (!bv1::BuildState_Parse(value, &state)) {
        return invalid_argument("state \"" + value.substr(0, 40) +
                                "\" is not a BuildState (BUILD_STATE_QUEUED, ...)");
      }
      out.set_state(state);
    } else if (name == "pageSize") {
      IGNITE_ASSIGN_OR_RETURN(std::uint32_t size, parse_uint32(value, "pageSize"));
      out.set_page_size(size);
    } else if (name == "pageToken") {
      out.set_page_token(value);
    } else {
      return invalid_argument("unknown query parameter \"" + name.substr(0, 40) +
                              "\" (appId, state, pageSize, pageToken)");
    }
  }
  return out;
}

Status error_for_http_status(const httplib::Request& req, int status, std::size_t max_body) {
  switch (status) {
    case 404:
      return not_found("no route " + req.method + " " + req.path + " (the API: docs/api.md)");
    case 413:
      return Status(Code::kResourceExhausted,
                    "the request body is larger than " + std::to_string(max_body) + " bytes");
    case 400:
      return invalid_argument(
          "malformed HTTP request (its request line or headers, or a body without "
          "Content-Length)");
    default:
      return Status(Code::kUnknown, "HTTP " + std::to_string(status));
  }
}

}  // namespace

HttpGateway::HttpGateway(Compute& compute, BuildServiceImpl& builds,
                         const auth::Authenticator& auth, HttpGatewayOptions options)
    : compute_(compute),
      builds_(builds),
      auth_(auth),
      options_(std::move(options)),
      server_(std::make_unique<httplib::Server>()) {
  route();
}

HttpGateway::~HttpGateway() { stop(); }

void HttpGateway::route() {
  httplib::Server& server = *server_;
  const int threads = options_.threads;
  server.new_task_queue = [threads] {
    return new httplib::ThreadPool(static_cast<size_t>(threads));
  };
  server.set_payload_max_length(options_.max_body_bytes);
  // An answer goes out as two writes (headers, body): without TCP_NODELAY the second waits for
  // the client's delayed ACK, about 40 ms per request on a kept-alive connection.
  server.set_tcp_nodelay(true);
  // httplib closes a kept-alive connection after 5 requests by default; clients that submit
  // builds in a stream should not reconnect that often.
  server.set_keep_alive_max_count(1000);
  const std::size_t max_body = options_.max_body_bytes;
  // httplib's own refusals (no route, a body too big, a malformed request) get a JSON error too.
  server.set_error_handler([max_body](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;
    const int status = res.status;
    send_error(res, error_for_http_status(req, status, max_body));
    res.status = status;  // 413 stays 413, whatever its code maps to
  });
  if (options_.metrics != nullptr) {
    metrics::CounterFamily& requests = options_.metrics->counter(
        "ignite_http_requests_total",
        "HTTP requests answered by serve's HTTP/JSON listener, by method and status code.",
        {"method", "code"});
    // Called once per answer, whatever made it (a route, the error handler), just before it is
    // written: counted before the client can see it, so a client's next request (on another
    // connection, another thread) finds it counted. The logger would run after the write.
    server.set_post_routing_handler(
        [&requests](const httplib::Request& req, httplib::Response& res) {
          requests.with({req.method, std::to_string(res.status)}).inc();
        });
  }
  server.set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
        send_error(res, internal_error("the request failed unexpectedly"));
      });

  // ---- the platform's deploy flow ----
  const auth::Authenticator& auth = auth_;
  post(server, auth, R"(/v1/ignite/app/([^/]+))",
       [this](const httplib::Request& req, const std::string& body, const auth::Caller& caller,
              httplib::Response& res) {
         v1::CreateAppRequest in;
         Status s = read_body(body, in);
         if (s.ok()) s = path_param(*in.mutable_org(), req.matches[1], "org");
         if (!s.ok()) return send_error(res, s);
         send(res, compute_.create_app(caller, in));
       });
  post(server, auth, R"(/v1/ignite/app/([^/]+)/([^/]+)/draft)",
       [this](const httplib::Request& req, const std::string& body, const auth::Caller& caller,
              httplib::Response& res) {
         v1::SaveDraftRequest in;
         Status s = read_body(body, in);
         if (s.ok()) s = path_param(*in.mutable_org(), req.matches[1], "org");
         if (s.ok()) s = path_param(*in.mutable_app(), req.matches[2], "app");
         if (!s.ok()) return send_error(res, s);
         send(res, compute_.save_draft(caller, in));
       });
  post(server, auth, R"(/v1/ignite/app/([^/]+)/([^/]+)/draft/publish)",
       [this](const httplib::Request& req, const std::string& body, const auth::Caller& caller,
              httplib::Response& res) {
         v1::PublishDraftRequest in;
         Status s = read_body(body, in);
         if (s.ok()) s = path_param(*in.mutable_org(), req.matches[1], "org");
         if (s.ok()) s = path_param(*in.mutable_app(), req.matches[2], "app");
         if (!s.ok()) return send_error(res, s);
         send(res, compute_.publish_draft(caller, in));
       });

  // ---- builds and versions (BuildService) ----
  post(server, auth, "/v1/builds",
       [this](const httplib::Request&, const std::string& body, const auth::Caller& caller,
              httplib::Response& res) {
         bv1::SubmitBuildRequest in;
         if (Status s = read_body(body, in); !s.ok()) return send_error(res, s);
         bv1::Build out;
         send(res, builds_.submit_build(caller, in, &out), out);
       });
  get(server, auth, "/v1/builds",
      [this](const httplib::Request& req, const auth::Caller& caller, httplib::Response& res) {
        auto in = list_request(req);
        if (!in.ok()) return send_error(res, in.status());
        bv1::ListBuildsResponse out;
        send(res, builds_.list_builds(caller, *in, &out), out);
      });
  get(server, auth, R"(/v1/builds/([^/:]+))",
      [this](const httplib::Request& req, const auth::Caller& caller, httplib::Response& res) {
        bv1::GetBuildRequest in;
        in.set_id(req.matches[1]);
        bv1::Build out;
        send(res, builds_.get_build(caller, in, &out), out);
      });
  // WatchBuild over HTTP, as grpc-gateway maps a server stream: newline-delimited JSON, one
  // {"result": BuildEvent} per line, until the build has finished; an error after the stream
  // began is a last {"error": {code, status, message}} line.
  get(server, auth, R"(/v1/builds/([^/:]+):watch)",
      [this](const httplib::Request& req, const auth::Caller& caller, httplib::Response& res) {
        bv1::WatchBuildRequest in;
        in.set_id(req.matches[1]);
        if (req.has_param("afterSequence")) {
          auto after = parse_uint32(req.get_param_value("afterSequence"), "afterSequence");
          if (!after.ok()) return send_error(res, after.status());
          in.set_after_sequence(*after);
        }
        bv1::GetBuildRequest get_request;
        get_request.set_id(in.id());
        bv1::Build build;
        if (grpc::Status s = builds_.get_build(caller, get_request, &build); !s.ok()) {
          return send(res, s, build);  // unknown (or another org's) build: 404 before any line
        }
        res.set_chunked_content_provider(
            "application/x-ndjson", [this, in, caller](std::size_t, httplib::DataSink& sink) {
              Status watched = builds_.watch(
                  caller, in,
                  [&sink](const bv1::BuildEvent& e) {
                    const std::string line = "{\"result\":" + api::to_json(e) + "}\n";
                    return sink.is_writable() && sink.write(line.data(), line.size());
                  },
                  [&sink] { return !sink.is_writable(); });
              if (!watched.ok() && watched.code() != Code::kCancelled) {
                const std::string line = "{\"error\":" + api::error_json(watched) + "}\n";
                sink.write(line.data(), line.size());
              }
              sink.done();
              return true;
            });
      });
  post(server, auth, R"(/v1/builds/([^/:]+):cancel)",
       [this](const httplib::Request& req, const std::string&, const auth::Caller& caller,
              httplib::Response& res) {
         bv1::CancelBuildRequest in;
         in.set_id(req.matches[1]);
         bv1::Build out;
         send(res, builds_.cancel_build(caller, in, &out), out);
       });
  get(server, auth, R"(/v1/builds/([^/:]+)/log)",
      [this](const httplib::Request& req, const auth::Caller& caller, httplib::Response& res) {
        bv1::GetBuildLogRequest in;
        in.set_id(req.matches[1]);
        bv1::BuildLog out;
        send(res, builds_.get_build_log(caller, in, &out), out);
      });
  get(server, auth, R"(/v1/apps/([^/]+)/([^/]+)/versions)",
      [this](const httplib::Request& req, const auth::Caller& caller, httplib::Response& res) {
        bv1::ListVersionsRequest in;
        in.set_app_id(std::string(req.matches[1]) + "/" + std::string(req.matches[2]));
        bv1::ListVersionsResponse out;
        send(res, builds_.list_versions(caller, in, &out), out);
      });
  get(server, auth, R"(/v1/apps/([^/]+)/([^/]+)/versions/([^/]+))",
      [this](const httplib::Request& req, const auth::Caller& caller, httplib::Response& res) {
        bv1::GetVersionRequest in;
        in.set_app_id(std::string(req.matches[1]) + "/" + std::string(req.matches[2]));
        auto number = parse_uint32(req.matches[3], "version number");
        if (!number.ok()) return send_error(res, number.status());
        in.set_number(*number);
        bv1::Version out;
        send(res, builds_.get_version(caller, in, &out), out);
      });

  // ---- health ----
  server.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    v1::ServingStatus out;
    out.set_status("SERVING");
    send(res, out);
  });
  if (options_.metrics != nullptr) {
    server.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
      res.status = 200;
      res.set_content(options_.metrics->scrape(), "text/plain; version=0.0.4; charset=utf-8");
    });
  }
  server.Get("/readyz", [this](const httplib::Request&, httplib::Response& res) {
    v1::ServingStatus out;
    Status ready = options_.ready ? options_.ready() : ok_status();
    out.set_status(ready.ok() ? "SERVING" : "NOT_SERVING");
    out.set_message(ready.message());
    send(res, out);
    if (!ready.ok()) res.status = 503;
  });
}

Result<int> HttpGateway::start(const std::string& host, int port) {
  const int bound =
      port == 0 ? server_->bind_to_any_port(host) : (server_->bind_to_port(host, port) ? port : -1);
  if (bound <= 0) {
    return unavailable("cannot listen for HTTP on " + host + ":" + std::to_string(port) +
                       " (address in use, or not an address of this machine)");
  }
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  return bound;
}

void HttpGateway::stop() {
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace ignite::service
