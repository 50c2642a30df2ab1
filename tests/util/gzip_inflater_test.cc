// GzipInflater: members, padding, truncation and garbage, fed in pieces of every size.
#include "builder/util/gzip_inflater.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <string>

namespace ignite {
namespace {

// One gzip member of `data` (zlib's deflate with a gzip wrapper).
std::string gzip_member(const std::string& data) {
  z_stream z{};
  EXPECT_EQ(deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&z, data.size()) + 32, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(out.size() - z.avail_out);
  deflateEnd(&z);
  return out;
}

// Inflates `gz` fed `piece` bytes at a time into a buffer of `room` bytes at a time.
Result<std::string> inflate_all(const std::string& gz, std::size_t piece, std::size_t room,
                                GzipPadding padding = GzipPadding::kZerosAllowed) {
  GzipInflater z(padding);
  std::string out, buf(room, '\0');
  for (std::size_t pos = 0; pos < gz.size(); pos += piece) {
    z.feed(std::string_view(gz).substr(pos, piece));
    while (!z.needs_input()) {
      IGNITE_ASSIGN_OR_RETURN(std::size_t n, z.inflate(buf.data(), buf.size()));
      out.append(buf.data(), n);
    }
  }
  IGNITE_RETURN_IF_ERROR(z.finish());
  return out;
}

std::string sample(std::size_t n) {
  std::string s;
  for (std::size_t i = 0; i < n; ++i) s += static_cast<char>('a' + (i * 7 + i / 13) % 26);
  return s;
}

TEST(GzipInflaterTest, MembersMakeOneStreamWhateverThePieces) {
  const std::string a = sample(70000), b = sample(3), c;
  const std::string gz = gzip_member(a) + gzip_member(b) + gzip_member(c);
  for (std::size_t piece : {1u, 2u, 17u, 4096u, 1u << 20}) {
    for (std::size_t room : {1u, 100u, 65536u}) {
      auto out = inflate_all(gz, piece, room);
      ASSERT_TRUE(out.ok()) << piece << "/" << room << ": " << out.status().to_string();
      EXPECT_EQ(*out, a + b + c) << piece << "/" << room;
    }
  }
}

TEST(GzipInflaterTest, ZeroPaddingOnlyWhereAllowed) {
  const std::string gz = gzip_member("hello") + std::string(1000, '\0');
  auto padded = inflate_all(gz, 7, 64);
  ASSERT_TRUE(padded.ok()) << padded.status().to_string();
  EXPECT_EQ(*padded, "hello");
  auto layer = inflate_all(gz, 7, 64, GzipPadding::kRefused);
  EXPECT_EQ(layer.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(layer.status().message(), "unexpected data after the end of the gzip stream");
}

TEST(GzipInflaterTest, GarbageTruncationAndCorruptionAreErrors) {
  const std::string gz = gzip_member(sample(5000));
  auto garbage = inflate_all(gz + "trailing", 3, 64);
  EXPECT_EQ(garbage.status().message(), "unexpected data after the end of the gzip stream");
  auto zeros_then_garbage = inflate_all(gz + std::string(5, '\0') + "x", 3, 64);
  EXPECT_EQ(zeros_then_garbage.status().message(),
            "unexpected data after the end of the gzip stream");
  auto truncated = inflate_all(gz.substr(0, gz.size() - 4), 5, 64);
  EXPECT_EQ(truncated.status().message(), "the gzip stream is truncated");
  EXPECT_EQ(inflate_all("", 1, 64).status().message(), "the gzip stream is truncated");
  std::string corrupt = gz;
  corrupt[gz.size() / 2] = static_cast<char>(corrupt[gz.size() / 2] ^ 0x55);
  auto bad = inflate_all(corrupt, 64, 64);
  EXPECT_EQ(bad.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(bad.status().message().rfind("corrupt gzip data: ", 0), 0u) << bad.status().message();
  auto not_gzip = inflate_all("plain text", 64, 64);
  EXPECT_EQ(not_gzip.status().message().rfind("corrupt gzip data: ", 0), 0u)
      << not_gzip.status().message();
}

}  // namespace
}  // namespace ignite
