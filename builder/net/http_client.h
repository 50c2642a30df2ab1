// One HTTP exchange at a time over libcurl (OpenSSL), keeping connections alive between them:
// the one HTTP client of the builder. It knows nothing of registries or package indexes: the
// registry client adds auth, retries and meaning; the index's sources reach it through the
// narrow index::HttpClient interface (builder/index/http_client.h), which their tests fake.
//
// TLS is always verified, against the system's CAs or a given CA file. Request bodies come from
// memory or from a byte range of a file; response bodies go to memory (bounded) or, for 2xx
// answers, to a BodySink. Requests go with TCP_NODELAY and without "Expect: 100-continue";
// bodies under 64 KiB leave in the same write as their headers.
//
// Credentials: HTTP Basic credentials given in HttpClientOptions::credentials go to their own
// host and port only, and never across a redirect to another host or port (libcurl's
// CURLOPT_UNRESTRICTED_AUTH stays off). For a host without them, ~/.netrc (or the file named)
// is read when the options ask for it. Error messages are scrubbed of every secret held.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "builder/net/host_credentials.h"
#include "builder/net/http_message.h"
#include "builder/util/status.h"

namespace ignite::net {

// Defaults of HttpClientOptions, the registry client's choices (docs/registry.md).
// A connection that cannot be made in this time fails (and is retried by the caller).
inline constexpr std::chrono::seconds kConnectTimeout{30};
// A transfer that moves no byte for this long is abandoned; there is no overall limit, since a
// large layer may take long on a slow link.
inline constexpr std::chrono::seconds kStallTimeout{60};
// Response bodies kept in memory are refused past this (manifests, tag lists, errors).
inline constexpr std::size_t kMaxResponseBytes = 8 << 20;
// Redirects::kFollow follows at most this many hops.
inline constexpr long kMaxRedirects = 10;

enum class Netrc { kIgnore, kOptional };

// kAccept asks for gzip, deflate, br or zstd answers and decodes them (index pages shrink
// tenfold); kIdentity leaves bytes as the server stores them (registry blobs have digests).
enum class Compression { kIdentity, kAccept };

struct HttpClientOptions {
  std::string ca_file;  // PEM CA certificates to trust instead of the system's; "" = system
  HostCredentials credentials;
  Netrc netrc = Netrc::kIgnore;  // for hosts without credentials above
  std::string netrc_file;        // empty: libcurl's default, $HOME/.netrc
  std::chrono::milliseconds connect_timeout = kConnectTimeout;
  // A transfer slower than `stall_bytes_per_second` for `stall_time` is abandoned.
  long stall_bytes_per_second = 1;
  std::chrono::seconds stall_time = kStallTimeout;
  std::size_t max_body_bytes = kMaxResponseBytes;  // of a body kept in memory
  Compression compression = Compression::kIdentity;
};

// What went wrong below HTTP, for callers that act on it (a TLS handshake refused by a
// plain-HTTP server, say).
enum class TransportFault {
  kNone,
  kRetryable,     // connect, send, receive, timeout: UNAVAILABLE
  kTlsHandshake,  // the peer does not speak TLS, or the handshake failed: FAILED_PRECONDITION
  kTlsVerify,     // certificate not trusted or wrong name: FAILED_PRECONDITION
  kOther,         // bad URL, unreadable CA file or body file, sink failure, body too large
};

class CurlOptions;  // curl_transfer.h

class HttpClient {
 public:
  static Result<HttpClient> create(HttpClientOptions options);
  HttpClient(HttpClient&&) noexcept;
  HttpClient& operator=(HttpClient&&) noexcept;
  ~HttpClient();

  // Sends `request` and reads the whole answer. Any HTTP status is a response; only faults
  // below HTTP are errors, whose messages name the method and the URL without its query (it
  // may carry upload state): "GET https://host/v2/: <cause> (curl error 7)".
  Result<HttpResponse> send(const HttpRequest& request);
  // The kind of the last send's failure (kNone after a response).
  TransportFault last_fault() const { return last_fault_; }
  // How many requests were sent (for tests and the benchmarks).
  std::size_t request_count() const { return requests_; }

 private:
  struct Handle;
  HttpClient(std::unique_ptr<Handle> handle, HttpClientOptions options);
  // Basic credentials or netrc for the request's host.
  void set_credentials(CurlOptions& options, const std::string& url);
  Status transport_error(int curl_code, const char* error_buffer, const std::string& what) const;

  std::unique_ptr<Handle> handle_;
  HttpClientOptions options_;
  std::vector<std::string> secrets_;  // options_.credentials.secrets(), scrubbed from messages
  TransportFault last_fault_ = TransportFault::kNone;
  std::size_t requests_ = 0;
};

}  // namespace ignite::net
