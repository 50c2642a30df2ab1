// Internal to builder/net: the state of one libcurl exchange and the callbacks that move its
// bytes, so that http_client.cc is left with the request's options.
#pragma once

#include <curl/curl.h>

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "builder/net/http_client.h"
#include "builder/net/http_message.h"
#include "builder/util/status.h"

namespace ignite::net {

struct Transfer {
  const HttpRequest* request = nullptr;
  HttpResponse* response = nullptr;
  std::size_t max_body_bytes = 0;  // of a body kept in memory
  int fd = -1;                     // the request body's file, when it comes from one
  std::int64_t body_size = 0;
  std::int64_t position = 0;  // of the next body byte curl asks for
  Status sink_status;
  bool too_large = false;
  int read_errno = 0;
};

// CURLOPT_HEADERFUNCTION: the status line and headers; a new status line (after a redirect or
// an interim answer) forgets the previous answer.
size_t on_header(char* data, size_t size, size_t count, void* transfer);
// CURLOPT_WRITEFUNCTION: a 2xx body to the request's sink, any other to memory, bounded.
size_t on_body(char* data, size_t size, size_t count, void* transfer);
// CURLOPT_READFUNCTION: the request body, from memory or the file range.
size_t on_read(char* buffer, size_t size, size_t count, void* transfer);
// CURLOPT_SEEKFUNCTION: curl rewinds the body when it resends a request on a fresh connection.
int on_seek(void* transfer, curl_off_t offset, int origin);

// What kind of fault a libcurl error is.
TransportFault classify(CURLcode code);

// Sets libcurl options and keeps the first failure. curl_easy_setopt fails for an option this
// libcurl does not know (CURLOPT_PROTOCOLS_STR needs 7.85) or when memory runs out; a request
// that silently went without one of ours (TLS verification, timeouts, the body callbacks) must
// not be sent. Use through IGNITE_CURL_SET, which names the option in the error.
class CurlOptions {
 public:
  explicit CurlOptions(CURL* curl) : curl_(curl) {}

  template <typename T>
  void set(CURLoption option, T value, const char* name) {
    if (failed_ != CURLE_OK) return;
    const CURLcode rc = curl_easy_setopt(curl_, option, value);
    if (rc != CURLE_OK) {
      failed_ = rc;
      failed_name_ = name;
    }
  }

  // OK, or INTERNAL "<what>: setting CURLOPT_X: <libcurl's message>".
  Status status(std::string_view what) const;

 private:
  CURL* curl_;
  CURLcode failed_ = CURLE_OK;
  const char* failed_name_ = "";
};

#define IGNITE_CURL_SET(options, option, value) (options).set(option, value, #option)

}  // namespace ignite::net
