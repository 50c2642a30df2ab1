// The OCI layout store: blobs, refs, locking, crash leftovers.
#include "builder/oci/oci_layout.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <set>
#include <thread>

#include "builder/oci/layout_reference.h"
#include "builder/oci/media_types.h"
#include "builder/util/file_io.h"
#include "tests/testing/temp_dir.h"

namespace ignite::oci {
namespace {

namespace fs = std::filesystem;
using ignite::testing::TempDir;

std::vector<std::string> blob_files(const OciLayout& layout) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(layout.dir() + "/blobs/sha256")) {
    out.push_back(e.path().filename().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// A stored manifest-typed blob to point refs at.
Descriptor manifest_blob(OciLayout& layout, const std::string& content) {
  auto d = layout.add_blob(kMediaTypeManifest, content);
  EXPECT_TRUE(d.ok()) << d.status().to_string();
  return *d;
}

TEST(OciLayoutTest, CreatesAnEmptyLayout) {
  TempDir tmp;
  auto layout = OciLayout::open(tmp / "oci", CreateLayout::kIfMissing);
  ASSERT_TRUE(layout.ok()) << layout.status().to_string();
  EXPECT_EQ(*read_file(tmp / "oci/oci-layout"), R"({"imageLayoutVersion":"1.0.0"})");
  EXPECT_EQ(
      *read_file(tmp / "oci/index.json"),
      R"({"manifests":[],"mediaType":"application/vnd.oci.image.index.v1+json","schemaVersion":2})");
  EXPECT_TRUE(fs::is_directory(tmp / "oci/blobs/sha256"));
  // Opening again changes nothing.
  ASSERT_TRUE(OciLayout::open(tmp / "oci", CreateLayout::kIfMissing).ok());
  ASSERT_TRUE(OciLayout::open(tmp / "oci", CreateLayout::kNo).ok());
}

TEST(OciLayoutTest, RefusesWhatIsNotALayout) {
  TempDir tmp;
  auto r = OciLayout::open(tmp.path(), CreateLayout::kNo);
  EXPECT_EQ(r.status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(r.status().message(),
            "opening OCI layout " + tmp.path() + ": no oci-layout file (not an OCI image layout)");
  tmp.write("oci-layout", R"({"imageLayoutVersion":"2.0.0"})");
  r = OciLayout::open(tmp.path(), CreateLayout::kIfMissing);
  EXPECT_EQ(r.status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(r.status().message(), "opening OCI layout " + tmp.path() +
                                      ": imageLayoutVersion is \"2.0.0\", only \"1.0.0\" is known");
}

TEST(OciLayoutTest, BlobsAreDeduplicatedAndChecked) {
  TempDir tmp;
  auto layout = OciLayout::open(tmp / "oci", CreateLayout::kIfMissing);
  ASSERT_TRUE(layout.ok());
  auto a = layout->add_blob(kMediaTypeConfig, "{}");
  auto b = layout->add_blob(kMediaTypeConfig, "{}");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(*a, *b);
  EXPECT_EQ(a->digest.to_string(),
            "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a");
  EXPECT_EQ(a->size, 2);
  EXPECT_EQ(blob_files(*layout), std::vector<std::string>{a->digest.hex()});
  EXPECT_TRUE(layout->has_blob(a->digest));
  EXPECT_EQ(*layout->read_blob(a->digest), "{}");
  EXPECT_EQ(fs::status(layout->blob_path(a->digest)).permissions(), fs::perms(0644));

  // A blob whose file was damaged reads as DATA_LOSS, and writing it again repairs it.
  tmp.write("oci/blobs/sha256/" + a->digest.hex(), "{ }");
  auto damaged = layout->read_blob(a->digest);
  EXPECT_EQ(damaged.status().code(), Code::kDataLoss);
  EXPECT_EQ(damaged.status().message(),
            "reading blob " + a->digest.to_string() + " from OCI layout " + layout->dir() +
                ": the file's content has digest " + Digest::of("{ }").to_string() +
                " (the blob is corrupt)");
  ASSERT_TRUE(layout->add_blob(kMediaTypeConfig, "{}").ok());
  EXPECT_EQ(*layout->read_blob(a->digest), "{}");

  auto missing = layout->read_blob(Digest::of("nothing"));
  EXPECT_EQ(missing.status().code(), Code::kNotFound);
  auto too_big = layout->read_blob(a->digest, 1);
  EXPECT_EQ(too_big.status().code(), Code::kResourceExhausted);
}

TEST(OciLayoutTest, StreamedBlobsVerifyAndCleanUp) {
  TempDir tmp;
  auto layout = OciLayout::open(tmp / "oci", CreateLayout::kIfMissing);
  ASSERT_TRUE(layout.ok());
  {
    auto w = layout->begin_blob();
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE(w->write("abc").ok());
    auto wrong = w->commit(Digest::of("abd"));
    EXPECT_EQ(wrong.status().code(), Code::kDataLoss);
    EXPECT_EQ(wrong.status().message(), "writing blob " + Digest::of("abd").to_string() +
                                            ": the bytes have digest " +
                                            Digest::of("abc").to_string());
  }
  {
    auto w = layout->begin_blob();
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE(w->write("never committed").ok());
  }
  EXPECT_TRUE(blob_files(*layout).empty()) << "uncommitted writers leave nothing behind";
  auto w = layout->begin_blob();
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE(w->write("ab").ok());
  ASSERT_TRUE(w->write("c").ok());
  auto info = w->commit();
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->digest, Digest::of("abc"));
  EXPECT_EQ(info->size, 3);
  EXPECT_EQ(blob_files(*layout), std::vector<std::string>{Digest::of("abc").hex()});
}

TEST(OciLayoutTest, CrashLeftoversAreHarmlessAndRemovable) {
  TempDir tmp;
  auto layout = OciLayout::open(tmp / "oci", CreateLayout::kIfMissing);
  ASSERT_TRUE(layout.ok());
  Descriptor m = manifest_blob(*layout, "manifest");
  ASSERT_TRUE(layout->set_ref("a/b:v1", m, ExistingRef::kRefuse).ok());
  // What a writer killed mid-blob and mid-index leaves: temp files, never a partial blob.
  tmp.write("oci/blobs/sha256/.tmp-Ab12Cd", "half a layer");
  tmp.write("oci/index.json.tmp-Xy34Zw", R"({"manifests":[)");
  auto live = layout->begin_blob();  // a writer still at work must be left alone
  ASSERT_TRUE(live.ok());
  ASSERT_TRUE(live->write("in progress").ok());

  EXPECT_EQ(layout->resolve("a/b:v1")->digest, m.digest);
  EXPECT_EQ(*layout->read_blob(m.digest), "manifest");
  Descriptor m2 = manifest_blob(*layout, "manifest 2");
  ASSERT_TRUE(layout->set_ref("a/b:v2", m2, ExistingRef::kRefuse).ok());
  EXPECT_EQ(layout->list_refs()->size(), 2u);

  auto removed = layout->remove_abandoned_temp_files();
  ASSERT_TRUE(removed.ok());
  EXPECT_EQ(*removed, 1);
  ASSERT_TRUE(live->commit().ok());
  EXPECT_EQ(*layout->read_blob(Digest::of("in progress")), "in progress");
  for (const auto& f : blob_files(*layout)) EXPECT_FALSE(f.starts_with(".tmp-")) << f;
}

TEST(OciLayoutTest, RefsAreSetResolvedListedAndRemoved) {
  TempDir tmp;
  auto layout = OciLayout::open(tmp / "oci", CreateLayout::kIfMissing);
  ASSERT_TRUE(layout.ok());
  Descriptor m1 = manifest_blob(*layout, "one");
  Descriptor m2 = manifest_blob(*layout, "two");
  ASSERT_TRUE(layout->set_ref("acme-corp/greet:v1", m1, ExistingRef::kRefuse).ok());
  ASSERT_TRUE(layout->set_ref("acme-corp/greet:v2", m2, ExistingRef::kRefuse).ok());
  EXPECT_EQ(
      *read_file(tmp / "oci/index.json"),
      R"({"manifests":[{"annotations":{"org.opencontainers.image.ref.name":"acme-corp/greet:v1"},)"
      R"("digest":")" +
          m1.digest.to_string() +
          R"(","mediaType":"application/vnd.oci.image.manifest.v1+json","size":3},)"
          R"({"annotations":{"org.opencontainers.image.ref.name":"acme-corp/greet:v2"},)"
          R"("digest":")" +
          m2.digest.to_string() +
          R"(","mediaType":"application/vnd.oci.image.manifest.v1+json","size":3}],)"
          R"("mediaType":"application/vnd.oci.image.index.v1+json","schemaVersion":2})");

  // Setting what is already there is a no-op that does not even rewrite the file.
  auto before = fs::last_write_time(tmp / "oci/index.json");
  const std::string bytes_before = *read_file(tmp / "oci/index.json");
  ASSERT_TRUE(layout->set_ref("acme-corp/greet:v1", m1, ExistingRef::kRefuse).ok());
  EXPECT_EQ(*read_file(tmp / "oci/index.json"), bytes_before);
  EXPECT_EQ(fs::last_write_time(tmp / "oci/index.json"), before);

  // A version's ref is never moved...
  Status moved = layout->set_ref("acme-corp/greet:v1", m2, ExistingRef::kRefuse);
  EXPECT_EQ(moved.code(), Code::kAlreadyExists);
  EXPECT_EQ(moved.message(), "setting ref \"acme-corp/greet:v1\" in OCI layout " + layout->dir() +
                                 ": it already points to " + m1.digest.to_string() + ", not " +
                                 m2.digest.to_string() +
                                 " (a version's ref is never moved; ExistingRef::kReplace moves a "
                                 "mutable one)");
  EXPECT_EQ(layout->resolve("acme-corp/greet:v1")->digest, m1.digest);
  // ... unless the caller says so.
  ASSERT_TRUE(layout->set_ref("acme-corp/greet:v1", m2, ExistingRef::kReplace).ok());
  EXPECT_EQ(layout->resolve("acme-corp/greet:v1")->digest, m2.digest);

  auto refs = layout->list_refs();
  ASSERT_TRUE(refs.ok());
  ASSERT_EQ(refs->size(), 2u);
  EXPECT_EQ((*refs)[0].name, "acme-corp/greet:v2");
  EXPECT_EQ((*refs)[1].name, "acme-corp/greet:v1");

  ASSERT_TRUE(layout->remove_ref("acme-corp/greet:v2").ok());
  Status gone = layout->remove_ref("acme-corp/greet:v2");
  EXPECT_EQ(gone.code(), Code::kNotFound);
  EXPECT_EQ(gone.message(), "removing ref \"acme-corp/greet:v2\" from OCI layout " + layout->dir() +
                                ": no such ref");
  auto missing = layout->resolve("acme-corp/greet:v2");
  EXPECT_EQ(missing.status().code(), Code::kNotFound);
  EXPECT_EQ(missing.status().message(), "resolving ref \"acme-corp/greet:v2\" in OCI layout " +
                                            layout->dir() + ": no such ref");
}

TEST(OciLayoutTest, SetRefRefusesBadNamesTypesAndMissingManifests) {
  TempDir tmp;
  auto layout = OciLayout::open(tmp / "oci", CreateLayout::kIfMissing);
  ASSERT_TRUE(layout.ok());
  Descriptor m = manifest_blob(*layout, "m");
  Status s = layout->set_ref("Bad Name", m, ExistingRef::kRefuse);
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_EQ(s.message(), "setting ref \"Bad Name\" in OCI layout " + layout->dir() +
                             ": ref name \"Bad Name\" does not match the OCI ref grammar: "
                             "'/'-separated components of letters and digits joined by one of - "
                             ". _ : @ + (or \"--\"), e.g. \"acme-corp/greet:v1\"");
  Descriptor config = m;
  config.media_type = std::string(kMediaTypeConfig);
  s = layout->set_ref("a:v1", config, ExistingRef::kRefuse);
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  Descriptor absent{std::string(kMediaTypeManifest), Digest::of("absent"), 6, {}, {}};
  s = layout->set_ref("a:v1", absent, ExistingRef::kRefuse);
  EXPECT_EQ(s.code(), Code::kFailedPrecondition);
  EXPECT_EQ(s.message(), "setting ref \"a:v1\" in OCI layout " + layout->dir() + ": manifest " +
                             absent.digest.to_string() +
                             " is not stored in the layout (store blobs before refs)");
}

TEST(OciLayoutTest, KeepsWhatOtherToolsWroteInIndexJson) {
  TempDir tmp;
  auto layout = OciLayout::open(tmp / "oci", CreateLayout::kIfMissing);
  ASSERT_TRUE(layout.ok());
  Descriptor m = manifest_blob(*layout, "m");
  tmp.write("oci/index.json", R"({"schemaVersion": 2, "annotations": {"x": "y"}, "manifests": [
    {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": ")" +
                                  m.digest.to_string() + R"(", "size": 1}]})");
  ASSERT_TRUE(layout->set_ref("r:1", m, ExistingRef::kRefuse).ok());
  const std::string index = *read_file(tmp / "oci/index.json");
  EXPECT_NE(index.find(R"("annotations":{"x":"y"})"), std::string::npos) << index;
  EXPECT_EQ(layout->list_refs()->size(), 1u);
  auto all = index.find(R"("size":1},{)");
  EXPECT_NE(all, std::string::npos) << "the unnamed entry stays: " << index;
}

TEST(OciLayoutTest, ConcurrentThreadsLoseNoRef) {
  TempDir tmp;
  auto layout = OciLayout::open(tmp / "oci", CreateLayout::kIfMissing);
  ASSERT_TRUE(layout.ok());
  Descriptor m = manifest_blob(*layout, "m");
  constexpr int kThreads = 6, kRefs = 20;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto own = OciLayout::open(tmp / "oci", CreateLayout::kIfMissing);
      for (int i = 0; i < kRefs; ++i) {
        if (!own.ok() || !own->set_ref("t" + std::to_string(t) + "/app:v" + std::to_string(i), m,
                                       ExistingRef::kRefuse)
                              .ok()) {
          ++failures;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(layout->list_refs()->size(), static_cast<std::size_t>(kThreads * kRefs));
}

TEST(OciLayoutTest, ConcurrentProcessesLoseNoRef) {
  TempDir tmp;
  const std::string dir = tmp / "oci";
  // The layout is created by the racing processes themselves.
  constexpr int kProcesses = 4, kRefs = 15;
  std::vector<pid_t> children;
  for (int p = 0; p < kProcesses; ++p) {
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      auto layout = OciLayout::open(dir, CreateLayout::kIfMissing);
      if (!layout.ok()) ::_exit(2);
      auto m = layout->add_blob(kMediaTypeManifest, "shared manifest");
      if (!m.ok()) ::_exit(3);
      for (int i = 0; i < kRefs; ++i) {
        if (!layout
                 ->set_ref("p" + std::to_string(p) + "/app:v" + std::to_string(i), *m,
                           ExistingRef::kRefuse)
                 .ok()) {
          ::_exit(4);
        }
      }
      ::_exit(0);
    }
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "child exit " << status;
  }
  auto layout = OciLayout::open(dir, CreateLayout::kNo);
  ASSERT_TRUE(layout.ok());
  auto refs = layout->list_refs();
  ASSERT_TRUE(refs.ok());
  std::set<std::string> names;
  for (const auto& r : *refs) names.insert(r.name);
  EXPECT_EQ(names.size(), static_cast<std::size_t>(kProcesses * kRefs));
  EXPECT_EQ(blob_files(*layout).size(), 1u);
}

TEST(LayoutReferenceTest, ParsesDirColonRef) {
  auto r = LayoutReference::parse("/var/lib/ignite-builder/oci:acme-corp/greet:v1");
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->dir, "/var/lib/ignite-builder/oci");
  EXPECT_EQ(r->ref, "acme-corp/greet:v1");
  EXPECT_EQ(r->to_string(), "/var/lib/ignite-builder/oci:acme-corp/greet:v1");
  r = LayoutReference::parse("oci:images:debian");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->dir, "images");
  EXPECT_EQ(r->ref, "debian");
  auto bad = LayoutReference::parse("just-a-dir");
  EXPECT_EQ(bad.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(bad.status().message(),
            "image reference \"just-a-dir\" must be DIR:REF, an OCI layout directory and a ref "
            "name in it (e.g. /var/lib/ignite-builder/oci:ignite/base:bookworm)");
}

TEST(LayoutReferenceTest, RefNameGrammar) {
  for (const char* ok : {"a", "acme-corp/greet:v1", "ignite/base:bookworm-python3.11", "a--b",
                         "x@y", "1.0+build", "A_b.C"}) {
    EXPECT_TRUE(validate_ref_name(ok).ok()) << ok;
  }
  for (const char* bad :
       {"", "-a", "a-", "a/", "/a", "a//b", "a..b", "a---b", "a b", "a\nb", "é"}) {
    EXPECT_EQ(validate_ref_name(bad).code(), Code::kInvalidArgument) << bad;
  }
  EXPECT_EQ(validate_ref_name(std::string(257, 'a')).message(),
            "ref name \"" + std::string(80, 'a') + "\" is longer than 256 bytes");
}

// Refs are read from a parsed index.json kept per process (layout_refs.cc): an index.json
// replaced from outside, even by one of the same size, inode reuse or not, is read anew.
TEST(OciLayoutTest, RefsReadAfterAnOutsideChangeOfTheSameSizeAreTheNewOnes) {
  TempDir tmp;
  auto layout = OciLayout::open(tmp / "oci", CreateLayout::kIfMissing);
  ASSERT_TRUE(layout.ok());
  Descriptor m1 = manifest_blob(*layout, "one");
  Descriptor m2 = manifest_blob(*layout, "two");
  ASSERT_TRUE(layout->set_ref("acme-corp/greet:v1", m1, ExistingRef::kRefuse).ok());
  ASSERT_EQ((*layout->list_refs())[0].manifest.digest, m1.digest);
  // Another process's write: the same bytes but for the digest.
  std::string text = *read_file(tmp / "oci/index.json");
  const std::string one = m1.digest.to_string(), two = m2.digest.to_string();
  text.replace(text.find(one), one.size(), two);
  ASSERT_TRUE(write_file_atomic(tmp / "oci/index.json", text).ok());
  auto refs = layout->list_refs();
  ASSERT_TRUE(refs.ok());
  ASSERT_EQ(refs->size(), 1u);
  EXPECT_EQ((*refs)[0].manifest.digest, m2.digest);
  // A second layout object on the same directory sees the same, and a broken index is refused
  // rather than served from what was read before.
  auto other = OciLayout::open(tmp / "oci", CreateLayout::kNo);
  ASSERT_TRUE(other.ok());
  EXPECT_EQ((*other->list_refs())[0].manifest.digest, m2.digest);
  ASSERT_TRUE(write_file_atomic(tmp / "oci/index.json", "{\"manifests\": 7}").ok());
  EXPECT_FALSE(layout->list_refs().ok());
}

}  // namespace
}  // namespace ignite::oci
