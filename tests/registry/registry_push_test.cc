// Pushing, listing and copying against Debian's real docker-registry (plain HTTP on loopback),
// read back with skopeo. One registry serves every test here; each test uses its own
// repositories.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "builder/metrics/metrics.h"
#include "builder/oci/media_types.h"
#include "builder/registry/blob_metrics.h"
#include "builder/registry/image_copy.h"
#include "builder/registry/image_publisher.h"
#include "tests/registry/registry_servers.h"
#include "tests/registry/test_images.h"

namespace ignite::registry {
namespace {

using ignite::testing::shell_quote;
using ignite::testing::TempDir;
using testing::build_test_image;
using testing::FakeClock;
using testing::LogLines;
using testing::RegistryServer;
using testing::run;

struct Shared {
  RegistryServer registry{testing::RegistryConfig{}};
};

// Made once for the whole program, on first use; stopped at exit.
Shared& shared() {
  static Shared s;
  return s;
}

struct Client {
  std::shared_ptr<FakeClock> clock = std::make_shared<FakeClock>();
  LogLines log;
  RegistryClient client;
  explicit Client(ClientOptions options = {}, const std::string& host = shared().registry.host())
      : client(make(host, std::move(options), clock, &log)) {}
  static RegistryClient make(const std::string& host, ClientOptions extra,
                             std::shared_ptr<FakeClock> clock, LogLines* log) {
    ClientOptions options = testing::fast_options(std::move(clock), log);
    options.chunk_bytes = extra.chunk_bytes;
    options.tags_page_size = extra.tags_page_size;
    options.plain_http = extra.plain_http;
    options.on_blob = extra.on_blob;
    auto c = RegistryClient::create(host, options);
    EXPECT_TRUE(c.ok()) << c.status().to_string();
    return std::move(c).value();
  }
};

std::string skopeo(const std::string& args) {
  std::string out;
  EXPECT_EQ(run("skopeo " + args, &out), 0) << "skopeo " << args << "\n" << out;
  return out;
}

std::string remote_digest(const std::string& ref) {
  const auto doc = nlohmann::json::parse(
      skopeo("inspect --tls-verify=false " + shell_quote("docker://" + ref)), nullptr, false);
  return doc.is_object() ? doc.value("Digest", std::string()) : std::string();
}

using Layout = testing::TempLayout;

// The registry cannot bind port 0 (its config names the address): when the port it was given
// is taken by another listener, the fixture starts it again on another port.
TEST(RegistryServerTest, ATakenPortIsRetriedElsewhere) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), len), 0);
  ASSERT_EQ(::listen(fd, 1), 0);
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  const int taken = ntohs(addr.sin_port);
  {
    RegistryServer registry{testing::RegistryConfig{}, taken};
    EXPECT_NE(registry.host(), "127.0.0.1:" + std::to_string(taken));
    std::string out;
    EXPECT_EQ(run("curl -m 5 -sf http://" + registry.host() + "/v2/", &out), 0) << out;
  }
  ::close(fd);
}

TEST(RegistryPushTest, PushedImageReadsBackWithSkopeo) {
  Layout l;
  auto image = build_test_image(l.layout, "def handler(p, c):\n    return p\n");
  ASSERT_TRUE(image.ok()) << image.status().to_string();
  Client c;
  auto pushed = push_image(c.client, l.layout, image->manifest, "acme-corp/greet", "v1");
  ASSERT_TRUE(pushed.ok()) << pushed.status().to_string();
  const std::string host = shared().registry.host();
  EXPECT_EQ(pushed->tag, TagOutcome::kCreated);
  EXPECT_EQ(pushed->reference, host + "/acme-corp/greet:v1@" + image->manifest.digest.to_string());
  EXPECT_EQ(pushed->transfer.blobs_uploaded, 3);
  EXPECT_EQ(pushed->transfer.bytes_uploaded,
            image->config.size + image->deps_layer.size + image->app_layer.size);
  EXPECT_EQ(pushed->transfer.blobs_skipped, 0);
  EXPECT_EQ(pushed->transfer.manifests_pushed, 2);  // by digest, then the tag
  EXPECT_EQ(pushed->transfer.retries, 0);
  EXPECT_NE(c.log.joined().find("speaks plain HTTP"), std::string::npos) << c.log.joined();

  EXPECT_EQ(remote_digest(host + "/acme-corp/greet:v1"), image->manifest.digest.to_string());
  TempDir out;
  skopeo("copy -q --src-tls-verify=false " +
         shell_quote("docker://" + host + "/acme-corp/greet:v1") + " " +
         shell_quote("oci:" + out.path() + ":v1"));
  const auto copied = nlohmann::json::parse(
      skopeo("inspect " + shell_quote("oci:" + out.path() + ":v1")), nullptr, false);
  ASSERT_TRUE(copied.is_object());
  EXPECT_EQ(copied.value("Digest", ""), image->manifest.digest.to_string());
  EXPECT_EQ(copied["Layers"].size(), 2u);
}

TEST(RegistryPushTest, ChangedAppLayerUploadsExactlyTheNewBlobs) {
  Layout l;
  auto v1 = build_test_image(l.layout, "VERSION = 1\n");
  auto v2 = build_test_image(l.layout, "VERSION = 2\n");
  ASSERT_TRUE(v1.ok() && v2.ok());
  ASSERT_EQ(v1->deps_layer.digest, v2->deps_layer.digest);
  Client c;
  ASSERT_TRUE(push_image(c.client, l.layout, v1->manifest, "acme-corp/changed", "v1").ok());
  const std::set<std::string> before = shared().registry.blob_files();

  auto pushed = push_image(c.client, l.layout, v2->manifest, "acme-corp/changed", "v2");
  ASSERT_TRUE(pushed.ok()) << pushed.status().to_string();
  const std::set<std::string> added = shared().registry.blobs_added_since(before);
  EXPECT_EQ(added, (std::set<std::string>{v2->app_layer.digest.hex(), v2->config.digest.hex(),
                                          v2->manifest.digest.hex()}));
  EXPECT_EQ(pushed->transfer.blobs_uploaded, 2);
  EXPECT_EQ(pushed->transfer.bytes_uploaded, v2->app_layer.size + v2->config.size);
  EXPECT_EQ(pushed->transfer.blobs_skipped, 1);
  EXPECT_EQ(pushed->transfer.bytes_skipped, v2->deps_layer.size);
}

TEST(RegistryPushTest, PushingTheSameTagAgainChangesNothing) {
  Layout l;
  auto image = build_test_image(l.layout, "x = 'again'\n");
  ASSERT_TRUE(image.ok());
  Client c;
  ASSERT_TRUE(push_image(c.client, l.layout, image->manifest, "acme-corp/again", "v1").ok());
  const auto before = shared().registry.blob_files();
  auto again = push_image(c.client, l.layout, image->manifest, "acme-corp/again", "v1");
  ASSERT_TRUE(again.ok()) << again.status().to_string();
  EXPECT_EQ(again->tag, TagOutcome::kAlreadySet);
  EXPECT_EQ(again->transfer.bytes_uploaded, 0);
  EXPECT_EQ(again->transfer.manifests_pushed, 0);
  EXPECT_EQ(shared().registry.blob_files(), before);
}

// serve's byte counters (blob_metrics.h): the same image pushed again under another tag is
// skipped blob by blob, and counted as skipped, not uploaded.
TEST(RegistryPushTest, BlobByteCountersTellUploadedFromSkipped) {
  Layout l;
  auto image = build_test_image(l.layout, "x = 'counted'\n");
  ASSERT_TRUE(image.ok()) << image.status().to_string();
  metrics::Registry metrics;
  ClientOptions options;
  options.on_blob = count_blob_bytes(metrics);
  Client c(options);
  metrics::CounterFamily& bytes =
      metrics.counter("ignite_registry_blob_bytes_total", "", {"outcome"});
  const double all =
      static_cast<double>(image->config.size + image->deps_layer.size + image->app_layer.size);

  ASSERT_TRUE(push_image(c.client, l.layout, image->manifest, "acme-corp/counted", "v1").ok());
  EXPECT_EQ(bytes.with({"uploaded"}).value(), all);
  EXPECT_EQ(bytes.with({"skipped"}).value(), 0);

  auto again = push_image(c.client, l.layout, image->manifest, "acme-corp/counted", "v2");
  ASSERT_TRUE(again.ok()) << again.status().to_string();
  EXPECT_EQ(again->transfer.bytes_uploaded, 0);
  EXPECT_EQ(bytes.with({"uploaded"}).value(), all);  // unchanged
  EXPECT_EQ(bytes.with({"skipped"}).value(), all);
  EXPECT_EQ(bytes.with({"mounted"}).value(), 0);
  EXPECT_NE(metrics.scrape().find("ignite_registry_blob_bytes_total{outcome=\"skipped\"} " +
                                  metrics::format_value(all) + "\n"),
            std::string::npos)
      << metrics.scrape();
}

TEST(RegistryPushTest, TagGuardRefusesATagPushedFromOutside) {
  Layout l;
  auto theirs = build_test_image(l.layout, "theirs = True\n");
  auto ours = build_test_image(l.layout, "ours = True\n");
  ASSERT_TRUE(theirs.ok() && ours.ok());
  ASSERT_TRUE(l.layout.set_ref("theirs", theirs->manifest, oci::ExistingRef::kRefuse).ok());
  const std::string host = shared().registry.host();
  skopeo("copy -q --dest-tls-verify=false " + shell_quote("oci:" + l.layout.dir() + ":theirs") +
         " " + shell_quote("docker://" + host + "/acme-corp/guarded:v1"));
  const auto before = shared().registry.blob_files();

  Client c;
  auto pushed = push_image(c.client, l.layout, ours->manifest, "acme-corp/guarded", "v1");
  ASSERT_FALSE(pushed.ok());
  EXPECT_EQ(pushed.status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(pushed.status().message(),
            "tag v1 in registry " + host + "/acme-corp/guarded already names " +
                theirs->manifest.digest.to_string() + ", not " + ours->manifest.digest.to_string() +
                ": tags are never moved, so nothing was changed (something other than this "
                "builder wrote that tag)");
  EXPECT_EQ(shared().registry.blob_files(), before);  // nothing pushed
  EXPECT_EQ(remote_digest(host + "/acme-corp/guarded:v1"), theirs->manifest.digest.to_string());
}

TEST(RegistryPushTest, LargeLayersGoUpInChunks) {
  Layout l;
  auto image = build_test_image(l.layout, "big = 1\n", 300 * 1024, 7);
  ASSERT_TRUE(image.ok());
  ASSERT_GT(image->deps_layer.size, 4 * 64 * 1024);
  ClientOptions small_chunks;
  small_chunks.chunk_bytes = 64 * 1024;
  Client c(small_chunks);
  auto pushed = push_image(c.client, l.layout, image->manifest, "acme-corp/chunked", "v1");
  ASSERT_TRUE(pushed.ok()) << pushed.status().to_string();
  EXPECT_EQ(pushed->transfer.blobs_uploaded, 3);
  // skopeo checks every blob's digest as it copies.
  TempDir out;
  skopeo("copy -q --src-tls-verify=false " +
         shell_quote("docker://" + shared().registry.host() + "/acme-corp/chunked:v1") + " " +
         shell_quote("oci:" + out.path() + ":v1"));
}

TEST(RegistryPushTest, VersionTagsAreListed) {
  Layout l;
  auto image = build_test_image(l.layout, "tags = 1\n");
  ASSERT_TRUE(image.ok());
  ClientOptions paged;
  paged.tags_page_size = 2;
  Client c(paged);
  ASSERT_TRUE(push_image(c.client, l.layout, image->manifest, "acme-corp/tags", "v1").ok());
  auto bytes = l.layout.read_blob(image->manifest.digest);
  ASSERT_TRUE(bytes.ok());
  for (const char* tag : {"v2", "v10", "latest", "v03", "v7x"}) {
    ASSERT_TRUE(c.client.put_manifest("acme-corp/tags", tag, oci::kMediaTypeManifest, *bytes).ok());
  }
  auto tags = c.client.list_tags("acme-corp/tags");
  ASSERT_TRUE(tags.ok()) << tags.status().to_string();
  EXPECT_EQ(tags->size(), 6u);
  // distribution 2.8.2 ignores n= on tag lists: one page (paging: registry_fault_test).
  EXPECT_NE(c.log.joined().find("listed 6 tags of registry " + shared().registry.host() +
                                "/acme-corp/tags in 1 page"),
            std::string::npos)
      << c.log.joined();
  auto versions = list_version_tags(c.client, "acme-corp/tags");
  ASSERT_TRUE(versions.ok());
  EXPECT_EQ(*versions, (std::vector<std::int64_t>{1, 2, 10}));

  auto none = list_version_tags(c.client, "acme-corp/never-pushed");
  ASSERT_TRUE(none.ok()) << none.status().to_string();
  EXPECT_TRUE(none->empty());
}

TEST(RegistryPushTest, MissingBlobsAreMountedFromTheGivenRepository) {
  Layout l;
  auto image = build_test_image(l.layout, "mounted = 1\n");
  ASSERT_TRUE(image.ok());
  Client c;
  ASSERT_TRUE(push_image(c.client, l.layout, image->manifest, "ignite/base", "bookworm").ok());
  auto pushed = push_image(c.client, l.layout, image->manifest, "acme-corp/mounted", "v1",
                           PushOptions{"ignite/base"});
  ASSERT_TRUE(pushed.ok()) << pushed.status().to_string();
  EXPECT_EQ(pushed->transfer.blobs_mounted, 3);
  EXPECT_EQ(pushed->transfer.bytes_mounted,
            image->config.size + image->deps_layer.size + image->app_layer.size);
  EXPECT_EQ(pushed->transfer.bytes_uploaded, 0);
}

TEST(RegistryPushTest, CopyFromTheSameRegistryMountsAndKeepsTheDigest) {
  Layout l;
  auto image = build_test_image(l.layout, "copied = 1\n");
  ASSERT_TRUE(image.ok());
  Client c;
  ASSERT_TRUE(push_image(c.client, l.layout, image->manifest, "library/app", "1.0").ok());
  const std::string host = shared().registry.host();
  auto source = ImageSource::parse("docker://" + host + "/library/app:1.0");
  ASSERT_TRUE(source.ok());
  auto copied = copy_image(*source, c.client, "acme-corp/copied", "v1");
  ASSERT_TRUE(copied.ok()) << copied.status().to_string();
  EXPECT_EQ(copied->manifest.digest, image->manifest.digest);
  EXPECT_EQ(copied->transfer.blobs_mounted, 3);
  EXPECT_EQ(copied->transfer.bytes_uploaded, 0);
  EXPECT_EQ(remote_digest(host + "/acme-corp/copied:v1"), image->manifest.digest.to_string());
}

TEST(RegistryPushTest, CopyOfADockerSchema2ImageFromAnotherRegistryKeepsItsBytes) {
  // skopeo writes a Docker schema 2 image; "localhost:PORT" is another registry name for the
  // same server, so the copy fetches and uploads instead of mounting.
  Layout l;
  auto image = build_test_image(l.layout, "docker = 2\n");
  ASSERT_TRUE(image.ok());
  ASSERT_TRUE(l.layout.set_ref("src", image->manifest, oci::ExistingRef::kRefuse).ok());
  const std::string host = shared().registry.host();
  skopeo("copy -q --format v2s2 --dest-tls-verify=false " +
         shell_quote("oci:" + l.layout.dir() + ":src") + " " +
         shell_quote("docker://" + host + "/docker/src:v1"));
  const std::string docker_digest = remote_digest(host + "/docker/src:v1");
  ASSERT_NE(docker_digest, image->manifest.digest.to_string());  // converted: other bytes

  const std::string port = host.substr(host.find(':'));
  Client c({}, "localhost" + port);
  auto source = ImageSource::parse("docker://" + host + "/docker/src:v1");
  ASSERT_TRUE(source.ok());
  CopyOptions options;
  options.source_client = testing::fast_options(nullptr, nullptr);
  auto copied = copy_image(*source, c.client, "acme-corp/from-docker", "v1", options);
  ASSERT_TRUE(copied.ok()) << copied.status().to_string();
  EXPECT_EQ(copied->manifest.digest.to_string(), docker_digest);
  EXPECT_EQ(copied->manifest.media_type, oci::kMediaTypeDockerManifest);
  EXPECT_EQ(copied->transfer.blobs_uploaded, 3);
  EXPECT_EQ(copied->transfer.blobs_mounted, 0);
  EXPECT_EQ(remote_digest(host + "/acme-corp/from-docker:v1"), docker_digest);
}

TEST(RegistryPushTest, CopyFromALayoutIndexTakesTheLinuxAmd64Manifest) {
  Layout l;
  auto amd64 = build_test_image(l.layout, "arch = 'amd64'\n");
  auto arm64 = build_test_image(l.layout, "arch = 'arm64'\n");
  ASSERT_TRUE(amd64.ok() && arm64.ok());
  auto entry = [](const oci::Descriptor& d, const char* arch) {
    return nlohmann::json{{"mediaType", d.media_type},
                          {"digest", d.digest.to_string()},
                          {"size", d.size},
                          {"platform", {{"architecture", arch}, {"os", "linux"}}}};
  };
  const nlohmann::json index = {
      {"schemaVersion", 2},
      {"mediaType", oci::kMediaTypeIndex},
      {"manifests", {entry(arm64->manifest, "arm64"), entry(amd64->manifest, "amd64")}}};
  auto index_descriptor = l.layout.add_blob(oci::kMediaTypeIndex, index.dump());
  ASSERT_TRUE(index_descriptor.ok());
  ASSERT_TRUE(l.layout.set_ref("multi", *index_descriptor, oci::ExistingRef::kRefuse).ok());

  Client c;
  auto source = ImageSource::parse("oci:" + l.layout.dir() + ":multi");
  ASSERT_TRUE(source.ok()) << source.status().to_string();
  auto resolved = resolve_image_source(*source, c.client);
  ASSERT_TRUE(resolved.ok()) << resolved.status().to_string();
  EXPECT_EQ(resolved->digest, amd64->manifest.digest);
  EXPECT_EQ(resolved->media_type, oci::kMediaTypeManifest);
  auto copied = copy_image(*source, c.client, "acme-corp/from-index", "v1");
  ASSERT_TRUE(copied.ok()) << copied.status().to_string();
  EXPECT_EQ(copied->manifest.digest, amd64->manifest.digest);
  EXPECT_EQ(remote_digest(shared().registry.host() + "/acme-corp/from-index:v1"),
            amd64->manifest.digest.to_string());
}

TEST(RegistryPushTest, AnUnreachableRegistryFailsAfterBackingOff) {
  Layout l;
  auto image = build_test_image(l.layout, "x = 0\n");
  ASSERT_TRUE(image.ok());
  // Port 9 (discard) on loopback: nothing listens there in the test environments.
  Client c({}, "127.0.0.1:9");
  auto pushed = push_image(c.client, l.layout, image->manifest, "acme-corp/nowhere", "v1");
  ASSERT_FALSE(pushed.ok());
  EXPECT_EQ(pushed.status().code(), Code::kUnavailable);
  EXPECT_NE(pushed.status().message().find("reaching registry 127.0.0.1:9"), std::string::npos)
      << pushed.status().message();
  EXPECT_NE(pushed.status().message().find("gave up after 3 attempts"), std::string::npos)
      << pushed.status().message();
  // Backoff of 100 ms, then 200 ms. A refused connection is not a failed TLS handshake, so
  // plain HTTP is not tried.
  EXPECT_EQ(c.clock->sleeps, (std::vector<std::chrono::milliseconds>{
                                 std::chrono::milliseconds(100), std::chrono::milliseconds(200)}));
}

TEST(RegistryPushTest, ReferencesAndSourcesAreValidatedBeforeAnyTraffic) {
  Layout l;
  auto image = build_test_image(l.layout, "x = 1\n");
  ASSERT_TRUE(image.ok());
  Client c;
  auto bad_repo = push_image(c.client, l.layout, image->manifest, "Acme/Greet", "v1");
  EXPECT_EQ(bad_repo.status().code(), Code::kInvalidArgument);
  auto bad_tag = push_image(c.client, l.layout, image->manifest, "acme/greet", "-v1");
  EXPECT_EQ(bad_tag.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(ImageSource::parse("acme/greet:v1").status().message(),
            "image \"acme/greet:v1\" is neither a registry image (HOST[:PORT]/REPO:TAG or "
            "@sha256:…, or docker://…) nor an image in an OCI layout (DIR:REF, where DIR holds an "
            "oci-layout file, or oci:DIR:REF) (no OCI layout at \"acme/greet\")");
}

}  // namespace
}  // namespace ignite::registry
