// The HTTP client where no server is needed: faults before or instead of an answer. Exchanges
// with a server are in http_client_server_test.cc.
#include "builder/net/http_client.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tests/testing/temp_dir.h"

namespace ignite::net {
namespace {

// A loopback port where nothing listens: bound, so nothing else takes it, but not listening,
// so a connection is refused at once.
class RefusingPort {
 public:
  RefusingPort() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof address;
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&address), size) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &size) != 0) {
      ADD_FAILURE() << "cannot bind a loopback port";
      return;
    }
    port_ = ntohs(address.sin_port);
  }
  ~RefusingPort() {
    if (fd_ >= 0) ::close(fd_);
  }
  std::string authority() const { return "127.0.0.1:" + std::to_string(port_); }
  std::string url(std::string_view path) const {
    return "http://" + authority() + std::string(path);
  }

 private:
  int fd_ = -1;
  int port_ = 0;
};

HttpClient client(HttpClientOptions options = {}) {
  auto created = HttpClient::create(std::move(options));
  EXPECT_TRUE(created.ok()) << created.status().to_string();
  return std::move(created).value();
}

TEST(HttpClientTest, ARefusedConnectionIsRetryableAndNamesTheRequestWithoutItsQuery) {
  RefusingPort port;
  HttpClient http = client();
  HttpRequest request;
  request.method = "HEAD";
  request.url = port.url("/v2/x/blobs/uploads/u?_state=upload-state");
  auto answer = http.send(request);
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(answer.status().code(), Code::kUnavailable);
  EXPECT_EQ(http.last_fault(), TransportFault::kRetryable);
  const std::string& m = answer.status().message();
  EXPECT_TRUE(m.starts_with("HEAD " + port.url("/v2/x/blobs/uploads/u") + ": ")) << m;
  EXPECT_TRUE(m.ends_with(" (curl error 7)")) << m;
  EXPECT_EQ(m.find("upload-state"), std::string::npos) << m;
  EXPECT_EQ(http.request_count(), 1u);
}

TEST(HttpClientTest, CredentialsInTheUrlOrTheOptionsNeverShowInErrors) {
  RefusingPort port;
  HttpClientOptions options;
  const std::string with_userinfo = "http://alice:hunter22@" + port.authority() + "/simple/";
  options.credentials.add_from(*Url::parse(with_userinfo));
  HttpClient http = client(std::move(options));
  HttpRequest request;
  request.url = with_userinfo;
  auto answer = http.send(request);
  ASSERT_FALSE(answer.ok());
  const std::string& m = answer.status().message();
  EXPECT_TRUE(m.starts_with("GET http://****@" + port.authority() + "/simple/: ")) << m;
  EXPECT_EQ(m.find("hunter22"), std::string::npos) << m;
}

TEST(HttpClientTest, AMissingBodyFileIsNamedAndNothingIsSent) {
  RefusingPort port;  // a request that went out would fail with UNAVAILABLE instead
  HttpClient http = client();
  HttpRequest request;
  request.method = "PUT";
  request.url = port.url("/v2/x/blobs/uploads/u?digest=sha256:ab");
  request.file = FileRange{"/nonexistent/blob", 0, 10};
  auto answer = http.send(request);
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(answer.status().code(), Code::kNotFound);
  EXPECT_EQ(answer.status().message(),
            "PUT " + port.url("/v2/x/blobs/uploads/u") +
                ": opening /nonexistent/blob: No such file or directory");
}

TEST(HttpClientTest, ABodyFileShorterThanItsRangeIsAnError) {
  RefusingPort port;
  testing::TempDir dir;
  dir.write("blob", "0123456789");
  HttpClient http = client();
  HttpRequest request;
  request.method = "PATCH";
  request.url = port.url("/upload");
  request.file = FileRange{dir / "blob", 4, 20};  // small: read whole before sending
  auto answer = http.send(request);
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(answer.status().code(), Code::kInternal);
  EXPECT_EQ(answer.status().message(), "PATCH " + port.url("/upload") + ": reading the body from " +
                                           (dir / "blob") + ": Input/output error");
}

}  // namespace
}  // namespace ignite::net
