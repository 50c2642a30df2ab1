// The HTTP client against real HTTP servers on loopback (tests/net/http_peer.py, which echoes
// what it was sent): credentials and where they go, netrc, redirects, bodies in and out, limits,
// compression, kept-alive connections, TLS spoken to a plain server.
#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <tuple>
#include <vector>

#include "builder/net/http_client.h"
#include "builder/util/sha256.h"
#include "tests/net/script_server.h"
#include "tests/testing/temp_dir.h"

namespace ignite::net {
namespace {

using testing::ScriptServer;

// "alice:s3cret-pw" and "bob:n3trc-pw", as HTTP Basic sends them.
constexpr const char* kAliceBasic = "Basic YWxpY2U6czNjcmV0LXB3";
constexpr const char* kBobBasic = "Basic Ym9iOm4zdHJjLXB3";

class HttpClientServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const std::string script = std::string(IGNITE_SOURCE_DIR) + "/tests/net/http_peer.py";
    a_ = std::make_unique<ScriptServer>(script, std::vector<std::string>{});
    b_ = std::make_unique<ScriptServer>(script, std::vector<std::string>{});
  }
  static void TearDownTestSuite() {
    a_.reset();
    b_.reset();
  }
  void SetUp() override {
    ASSERT_NE(a_->port(), 0);
    ASSERT_NE(b_->port(), 0);
  }

  static std::string a(std::string_view path) {
    return "http://" + a_->authority() + std::string(path);
  }
  static std::string b(std::string_view path) {
    return "http://" + b_->authority() + std::string(path);
  }

  static HttpClient client(HttpClientOptions options = {}) {
    auto created = HttpClient::create(std::move(options));
    EXPECT_TRUE(created.ok()) << created.status().to_string();
    return std::move(created).value();
  }

  // What /echo was sent, or a failed test and null.
  static nlohmann::json echo(HttpClient& http, HttpRequest request) {
    auto answer = http.send(request);
    EXPECT_TRUE(answer.ok()) << answer.status().to_string();
    if (!answer.ok()) return nullptr;
    EXPECT_EQ(answer->status, 200) << answer->body;
    return nlohmann::json::parse(answer->body, nullptr, /*allow_exceptions=*/false);
  }
  static nlohmann::json echo(HttpClient& http, const std::string& url,
                             Redirects redirects = Redirects::kReturn) {
    HttpRequest request;
    request.url = url;
    request.redirects = redirects;
    return echo(http, std::move(request));
  }
  static std::string authorization(const nlohmann::json& echoed) {
    return echoed.is_object() ? echoed["headers"].value("authorization", "(none)") : "(no echo)";
  }

  // Two servers on loopback: the same host, two ports.
  static inline std::unique_ptr<ScriptServer> a_;
  static inline std::unique_ptr<ScriptServer> b_;
};

TEST_F(HttpClientServerTest, CredentialsGoToTheirHostAndPortAndNeverFollowARedirectAway) {
  HttpClientOptions options;
  options.credentials.add_from(*Url::parse("http://alice:s3cret-pw@" + a_->authority() + "/"));
  HttpClient http = client(std::move(options));

  EXPECT_EQ(authorization(echo(http, a("/echo"))), kAliceBasic);
  EXPECT_EQ(authorization(echo(http, b("/echo"))), "(none)");  // same host, another port
  // A redirect within the same host and port keeps them ...
  EXPECT_EQ(authorization(echo(http, a("/redirect?to=/echo"), Redirects::kFollow)), kAliceBasic);
  // ... one to another port or another host name drops them.
  EXPECT_EQ(authorization(echo(http, a("/redirect?to=" + b("/echo")), Redirects::kFollow)),
            "(none)");
  const std::string localhost = "http://localhost:" + std::to_string(a_->port()) + "/echo";
  EXPECT_EQ(authorization(echo(http, a("/redirect?to=" + localhost), Redirects::kFollow)),
            "(none)");
}

TEST_F(HttpClientServerTest, NetrcIsReadForHostsWithoutCredentialsWhenAskedFor) {
  ignite::testing::TempDir dir;
  dir.write("netrc", "machine 127.0.0.1\nlogin bob\npassword n3trc-pw\n");

  HttpClientOptions ignored;  // the default: never read
  ignored.netrc_file = dir / "netrc";
  HttpClient http = client(std::move(ignored));
  EXPECT_EQ(authorization(echo(http, a("/echo"))), "(none)");

  HttpClientOptions optional;
  optional.netrc = Netrc::kOptional;
  optional.netrc_file = dir / "netrc";
  optional.credentials.add_from(*Url::parse("http://alice:s3cret-pw@" + b_->authority() + "/"));
  HttpClient with_netrc = client(std::move(optional));
  EXPECT_EQ(authorization(echo(with_netrc, a("/echo"))), kBobBasic);
  EXPECT_EQ(authorization(echo(with_netrc, b("/echo"))), kAliceBasic);  // given ones win

  HttpClientOptions missing;
  missing.netrc = Netrc::kOptional;
  missing.netrc_file = dir / "no-netrc";
  HttpClient without = client(std::move(missing));
  EXPECT_EQ(authorization(echo(without, a("/echo"))), "(none)");
}

TEST_F(HttpClientServerTest, RedirectsAreReturnedUnlessFollowed) {
  HttpClient http = client();
  HttpRequest request;
  request.url = a("/redirect?to=/echo");
  auto answer = http.send(request);
  ASSERT_TRUE(answer.ok()) << answer.status().to_string();
  EXPECT_EQ(answer->status, 302);
  EXPECT_EQ(answer->header("location"), "/echo");
  EXPECT_EQ(answer->url, a("/redirect?to=/echo"));

  request.redirects = Redirects::kFollow;
  answer = http.send(request);
  ASSERT_TRUE(answer.ok()) << answer.status().to_string();
  EXPECT_EQ(answer->status, 200);
  EXPECT_EQ(answer->url, a("/echo"));  // the URL that answered
  EXPECT_EQ(answer->content_type(), "application/json");
}

TEST_F(HttpClientServerTest, BodiesKeptInMemoryHaveALimit) {
  HttpClientOptions options;
  options.max_body_bytes = 1000;
  HttpClient http = client(std::move(options));
  HttpRequest request;
  request.url = a("/bytes?n=1000");
  auto answer = http.send(request);
  ASSERT_TRUE(answer.ok()) << answer.status().to_string();
  EXPECT_EQ(answer->body, std::string(1000, 'x'));
  EXPECT_EQ(answer->content_type(), "text/plain");

  request.url = a("/bytes?n=1001");
  answer = http.send(request);
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(answer.status().code(), Code::kResourceExhausted);
  EXPECT_EQ(answer.status().message(),
            "GET " + a("/bytes") + ": response body larger than 1000 bytes");
  EXPECT_EQ(http.last_fault(), TransportFault::kOther);
}

TEST_F(HttpClientServerTest, SuccessfulBodiesGoToTheSinkOthersToMemory) {
  HttpClientOptions options;
  options.max_body_bytes = 1000;  // a sink has no limit of its own
  HttpClient http = client(std::move(options));
  std::string sunk;
  HttpRequest request;
  request.url = a("/bytes?n=200000");
  request.sink = [&](std::string_view bytes) {
    sunk.append(bytes);
    return ok_status();
  };
  auto answer = http.send(request);
  ASSERT_TRUE(answer.ok()) << answer.status().to_string();
  EXPECT_EQ(answer->status, 200);
  EXPECT_EQ(answer->body, "");
  EXPECT_EQ(sunk.size(), 200000u);

  sunk.clear();
  request.url = a("/status?code=404");
  answer = http.send(request);
  ASSERT_TRUE(answer.ok()) << answer.status().to_string();
  EXPECT_EQ(answer->status, 404);
  EXPECT_EQ(answer->body, "status 404");
  EXPECT_EQ(sunk, "");

  request.url = a("/bytes?n=10");
  request.sink = [](std::string_view) { return resource_exhausted("writing blob: disk full"); };
  answer = http.send(request);
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(answer.status().code(), Code::kResourceExhausted);
  EXPECT_EQ(answer.status().message(), "GET " + a("/bytes") + ": writing blob: disk full");
}

TEST_F(HttpClientServerTest, BodiesFromMemoryAndFromFileRanges) {
  HttpClient http = client();
  HttpRequest post;
  post.method = "POST";
  post.url = a("/echo");
  post.body = "hello";
  nlohmann::json sent = echo(http, post);
  ASSERT_TRUE(sent.is_object());
  EXPECT_EQ(sent["method"], "POST");
  EXPECT_EQ(sent["body"], "hello");
  // No form type claimed for it, and no 100-continue round trip.
  EXPECT_FALSE(sent["headers"].contains("content-type")) << sent.dump();
  EXPECT_FALSE(sent["headers"].contains("expect")) << sent.dump();

  ignite::testing::TempDir dir;
  std::string bytes;
  for (int i = 0; bytes.size() < 300'000; ++i) bytes += std::to_string(i) + ",";
  dir.write("blob", bytes);
  // Under 64 KiB the range goes with the headers; above, it streams from the file.
  for (const auto& [method, offset, length] :
       {std::tuple<std::string, std::int64_t, std::int64_t>{"PUT", 7, 1000},
        {"PATCH", 1000, 250'000},
        {"PUT", 0, 0}}) {
    HttpRequest put;
    put.method = method;
    put.url = a("/echo");
    put.file = FileRange{dir / "blob", offset, length};
    put.headers = {"Content-Type: application/octet-stream"};
    sent = echo(http, put);
    ASSERT_TRUE(sent.is_object());
    EXPECT_EQ(sent["method"], method);
    EXPECT_EQ(sent["body_length"], length);
    EXPECT_EQ(sent["body_sha256"], sha256_hex(std::string_view(bytes).substr(offset, length)));
    EXPECT_EQ(sent["headers"]["content-type"], "application/octet-stream");
  }
}

TEST_F(HttpClientServerTest, HeadAnswersCarryHeadersOnly) {
  HttpClient http = client();
  HttpRequest request;
  request.method = "HEAD";
  request.url = a("/bytes?n=10");
  auto answer = http.send(request);
  ASSERT_TRUE(answer.ok()) << answer.status().to_string();
  EXPECT_EQ(answer->status, 200);
  EXPECT_EQ(answer->header("content-length"), "10");
  EXPECT_EQ(answer->body, "");
}

TEST_F(HttpClientServerTest, CompressionIsAskedForOnlyWhenChosen) {
  HttpClient identity = client();
  EXPECT_FALSE(echo(identity, a("/echo"))["headers"].contains("accept-encoding"));

  HttpClientOptions options;
  options.compression = Compression::kAccept;
  HttpClient compressed = client(std::move(options));
  const nlohmann::json sent = echo(compressed, a("/echo"));
  EXPECT_NE(sent["headers"].value("accept-encoding", "").find("gzip"), std::string::npos);
  HttpRequest request;
  request.url = a("/gzip");
  auto answer = compressed.send(request);
  ASSERT_TRUE(answer.ok()) << answer.status().to_string();
  EXPECT_EQ(answer->header("content-encoding"), "gzip");
  EXPECT_EQ(answer->body, "compressed text\n");  // decoded
}

TEST_F(HttpClientServerTest, OneConnectionServesSuccessiveRequests) {
  HttpClient http = client();
  const nlohmann::json first = echo(http, a("/echo"));
  const nlohmann::json second = echo(http, a("/echo"));
  ASSERT_TRUE(first.is_object() && second.is_object());
  EXPECT_EQ(first["client_port"], second["client_port"]);
  EXPECT_EQ(http.request_count(), 2u);
}

TEST_F(HttpClientServerTest, TlsSpokenToAPlainServerIsAHandshakeFault) {
  HttpClient http = client();
  HttpRequest request;
  request.url = "https://" + a_->authority() + "/echo";
  auto answer = http.send(request);
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(answer.status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(http.last_fault(), TransportFault::kTlsHandshake);
  EXPECT_TRUE(answer.status().message().starts_with("GET https://" + a_->authority() +
                                                    "/echo: TLS handshake failed: "))
      << answer.status().message();
}

}  // namespace
}  // namespace ignite::net
