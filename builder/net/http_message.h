// What goes into one HTTP exchange and what comes out of it, for HttpClient (http_client.h).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "builder/util/status.h"

namespace ignite::net {

// A request body read from a byte range of a file, so that a layer is never read whole into
// memory.
struct FileRange {
  std::string path;
  std::int64_t offset = 0;
  std::int64_t length = 0;
};

// Where a 2xx answer's body goes, piece by piece as it arrives; a non-OK Status stops the
// transfer and becomes its error. A function rather than oci::ByteSink so that net stays below
// oci: `[&sink](std::string_view b) { return sink.write(b); }` adapts one.
using BodySink = std::function<Status(std::string_view bytes)>;

// Whether a 3xx answer is followed (to at most kMaxRedirects hops) or returned as it is.
enum class Redirects { kReturn, kFollow };

struct HttpRequest {
  std::string method = "GET";  // GET, HEAD, POST, PUT, PATCH, DELETE
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  std::string body;                  // sent when `file` is unset (POST/PUT/PATCH)
  std::optional<FileRange> file;     // the body, read from a file
  BodySink sink;                     // where a 2xx answer's body goes; memory when empty
  Redirects redirects = Redirects::kReturn;
};

struct HttpResponse {
  long status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // names lowercased, in order
  std::string body;  // empty when it went to the request's sink
  std::string url;   // the URL that answered (after redirects)

  // The first header named `name` (lowercase); nullopt when absent.
  std::optional<std::string> header(std::string_view name) const;
  // The Content-Type's media type, lowercased, without parameters: "text/html"; "" when none.
  std::string content_type() const;
};

}  // namespace ignite::net
