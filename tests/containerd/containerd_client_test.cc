// The containerd client (builder/containerd) against a real containerd 1.6: blobs written under a
// lease and checked by containerd, re-imports that send nothing, an interrupted ingest resumed,
// a record never moved, and two imports of one image at once.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <optional>
#include <thread>

#include "builder/containerd/containerd_connection.h"
#include "builder/containerd/content_writer.h"
#include "builder/containerd/image_import.h"
#include "builder/registry/manifest_content.h"
#include "tests/containerd/containerd_server.h"
#include "tests/registry/test_images.h"

namespace ignite::containerd {
namespace {

namespace content_api = ::containerd::services::content::v1;
using registry::testing::TempLayout;
using registry::testing::TestImage;
using testing::ContainerdServer;

TEST(ContainerdNamespace, FollowsContainerdsIdentifierRules) {
  for (const char* ok : {"default", "k8s.io", "a-b_c.d", "ignite", "A1"}) {
    EXPECT_TRUE(check_namespace(ok).ok()) << ok;
  }
  for (const char* bad : {"", "-a", "a-", "a..b", "a/b", "a b", ".a"}) {
    Status s = check_namespace(bad);
    EXPECT_EQ(s.code(), Code::kInvalidArgument) << bad;
  }
  EXPECT_FALSE(check_namespace(std::string(77, 'a')).ok());
  EXPECT_TRUE(check_namespace(std::string(76, 'a')).ok());
}

TEST(ContainerdGcLabels, NameTheConfigAndEachStoredLayer) {
  registry::ManifestContent content;
  content.media_type = "application/vnd.oci.image.manifest.v1+json";
  auto d = [](char c, const char* type) {
    return oci::Descriptor{type, *Digest::parse("sha256:" + std::string(64, c)), 1, {}, {}};
  };
  content.blobs = {d('a', "application/vnd.oci.image.config.v1+json"),
                   d('b', "application/vnd.oci.image.layer.v1.tar+gzip"),
                   d('c', "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip"),
                   d('e', "application/vnd.oci.image.layer.v1.tar+gzip")};
  auto labels = gc_labels(content);
  EXPECT_EQ(labels.size(), 3u);
  EXPECT_EQ(labels["containerd.io/gc.ref.content.config"], "sha256:" + std::string(64, 'a'));
  EXPECT_EQ(labels["containerd.io/gc.ref.content.l.0"], "sha256:" + std::string(64, 'b'));
  EXPECT_EQ(labels.count("containerd.io/gc.ref.content.l.1"), 0u);  // not in any content store
  EXPECT_EQ(labels["containerd.io/gc.ref.content.l.2"], "sha256:" + std::string(64, 'e'));

  registry::ManifestContent index;
  index.is_index = true;
  index.manifests = {d('f', "application/vnd.oci.image.manifest.v1+json")};
  EXPECT_EQ(gc_labels(index)["containerd.io/gc.ref.content.m.0"], "sha256:" + std::string(64, 'f'));
}

TEST(ContainerdConnect, NamesTheSocketWhenNothingAnswers) {
  auto missing = ContainerdConnection::connect({.socket = "/nonexistent/ignite/c.sock"});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), Code::kUnavailable);
  EXPECT_NE(missing.status().message().find("/nonexistent/ignite/c.sock"), std::string::npos);

  ignite::testing::TempDir dir;
  dir.write("not-a-socket", "x");
  auto file = ContainerdConnection::connect({.socket = dir / "not-a-socket"});
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.status().code(), Code::kUnavailable);
  EXPECT_NE(file.status().message().find("not a socket"), std::string::npos);

  auto bad_ns = ContainerdConnection::connect({.socket = dir / "x", .ns = "a/b"});
  EXPECT_EQ(bad_ns.status().code(), Code::kInvalidArgument);
}

class ContainerdClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string why = testing::unavailable_reason();
    if (!why.empty()) GTEST_SKIP() << why;
    server_ = std::make_unique<ContainerdServer>();
    ASSERT_TRUE(server_->ready()) << server_->log_tail();
    auto c = ContainerdConnection::connect({.socket = server_->socket(), .ns = "lib"});
    ASSERT_TRUE(c.ok()) << c.status().to_string();
    connection_.emplace(std::move(c).value());
  }

  TestImage image(const std::string& app_text, std::size_t deps_bytes = 64 * 1024) {
    auto built = registry::testing::build_test_image(layout_.layout, app_text, deps_bytes);
    EXPECT_TRUE(built.ok()) << built.status().to_string();
    return *built;
  }

  // Content.Info of `digest` in the test's namespace: its labels, or nullopt when absent.
  std::optional<std::map<std::string, std::string>> info(const Digest& digest) {
    content_api::InfoRequest request;
    request.set_digest(digest.to_string());
    content_api::InfoResponse response;
    grpc::Status s =
        connection_->content().Info(connection_->call_context().get(), request, &response);
    if (!s.ok()) return std::nullopt;
    return std::map<std::string, std::string>(response.info().labels().begin(),
                                              response.info().labels().end());
  }

  // A lease of the test's own (deleted by the caller), so what it writes is kept meanwhile.
  std::string make_lease(const std::string& id) {
    ::containerd::services::leases::v1::CreateRequest request;
    request.set_id(id);
    ::containerd::services::leases::v1::CreateResponse response;
    grpc::Status s =
        connection_->leases().Create(connection_->call_context().get(), request, &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return id;
  }
  void delete_lease(const std::string& id) {
    ::containerd::services::leases::v1::DeleteRequest request;
    request.set_id(id);
    google::protobuf::Empty empty;
    EXPECT_TRUE(
        connection_->leases().Delete(connection_->call_context().get(), request, &empty).ok());
  }

  // Starts an ingest of `blob` on write_blob's ref and sends its first megabyte: the ref stays
  // locked until the returned stream is cancelled, and its bytes stay for a writer to resume.
  struct HeldIngest {
    std::unique_ptr<grpc::ClientContext> ctx;
    std::unique_ptr<grpc::ClientReaderWriter<content_api::WriteContentRequest,
                                             content_api::WriteContentResponse>>
        stream;
    void release() {
      ctx->TryCancel();
      (void)stream->Finish();
    }
  };
  HeldIngest hold_first_megabyte(const oci::Descriptor& blob) {
    HeldIngest held;
    auto bytes = layout_.layout.read_blob(blob.digest);
    EXPECT_TRUE(bytes.ok());
    held.ctx = connection_->context("", std::chrono::seconds(60));
    held.stream = connection_->content().Write(held.ctx.get());
    content_api::WriteContentRequest request;
    content_api::WriteContentResponse response;
    request.set_action(content_api::STAT);
    request.set_ref("ignite-builder-" + blob.digest.to_string());
    EXPECT_TRUE(held.stream->Write(request) && held.stream->Read(&response));
    request.set_action(content_api::WRITE);
    request.set_offset(0);
    request.set_data(bytes->data(), kWriteChunkBytes);
    EXPECT_TRUE(held.stream->Write(request) && held.stream->Read(&response));
    EXPECT_EQ(response.offset(), static_cast<std::int64_t>(kWriteChunkBytes));
    return held;
  }

  std::unique_ptr<ContainerdServer> server_;
  std::optional<ContainerdConnection> connection_;
  TempLayout layout_;
};

TEST_F(ContainerdClientTest, ImportsUnderALeaseAndAReimportSendsNothing) {
  // 3 MiB of incompressible deps: the layer goes in several 1 MiB messages.
  const TestImage img = image("def handler(p, c): return 1\n", 3 << 20);
  std::vector<std::string> seen;
  auto first = import_image(*connection_, layout_.layout, img.manifest, "ignite.local/o/a:v1",
                            [&](const oci::Descriptor& blob, const BlobWrite& w) {
                              EXPECT_TRUE(w.written);
                              seen.push_back(blob.digest.to_string());
                            });
  ASSERT_TRUE(first.ok()) << first.status().to_string();
  EXPECT_EQ(first->record, ImageRecord::kCreated);
  EXPECT_EQ(first->blobs, 4);
  EXPECT_EQ(first->blobs_written, 4);
  const std::int64_t total =
      img.manifest.size + img.config.size + img.deps_layer.size + img.app_layer.size;
  EXPECT_EQ(first->bytes_total, total);
  EXPECT_EQ(first->bytes_sent, total);
  // Config and layers before the manifest that keeps them.
  ASSERT_EQ(seen.size(), 4u);
  EXPECT_EQ(seen.back(), img.manifest.digest.to_string());

  auto labels = info(img.manifest.digest);
  ASSERT_TRUE(labels);
  EXPECT_EQ((*labels)["containerd.io/gc.ref.content.config"], img.config.digest.to_string());
  EXPECT_EQ((*labels)["containerd.io/gc.ref.content.l.0"], img.deps_layer.digest.to_string());
  EXPECT_EQ((*labels)["containerd.io/gc.ref.content.l.1"], img.app_layer.digest.to_string());
  EXPECT_EQ(server_->images("lib").at("ignite.local/o/a:v1"), img.manifest.digest.to_string());
  EXPECT_TRUE(server_->leases("lib").empty()) << "the import's lease was left behind";

  auto again = import_image(*connection_, layout_.layout, img.manifest, "ignite.local/o/a:v1");
  ASSERT_TRUE(again.ok()) << again.status().to_string();
  EXPECT_EQ(again->record, ImageRecord::kUnchanged);
  EXPECT_EQ(again->blobs, 4);
  EXPECT_EQ(again->blobs_written, 0);
  EXPECT_EQ(again->bytes_sent, 0);
  EXPECT_TRUE(server_->leases("lib").empty());

  // Another namespace cannot see them, but containerd keeps one copy of a blob for all of its
  // namespaces: declared with its size and digest, each is linked there with no bytes sent.
  auto other = ContainerdConnection::connect({.socket = server_->socket(), .ns = "other"});
  ASSERT_TRUE(other.ok());
  auto there = import_image(*other, layout_.layout, img.manifest, "ignite.local/o/a:v1");
  ASSERT_TRUE(there.ok()) << there.status().to_string();
  EXPECT_EQ(there->record, ImageRecord::kCreated);
  EXPECT_EQ(there->blobs_written, 4);
  EXPECT_EQ(there->bytes_sent, 0);
  EXPECT_EQ(server_->images("other").at("ignite.local/o/a:v1"), img.manifest.digest.to_string());
  EXPECT_EQ(server_->content("other").size(), 4u);
}

TEST_F(ContainerdClientTest, NeverMovesARecord) {
  const TestImage a = image("A = 1\n");
  const TestImage b = image("B = 2\n");
  ASSERT_TRUE(import_image(*connection_, layout_.layout, a.manifest, "ignite.local/o/a:v1").ok());

  auto moved = import_image(*connection_, layout_.layout, b.manifest, "ignite.local/o/a:v1");
  ASSERT_FALSE(moved.ok());
  EXPECT_EQ(moved.status().code(), Code::kFailedPrecondition);
  EXPECT_NE(moved.status().message().find(a.manifest.digest.to_string()), std::string::npos);
  EXPECT_NE(moved.status().message().find(b.manifest.digest.to_string()), std::string::npos);
  EXPECT_EQ(server_->images("lib").at("ignite.local/o/a:v1"), a.manifest.digest.to_string());
  // Refused before anything was written.
  EXPECT_FALSE(info(b.manifest.digest));
  EXPECT_FALSE(info(b.app_layer.digest));
}

TEST_F(ContainerdClientTest, ContainerdRefusesABlobThatIsNotItsDigest) {
  const TestImage img = image("def handler(p, c): return 2\n");
  // The app layer's file, same size, one byte changed: the layout no longer matches its name.
  const std::string path = layout_.layout.blob_path(img.app_layer.digest);
  auto bytes = layout_.layout.read_blob(img.app_layer.digest);
  ASSERT_TRUE(bytes.ok());
  std::string tampered = *bytes;
  tampered[tampered.size() / 2] ^= 0x01;
  ::chmod(path.c_str(), 0644);
  std::ofstream(path, std::ios::binary | std::ios::trunc) << tampered;

  auto result = import_image(*connection_, layout_.layout, img.manifest, "ignite.local/o/t:v1");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), Code::kFailedPrecondition) << result.status().to_string();
  EXPECT_NE(result.status().message().find(img.app_layer.digest.to_string()), std::string::npos)
      << result.status().to_string();
  EXPECT_EQ(server_->images("lib").count("ignite.local/o/t:v1"), 0u);
  EXPECT_FALSE(info(img.app_layer.digest));
  EXPECT_FALSE(info(img.manifest.digest));
  EXPECT_TRUE(server_->leases("lib").empty());

  // Repaired, it imports: nothing of the refused bytes is resumed.
  std::ofstream(path, std::ios::binary | std::ios::trunc) << *bytes;
  auto repaired = import_image(*connection_, layout_.layout, img.manifest, "ignite.local/o/t:v1");
  ASSERT_TRUE(repaired.ok()) << repaired.status().to_string();
  EXPECT_EQ(repaired->record, ImageRecord::kCreated);
  EXPECT_EQ(server_->images("lib").at("ignite.local/o/t:v1"), img.manifest.digest.to_string());
}

TEST_F(ContainerdClientTest, ResumesAnIngestLeftByAWriterThatDied) {
  const TestImage img = image("R = 1\n", 3 << 20);
  const oci::Descriptor& layer = img.deps_layer;
  ASSERT_GT(layer.size, static_cast<std::int64_t>(kWriteChunkBytes));
  hold_first_megabyte(layer).release();  // a writer that went away mid-stream

  const std::string lease = make_lease("test-resume");
  auto w = write_blob(*connection_, lease, layer, layout_.layout.blob_path(layer.digest));
  ASSERT_TRUE(w.ok()) << w.status().to_string();
  EXPECT_TRUE(w->written);
  EXPECT_EQ(w->bytes_sent, layer.size - static_cast<std::int64_t>(kWriteChunkBytes));
  EXPECT_TRUE(info(layer.digest));
  delete_lease(lease);
}

TEST_F(ContainerdClientTest, WaitsForAnotherWriterOfTheSameBlobThenResumesItsBytes) {
  const TestImage img = image("W = 1\n", 3 << 20);
  const oci::Descriptor& layer = img.deps_layer;
  HeldIngest held = hold_first_megabyte(layer);  // the ref is locked while this stream lives
  const std::string lease = make_lease("test-wait");
  std::optional<Result<BlobWrite>> w;
  std::thread writer([&] {
    w.emplace(write_blob(*connection_, lease, layer, layout_.layout.blob_path(layer.digest)));
  });
  // Not a timed assertion: the writer finds the ref locked if it gets there first, and the
  // test's outcome is the same either way (it then resumes the held bytes).
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  held.release();
  writer.join();
  ASSERT_TRUE(w && w->ok()) << (w ? w->status().to_string() : "no result");
  EXPECT_TRUE((*w)->written);
  EXPECT_EQ((*w)->bytes_sent, layer.size - static_cast<std::int64_t>(kWriteChunkBytes));
  EXPECT_TRUE(info(layer.digest));
  delete_lease(lease);
}

TEST_F(ContainerdClientTest, TwoImportsOfOneImageAtOnceBothSucceed) {
  const TestImage img = image("T = 1\n", 4 << 20);
  std::atomic<int> created{0}, unchanged{0}, failed{0};
  auto run = [&] {
    auto c = ContainerdConnection::connect({.socket = server_->socket(), .ns = "lib"});
    if (!c.ok()) {
      ++failed;
      return;
    }
    auto r = import_image(*c, layout_.layout, img.manifest, "ignite.local/o/t:v1");
    if (!r.ok()) {
      ADD_FAILURE() << r.status().to_string();
      ++failed;
    } else if (r->record == ImageRecord::kCreated) {
      ++created;
    } else {
      ++unchanged;
    }
  };
  std::thread first(run), second(run);
  first.join();
  second.join();
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(created.load(), 1);
  EXPECT_EQ(unchanged.load(), 1);
  EXPECT_EQ(server_->images("lib").at("ignite.local/o/t:v1"), img.manifest.digest.to_string());
  EXPECT_TRUE(server_->leases("lib").empty());
}

}  // namespace
}  // namespace ignite::containerd
