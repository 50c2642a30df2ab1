// One HTTP exchange at a time over libcurl (OpenSSL), keeping connections alive between them.
// Knows nothing of registries: the registry client adds auth, retries and meaning.
//
// TLS is always verified, against the system's CAs or a given CA file. Request bodies come
// from memory or from a byte range of a file (a layer is never read whole into memory);
// response bodies go to memory (bounded) or, for 2xx answers, to a ByteSink.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "builder/oci/byte_sink.h"
#include "builder/util/status.h"

namespace ignite::registry {

// A connection that cannot be made in this time fails (and is retried by the caller).
inline constexpr std::chrono::seconds kConnectTimeout{30};
// A transfer that moves no byte for this long is abandoned; there is no overall limit, since a
// large layer may take long on a slow link.
inline constexpr std::chrono::seconds kStallTimeout{60};
// Response bodies kept in memory are refused past this (manifests, tag lists, errors).
inline constexpr std::size_t kMaxResponseBytes = 8 << 20;

struct FileRange {
  std::string path;
  std::int64_t offset = 0;
  std::int64_t length = 0;
};

struct HttpRequest {
  std::string method = "GET";  // GET, HEAD, POST, PUT, PATCH, DELETE
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  std::string body;                  // sent when `file` is unset (POST/PUT/PATCH)
  std::optional<FileRange> file;     // the body, read from a file
  oci::ByteSink* sink = nullptr;     // where a 2xx answer's body goes; memory when null
  bool follow_redirects = false;     // blob downloads may be redirected to storage
};

struct HttpResponse {
  long status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // names lowercased, in order
  std::string body;  // empty when it went to the request's sink
  std::string url;   // the URL that answered (after redirects)

  // The first header named `name` (lowercase); nullopt when absent.
  std::optional<std::string> header(std::string_view name) const;
};

struct TlsOptions {
  std::string ca_file;  // PEM CA certificates to trust instead of the system's; "" = system
};

// What went wrong below HTTP, for callers that act on it (a TLS handshake refused by a
// plain-HTTP server, say).
enum class TransportFault {
  kNone,
  kRetryable,     // connect, send, receive, timeout: UNAVAILABLE
  kTlsHandshake,  // the peer does not speak TLS, or the handshake failed: FAILED_PRECONDITION
  kTlsVerify,     // certificate not trusted or wrong name: FAILED_PRECONDITION
  kOther,         // bad URL, unreadable CA file, sink failure, body too large
};

class HttpClient {
 public:
  static Result<HttpClient> create(TlsOptions tls);
  HttpClient(HttpClient&&) noexcept;
  HttpClient& operator=(HttpClient&&) noexcept;
  ~HttpClient();

  // Sends `request` and reads the whole answer. Any HTTP status is a response; only faults
  // below HTTP are errors (messages name the method and the URL without its query, which may
  // carry upload state).
  Result<HttpResponse> send(const HttpRequest& request);
  // The kind of the last send's failure (kNone after a response).
  TransportFault last_fault() const { return last_fault_; }

 private:
  struct Handle;
  explicit HttpClient(std::unique_ptr<Handle> handle, TlsOptions tls);
  std::unique_ptr<Handle> handle_;
  TlsOptions tls_;
  TransportFault last_fault_ = TransportFault::kNone;
};

// libcurl's global initialization, once per process: curl_global_init is not thread-safe, so
// everything that uses libcurl here calls this first.
void curl_init_once();

}  // namespace ignite::registry
