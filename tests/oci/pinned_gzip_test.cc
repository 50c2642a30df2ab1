// The pinned layer compression: its bytes are part of the image format.
#include "builder/oci/pinned_gzip.h"

#include <gtest/gtest.h>

#include "builder/util/digest.h"
#include "tests/oci/oci_testing.h"

namespace ignite::oci {
namespace {

using testing::expect_golden;
using testing::gunzip;

// 3.5 MiB of compressible, deterministic text: four members, the last one half full.
std::string sample() {
  std::string s;
  std::uint32_t x = 12345;
  const char* words[] = {"import ", "def ", "return ", "self",       ".value", " = ",
                         "None",    "\n",   "    ",    "(",          ")",      ":",
                         "class ",  "json", "http",    "# comment\n"};
  while (s.size() < 3 * kLayerGzipMemberBytes + kLayerGzipMemberBytes / 2) {
    x = x * 1103515245u + 12345u;
    s += words[(x >> 16) % 16];
  }
  s.resize(3 * kLayerGzipMemberBytes + kLayerGzipMemberBytes / 2);
  return s;
}

TEST(PinnedGzipTest, SettingIsWhatTheFormatSays) {
  EXPECT_EQ(kLayerGzipLevel, 6);
  EXPECT_EQ(kLayerGzipMemberBytes, 1u << 20);
  EXPECT_EQ(kLayerGzipOsByte, 0xff);
  EXPECT_EQ(layer_compressor_version(), "libdeflate 1.14");
}

TEST(PinnedGzipTest, MemberHeaderIsFixed) {
  auto gz = pinned_gzip("hello");
  ASSERT_TRUE(gz.ok());
  // ID1 ID2 CM=deflate FLG=0 MTIME=0 XFL=0 OS=255: no name, no time, no extra field.
  EXPECT_EQ(gz->substr(0, 10), std::string("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff", 10));
  // Trailer: CRC-32 of "hello" (0x3610a686) and ISIZE 5, little-endian.
  EXPECT_EQ(gz->substr(gz->size() - 8), std::string("\x86\xa6\x10\x36\x05\x00\x00\x00", 8));
  EXPECT_EQ(gunzip(*gz), "hello");
}

TEST(PinnedGzipTest, EmptyInputIsOneEmptyMember) {
  auto gz = pinned_gzip("");
  ASSERT_TRUE(gz.ok());
  // libdeflate writes an empty stored block (01 00 00 ff ff) for no input.
  EXPECT_EQ(*gz, std::string("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff\x01\x00\x00\xff\xff"
                             "\x00\x00\x00\x00\x00\x00\x00\x00",
                             23));
  EXPECT_EQ(gunzip(*gz), "");
}

TEST(PinnedGzipTest, GoldenBytes) {
  const std::string data = sample();
  auto gz = pinned_gzip(data);
  ASSERT_TRUE(gz.ok());
  EXPECT_EQ(gunzip(*gz), data);
  expect_golden("pinned_gzip.txt", "input " + Digest::of(data).to_string() + " " +
                                       std::to_string(data.size()) + "\noutput " +
                                       Digest::of(*gz).to_string() + " " +
                                       std::to_string(gz->size()) + "\n");
}

TEST(PinnedGzipTest, OneMemberPerMiB) {
  const std::string data = sample();
  auto gz = pinned_gzip(data);
  ASSERT_TRUE(gz.ok());
  // Each member compressed alone is a prefix of the stream, in order.
  std::size_t off = 0;
  for (std::size_t start = 0; start < data.size(); start += kLayerGzipMemberBytes) {
    auto member = pinned_gzip(std::string_view(data).substr(start, kLayerGzipMemberBytes));
    ASSERT_TRUE(member.ok());
    ASSERT_EQ(gz->substr(off, member->size()), *member) << "member at input offset " << start;
    off += member->size();
  }
  EXPECT_EQ(off, gz->size());
}

TEST(PinnedGzipTest, ThreadsAndWriteSizesNeverChangeTheBytes) {
  const std::string data = sample();
  auto one = pinned_gzip(data, 1);
  ASSERT_TRUE(one.ok());
  for (unsigned threads : {0u, 2u, 3u, 8u}) {
    StringSink sink;
    PinnedGzipWriter gz(sink, threads);
    // Odd write sizes, crossing member boundaries.
    for (std::size_t off = 0, step = 1; off < data.size(); off += step, step = step * 3 + 7) {
      ASSERT_TRUE(gz.write(std::string_view(data).substr(off, step)).ok());
    }
    ASSERT_TRUE(gz.finish().ok());
    EXPECT_EQ(sink.bytes(), *one) << threads << " threads";
  }
}

// A sink that fails, as a full disk does.
class FailingSink : public ByteSink {
 public:
  Status write(std::string_view) override { return resource_exhausted("disk full"); }
};

TEST(PinnedGzipTest, SinkErrorsComeBack) {
  FailingSink sink;
  PinnedGzipWriter gz(sink, 2);
  const std::string data = sample();
  Status s = gz.write(data);
  if (s.ok()) s = gz.finish();
  EXPECT_EQ(s.code(), Code::kResourceExhausted);
  EXPECT_EQ(s.message(), "disk full");
}

}  // namespace
}  // namespace ignite::oci
