#include "builder/net/curl_transfer.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "builder/util/ascii.h"

namespace ignite::net {
size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const std::string_view line = trim_blanks(std::string_view(data, size * count));
  if (line.substr(0, 5) == "HTTP/") {
    t->response->headers.clear();
    t->response->body.clear();
    const std::size_t space = line.find(' ');
    t->response->status = space == std::string_view::npos ? 0 : std::atol(line.data() + space + 1);
  } else if (const std::size_t colon = line.find(':'); colon != std::string_view::npos) {
    t->response->headers.emplace_back(ascii_lower(trim_blanks(line.substr(0, colon))),
                                      std::string(trim_blanks(line.substr(colon + 1))));
  }
  return size * count;
}

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const std::string_view bytes(data, size * count);
  const long status = t->response->status;
  if (t->request->sink && status >= 200 && status < 300) {
    t->sink_status = t->request->sink(bytes);
    return t->sink_status.ok() ? bytes.size() : 0;
  }
  if (t->response->body.size() + bytes.size() > t->max_body_bytes) {
    t->too_large = true;
    return 0;  // makes libcurl stop with CURLE_WRITE_ERROR
  }
  t->response->body.append(bytes);
  return bytes.size();
}

size_t on_read(char* buffer, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const std::int64_t want =
      std::min<std::int64_t>(static_cast<std::int64_t>(size * count), t->body_size - t->position);
  if (want <= 0) return 0;
  if (t->fd >= 0) {
    const ssize_t n =
        ::pread(t->fd, buffer, static_cast<size_t>(want), t->request->file->offset + t->position);
    if (n <= 0) {
      t->read_errno = n < 0 ? errno : EIO;  // a file shorter than the range is an error too
      return CURL_READFUNC_ABORT;
    }
    t->position += n;
    return static_cast<size_t>(n);
  }
  std::memcpy(buffer, t->request->body.data() + t->position, static_cast<size_t>(want));
  t->position += want;
  return static_cast<size_t>(want);
}

int on_seek(void* user, curl_off_t offset, int origin) {
  auto* t = static_cast<Transfer*>(user);
  if (origin != SEEK_SET || offset < 0 || offset > t->body_size) return CURL_SEEKFUNC_CANTSEEK;
  t->position = offset;
  return CURL_SEEKFUNC_OK;
}

TransportFault classify(CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_SEND_FAIL_REWIND:
      return TransportFault::kRetryable;
    case CURLE_SSL_CONNECT_ERROR:
      return TransportFault::kTlsHandshake;
    case CURLE_PEER_FAILED_VERIFICATION:
      return TransportFault::kTlsVerify;
    default:
      return TransportFault::kOther;
  }
}

Status CurlOptions::status(std::string_view what) const {
  if (failed_ == CURLE_OK) return ok_status();
  return internal_error(std::string(what) + ": setting " + failed_name_ + ": " +
                        curl_easy_strerror(failed_) + " (curl error " +
                        std::to_string(static_cast<int>(failed_)) + ")");
}

}  // namespace ignite::net
