// Inflating gzip (RFC 1952) as `gzip -d` reads it: one or more members one after another are
// one stream, and (when allowed) zero bytes after the last member are padding, which some tar
// writers add. Anything else after a member is an error rather than being ignored, so readers
// of the same bytes never disagree about what they hold. Image layers allow no padding: Go's
// gzip reader, which containerd and the registries use, refuses it.
//
// Push input, pull output, in bounded pieces, so callers keep their own limits:
//   GzipInflater z;
//   z.feed(chunk);                        // stays valid until needs_input()
//   while (!z.needs_input()) { IGNITE_ASSIGN_OR_RETURN(size_t n, z.inflate(buf, sizeof buf)); ... }
//   ... after the last chunk: IGNITE_RETURN_IF_ERROR(z.finish());
#pragma once

#include <cstddef>
#include <memory>
#include <string_view>

#include "builder/util/status.h"

namespace ignite {

enum class GzipPadding { kZerosAllowed, kRefused };

class GzipInflater {
 public:
  explicit GzipInflater(GzipPadding padding);
  ~GzipInflater();
  GzipInflater(const GzipInflater&) = delete;
  GzipInflater& operator=(const GzipInflater&) = delete;

  // The next input bytes; the view must stay valid until needs_input() says they are used.
  void feed(std::string_view input);
  bool needs_input() const;
  // Inflates into out[0, size): the number of bytes written, 0 once it needs input.
  // INVALID_ARGUMENT: "corrupt gzip data: ..." or "unexpected data after the end of the gzip
  // stream".
  Result<std::size_t> inflate(char* out, std::size_t size);
  // After the last input: INVALID_ARGUMENT "the gzip stream is truncated" unless it ended
  // after a whole member (and its padding); an empty input is truncated too.
  Status finish() const;

 private:
  struct State;
  std::unique_ptr<State> s_;
  GzipPadding padding_;
};

}  // namespace ignite
