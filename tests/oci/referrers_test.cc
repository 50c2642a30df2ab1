// Referrers (an image's SBOM and provenance as OCI artifacts) and reading one file of an image
// from its layers: the layout's relation keeps every artifact attached, merged and sorted the
// same way whatever the order; artifacts parse back; whiteouts hide what lower layers hold.
#include "builder/oci/referrers.h"

#include <gtest/gtest.h>

#include <thread>

#include "builder/oci/image_file.h"
#include "builder/oci/media_types.h"
#include "tests/testing/archive_writer.h"
#include "tests/testing/temp_dir.h"

namespace ignite::oci {
namespace {

using testing::ArchiveFormat;
using testing::TempDir;
using testing::TestEntry;

Descriptor subject_of(OciLayout& layout, std::string_view bytes) {
  auto d = layout.add_blob(kMediaTypeManifest, bytes);
  EXPECT_TRUE(d.ok()) << d.status().to_string();
  return *d;
}

TEST(ReferrersTest, AnArtifactNamesItsSubjectAndTypeAndParsesBack) {
  TempDir tmp;
  auto layout = OciLayout::open(tmp / "oci", CreateLayout::kIfMissing);
  ASSERT_TRUE(layout.ok());
  const Descriptor subject = subject_of(*layout, R"({"schemaVersion":2})");
  auto r = write_artifact(*layout, "application/spdx+json", "application/spdx+json", "{\"a\":1}",
                          subject, {{"k", "v"}});
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->artifact_type, "application/spdx+json");
  EXPECT_EQ(r->manifest.annotations.at("k"), "v");
  auto bytes = layout->read_blob(r->manifest.digest);
  ASSERT_TRUE(bytes.ok());
  EXPECT_NE(bytes->find("\"subject\":{\"digest\":\"" + subject.digest.to_string()),
            std::string::npos)
      << *bytes;
  EXPECT_NE(bytes->find("\"config\":{\"digest\":\"" + Digest::of("{}").to_string() +
                        "\",\"mediaType\":\"application/vnd.oci.empty.v1+json\",\"size\":2}"),
            std::string::npos)
      << *bytes;
  auto parsed = parse_artifact_manifest(*bytes);
  ASSERT_TRUE(parsed.ok()) << parsed.status().to_string();
  EXPECT_EQ(parsed->subject.digest, subject.digest);
  EXPECT_EQ(parsed->artifact_type, "application/spdx+json");
  ASSERT_EQ(parsed->blobs.size(), 1u);
  EXPECT_EQ(parsed->blobs[0].digest, Digest::of("{\"a\":1}"));
  EXPECT_EQ(referrers_tag(subject.digest), "sha256-" + subject.digest.hex());

  // Not an artifact: named.
  auto plain = parse_artifact_manifest(
      R"({"schemaVersion":2,"config":{"mediaType":"application/vnd.oci.empty.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2},"layers":[]})");
  EXPECT_NE(plain.status().message().find("no \"artifactType\""), std::string::npos)
      << plain.status().message();
}

TEST(ReferrersTest, TheLayoutRelationMergesSortsAndLosesNoneUnderConcurrency) {
  TempDir tmp;
  auto layout = OciLayout::open(tmp / "oci", CreateLayout::kIfMissing);
  ASSERT_TRUE(layout.ok());
  const Descriptor subject = subject_of(*layout, R"({"schemaVersion":2,"x":1})");
  auto none = referrers_in_layout(*layout, "acme-corp/greet", subject.digest);
  ASSERT_TRUE(none.ok()) << none.status().to_string();
  EXPECT_TRUE(none->empty());

  constexpr int kThreads = 6;
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      auto own = OciLayout::open(tmp / "oci", CreateLayout::kNo);
      ASSERT_TRUE(own.ok());
      auto r = write_artifact(*own, "application/vnd.in-toto+json", "text/plain",
                              "doc " + std::to_string(i), subject, {});
      ASSERT_TRUE(r.ok()) << r.status().to_string();
      Status s = attach_in_layout(*own, "acme-corp/greet", subject.digest, {*r});
      ASSERT_TRUE(s.ok()) << s.to_string();
    });
  }
  for (auto& t : threads) t.join();
  auto all = referrers_in_layout(*layout, "acme-corp/greet", subject.digest);
  ASSERT_TRUE(all.ok()) << all.status().to_string();
  ASSERT_EQ(all->size(), static_cast<std::size_t>(kThreads));
  for (std::size_t i = 1; i < all->size(); ++i) {
    EXPECT_LT((*all)[i - 1].manifest.digest.to_string(), (*all)[i].manifest.digest.to_string());
  }
  // Attaching one again changes nothing; the index is the same bytes whatever the order.
  ASSERT_TRUE(attach_in_layout(*layout, "acme-corp/greet", subject.digest, {(*all)[0]}).ok());
  auto index = layout->resolve("acme-corp/greet:" + referrers_tag(subject.digest));
  ASSERT_TRUE(index.ok());
  std::vector<Referrer> reversed(all->rbegin(), all->rend());
  auto rebuilt = referrers_index_json({}, reversed);
  ASSERT_TRUE(rebuilt.ok());
  EXPECT_EQ(index->digest, Digest::of(*rebuilt));
  EXPECT_EQ(index->media_type, kMediaTypeIndex);
}

// A layer blob of `entries` (tar+gzip) in `layout`.
Descriptor layer_of(OciLayout& layout, const std::vector<TestEntry>& entries) {
  auto d =
      layout.add_blob(kMediaTypeLayerGzip, testing::write_archive(ArchiveFormat::kTarGz, entries));
  EXPECT_TRUE(d.ok());
  return *d;
}

TEST(ImageFileTest, TheTopmostCopyWinsAndWhiteoutsHideLowerOnes) {
  TempDir tmp;
  auto layout = OciLayout::open(tmp / "oci", CreateLayout::kIfMissing);
  ASSERT_TRUE(layout.ok());
  ImageManifest image{subject_of(*layout, "{}"), {}, {}};
  image.layers.push_back(
      layer_of(*layout, {TestEntry::dir("var/"), TestEntry::file("./var/lib/dpkg/status", "old\n"),
                         TestEntry::file("etc/a", "a\n"), TestEntry::file("etc/b", "b\n"),
                         TestEntry::file("opt/x/y", "y\n")}));
  image.layers.push_back(layer_of(
      *layout, {TestEntry::file("var/lib/dpkg/status", "new\n"), TestEntry::file("etc/.wh.a", ""),
                TestEntry::file("opt/x/.wh..wh..opq", ""), TestEntry::symlink("etc/b", "a")}));
  auto read = [&](std::string_view path) {
    auto r = read_image_file(*layout, image, path);
    EXPECT_TRUE(r.ok()) << r.status().to_string();
    return r.ok() && *r ? **r : std::string("(none)");
  };
  EXPECT_EQ(read("var/lib/dpkg/status"), "new\n");
  EXPECT_EQ(read("etc/a"), "(none)");    // whited out
  EXPECT_EQ(read("etc/b"), "(none)");    // a symlink now, not a regular file
  EXPECT_EQ(read("opt/x/y"), "(none)");  // under an opaque directory
  EXPECT_EQ(read("nowhere"), "(none)");

  image.layers.pop_back();
  EXPECT_EQ(read("var/lib/dpkg/status"), "old\n");
  EXPECT_EQ(read("etc/a"), "a\n");

  // A layer the layout lacks, or a file larger than allowed: named.
  ImageManifest missing = image;
  missing.layers.push_back(
      Descriptor{std::string(kMediaTypeLayerGzip), Digest::of("gone"), 4, {}, {}});
  auto gone = read_image_file(*layout, missing, "etc/a");
  EXPECT_EQ(gone.status().code(), Code::kNotFound);
  EXPECT_NE(gone.status().message().find(Digest::of("gone").to_string()), std::string::npos);
  auto big = read_image_file(*layout, image, "etc/a", 1);
  EXPECT_EQ(big.status().code(), Code::kResourceExhausted) << big.status().to_string();
}

}  // namespace
}  // namespace ignite::oci
