// The one gzip setting of every layer this module writes.
//
// The compressed bytes are the layer's digest, so this setting is part of the image format:
// changing the level, the member size, the header bytes or the libdeflate release changes
// every layer digest (and tests/oci/pinned_gzip_test.cc fails on purpose).
//
// Stream grammar (RFC 1952; docs/oci-images.md, "Compression"):
//   stream  = member+                      ; one member per kLayerGzipMemberBytes of input,
//                                          ; the last one shorter; empty input: one empty member
//   member  = 1f 8b 08 00  00 00 00 00  00 ff  deflate  crc32(le32)  isize(le32)
//             ID    CM FLG MTIME=0      XFL OS=255 ("unknown", as Go's compress/gzip writes)
//   deflate = libdeflate_deflate_compress at kLayerGzipLevel over the member's input alone
// Members are independent, so they are compressed in parallel; the bytes do not depend on the
// number of threads. Every gzip reader (Go's, zlib's gzip mode, GNU gzip, libarchive) reads a
// multi-member stream as the concatenation of its members.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <future>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

#include "builder/oci/byte_sink.h"
#include "builder/util/status.h"

namespace ignite::oci {

// libdeflate level 6: on a 53 MB tar of Python's standard library it compresses at ~100 MB/s
// per core to 28.4%; level 9 is 5.5x slower for 1.3% less, level 1 2.5x faster for 11% more
// (measurements in docs/oci-images.md).
inline constexpr int kLayerGzipLevel = 6;
// Input bytes per gzip member. 1 MiB costs 0.2% in size against one member (4 MiB: 0.05%) and
// lets a 40 MB dependency layer spread over 40 parallel pieces.
inline constexpr std::size_t kLayerGzipMemberBytes = std::size_t{1} << 20;
// The OS byte of each member header: 255, "unknown".
inline constexpr std::uint8_t kLayerGzipOsByte = 0xff;

// "libdeflate 1.14": the compressor this binary was built with, part of the builder version.
std::string_view layer_compressor_version();

// Compresses what is written into pinned gzip members and passes them on to `out`, in order.
class PinnedGzipWriter : public ByteSink {
 public:
  // `threads`: members compressed at once, 0 for the number of cores. Output is the same.
  PinnedGzipWriter(ByteSink& out, unsigned threads);
  ~PinnedGzipWriter() override;
  PinnedGzipWriter(const PinnedGzipWriter&) = delete;
  PinnedGzipWriter& operator=(const PinnedGzipWriter&) = delete;

  Status write(std::string_view data) override;
  // Compresses what is left and waits for every member to reach `out`. Call once.
  Status finish();

 private:
  Status dispatch();            // hands pending_ to a worker as one member
  Status drain(std::size_t n);  // writes finished members until at most n are in flight

  // One member being compressed, on its own thread unless threads_ is 1.
  struct InFlight {
    std::unique_ptr<std::packaged_task<Result<std::string>()>> task;
    std::future<Result<std::string>> result;
    std::thread worker;
  };

  ByteSink& out_;
  unsigned threads_;
  std::string pending_;
  std::deque<InFlight> in_flight_;
  std::uint64_t members_ = 0;
  Status failed_;
};

// The pinned gzip of `data` in memory: small blobs and tests.
Result<std::string> pinned_gzip(std::string_view data, unsigned threads = 1);

}  // namespace ignite::oci
