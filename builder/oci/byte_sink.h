// ByteSink: where a stream of bytes goes (a tar into a compressor, a compressor into a blob
// file), so that a layer is produced in one pass without holding it in memory.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "builder/util/digest.h"
#include "builder/util/sha256.h"
#include "builder/util/status.h"

namespace ignite::oci {

class ByteSink {
 public:
  virtual ~ByteSink() = default;
  virtual Status write(std::string_view data) = 0;
};

// Collects everything in memory: small blobs and tests.
class StringSink : public ByteSink {
 public:
  Status write(std::string_view data) override {
    bytes_.append(data);
    return ok_status();
  }
  const std::string& bytes() const { return bytes_; }
  std::string take() { return std::move(bytes_); }

 private:
  std::string bytes_;
};

// Passes bytes on to `next` while hashing and counting them.
class DigestingSink : public ByteSink {
 public:
  explicit DigestingSink(ByteSink& next) : next_(next) {}
  Status write(std::string_view data) override {
    sha_.update(data);
    size_ += data.size();
    return next_.write(data);
  }
  std::uint64_t size() const { return size_; }
  // Ends the hash; call once, after the last write.
  Digest finish() { return Digest::from_bytes(sha_.finish()); }

 private:
  ByteSink& next_;
  Sha256 sha_;
  std::uint64_t size_ = 0;
};

}  // namespace ignite::oci
