// Faults between the client and Debian's real docker-registry, injected by the fault proxy
// beside this file: 500s, 429s, connections dropped mid-upload or after the registry stored a
// blob, and a crash between the manifest and the tag. A push either retries and succeeds or
// fails naming the blob and the registry; a tag never names a manifest whose blobs are missing.
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "builder/registry/image_publisher.h"
#include "tests/registry/registry_servers.h"
#include "tests/registry/test_images.h"

namespace ignite::registry {
namespace {

using ignite::testing::shell_quote;
using ignite::testing::TempDir;
using std::chrono::milliseconds;
using testing::build_test_image;
using testing::FakeClock;
using testing::LogLines;
using testing::RegistryServer;
using testing::ScriptServer;

struct Shared {
  RegistryServer registry{testing::RegistryConfig{}};
  ScriptServer proxy{"fault_proxy.py", {"--upstream", registry.host()}};
};

Shared& shared() {
  static Shared s;
  return s;
}

void set_faults(const nlohmann::json& rules) {
  shared().proxy.call("/_fault/rules", nlohmann::json{{"rules", rules}}.dump());
}

using Layout = testing::TempLayout;

// A client talking to the registry through the proxy.
struct Client {
  std::shared_ptr<FakeClock> clock = std::make_shared<FakeClock>();
  LogLines log;
  std::optional<RegistryClient> client;
  explicit Client(std::int64_t chunk_bytes = kDefaultChunkBytes) {
    ClientOptions options = testing::fast_options(clock, &log);
    options.chunk_bytes = chunk_bytes;
    auto c = RegistryClient::create(shared().proxy.host(), options);
    EXPECT_TRUE(c.ok()) << c.status().to_string();
    if (c.ok()) client.emplace(std::move(c).value());
  }
};

class RegistryFaultTest : public ::testing::Test {
 protected:
  void SetUp() override { set_faults(nlohmann::json::array()); }
  void TearDown() override { set_faults(nlohmann::json::array()); }

  // Every blob of `image` is in the registry's storage and skopeo reads the tag back whole
  // (it checks each blob's digest), straight from the registry.
  void expect_whole(const testing::TestImage& image, const std::string& repository,
                    const std::string& tag) {
    const auto blobs = shared().registry.blob_files();
    for (const auto* d : {&image.config, &image.deps_layer, &image.app_layer, &image.manifest}) {
      EXPECT_TRUE(blobs.count(d->digest.hex())) << d->digest.to_string();
    }
    TempDir out;
    std::string log;
    EXPECT_EQ(testing::run("skopeo copy -q --src-tls-verify=false " +
                               shell_quote("docker://" + shared().registry.host() + "/" +
                                           repository + ":" + tag) +
                               " " + shell_quote("oci:" + out.path() + ":x"),
                           &log),
              0)
        << log;
  }
};

TEST_F(RegistryFaultTest, ServerErrorsAreRetriedWithBackoff) {
  Layout l;
  auto image = build_test_image(l.layout, "fault = 500\n");
  ASSERT_TRUE(image.ok());
  set_faults({{{"method", "PUT"},
               {"path", "/blobs/uploads/"},
               {"times", 2},
               {"action", "status"},
               {"status", 500}}});
  Client c;
  auto pushed = push_image(*c.client, l.layout, image->manifest, "acme-corp/retried", "v1");
  ASSERT_TRUE(pushed.ok()) << pushed.status().to_string();
  EXPECT_EQ(pushed->transfer.retries, 2);
  EXPECT_EQ(pushed->transfer.blobs_uploaded, 3);
  EXPECT_EQ(c.clock->sleeps, (std::vector<milliseconds>{milliseconds(100), milliseconds(200)}));
  EXPECT_NE(c.log.joined().find("retrying pushing blob " + image->config.digest.to_string()),
            std::string::npos)
      << c.log.joined();
  expect_whole(*image, "acme-corp/retried", "v1");
}

TEST_F(RegistryFaultTest, TooManyRequestsWaitsAsLongAsTheRegistryAsks) {
  Layout l;
  auto image = build_test_image(l.layout, "fault = 429\n");
  ASSERT_TRUE(image.ok());
  set_faults({{{"method", "POST"},
               {"path", "/blobs/uploads/"},
               {"times", 1},
               {"action", "status"},
               {"status", 429},
               {"retry_after", "3"}}});
  Client c;
  auto pushed = push_image(*c.client, l.layout, image->manifest, "acme-corp/throttled", "v1");
  ASSERT_TRUE(pushed.ok()) << pushed.status().to_string();
  EXPECT_EQ(c.clock->sleeps, (std::vector<milliseconds>{milliseconds(3000)}));
  expect_whole(*image, "acme-corp/throttled", "v1");
}

TEST_F(RegistryFaultTest, ConnectionDroppedMidChunkRestartsTheUploadCleanly) {
  Layout l;
  auto image = build_test_image(l.layout, "fault = 'drop'\n", 300 * 1024, 11);
  ASSERT_TRUE(image.ok());
  // The second PATCH of the deps layer loses its connection halfway through its body. libcurl
  // resends a request once by itself when a reused connection dies before any answer, so
  // the fault hits twice to reach the client's own retry, which opens a new session (the old
  // one may hold part of the chunk: 2.8.2 appends whatever arrives).
  set_faults({{{"method", "PATCH"}, {"skip", 1}, {"times", 2}, {"action", "drop_mid_body"}}});
  Client c(64 * 1024);
  auto pushed = push_image(*c.client, l.layout, image->manifest, "acme-corp/dropped", "v1");
  ASSERT_TRUE(pushed.ok()) << pushed.status().to_string();
  EXPECT_EQ(pushed->transfer.retries, 1);
  EXPECT_NE(c.log.joined().find("retrying pushing blob " + image->deps_layer.digest.to_string()),
            std::string::npos)
      << c.log.joined();
  const auto stats = nlohmann::json::parse(shared().proxy.call("/_fault/stats"), nullptr, false);
  EXPECT_EQ(stats.value("faults", 0), 2) << stats.dump();
  expect_whole(*image, "acme-corp/dropped", "v1");
}

TEST_F(RegistryFaultTest, ABlobPushedUnaskedIsAskedAboutOnItsRetry) {
  Layout l;
  auto image = build_test_image(l.layout, "fault = 'unasked'\n");
  ASSERT_TRUE(image.ok());
  // The registry stores the blob, and the answer is lost: the retry must not upload it blindly
  // again but find it with HEAD, even though the caller said it was likely absent.
  set_faults({{{"method", "PUT"},
               {"path", "/blobs/uploads/"},
               {"times", 1},
               {"action", "drop_after_forward"}}});
  Client c;
  const oci::Descriptor& blob = image->app_layer;
  auto pushed = c.client->push_blob("acme-corp/unasked", blob, l.layout.blob_path(blob.digest), "",
                                    BlobPresence::kLikelyAbsent);
  ASSERT_TRUE(pushed.ok()) << pushed.status().to_string();
  EXPECT_EQ(*pushed, BlobPushed::kSkipped);
  EXPECT_EQ(c.client->counters().retries, 1);
  EXPECT_EQ(c.client->counters().blobs_uploaded, 0);
  // A first attempt that succeeds sends no HEAD at all.
  set_faults(nlohmann::json::array());
  const oci::Descriptor& other = image->deps_layer;
  auto fresh = c.client->push_blob("acme-corp/unasked", other, l.layout.blob_path(other.digest), "",
                                   BlobPresence::kLikelyAbsent);
  ASSERT_TRUE(fresh.ok()) << fresh.status().to_string();
  EXPECT_EQ(*fresh, BlobPushed::kUploaded);
  EXPECT_TRUE(shared().registry.blob_files().count(other.digest.hex()));
  const auto stats = nlohmann::json::parse(shared().proxy.call("/_fault/stats"), nullptr, false);
  ASSERT_TRUE(stats.is_object());
  int heads = 0, puts = 0;
  for (const auto& line : stats["log"]) {
    const std::string text = line.get<std::string>();
    if (text.rfind("HEAD ", 0) == 0) ++heads;
    if (text.rfind("PUT ", 0) == 0) ++puts;
  }
  EXPECT_EQ(heads, 0) << stats.dump();
  EXPECT_EQ(puts, 1) << stats.dump();
}

TEST_F(RegistryFaultTest, AnAnswerLostAfterTheBlobWasStoredDoesNotUploadItTwice) {
  Layout l;
  auto image = build_test_image(l.layout, "fault = 'lost answer'\n");
  ASSERT_TRUE(image.ok());
  set_faults({{{"method", "PUT"},
               {"path", "/blobs/uploads/"},
               {"times", 1},
               {"action", "drop_after_forward"}}});
  Client c;
  auto pushed = push_image(*c.client, l.layout, image->manifest, "acme-corp/lost", "v1");
  ASSERT_TRUE(pushed.ok()) << pushed.status().to_string();
  EXPECT_EQ(pushed->transfer.retries, 1);
  EXPECT_EQ(pushed->transfer.blobs_skipped, 1);  // the retry's HEAD found it
  EXPECT_EQ(pushed->transfer.blobs_uploaded, 2);
  expect_whole(*image, "acme-corp/lost", "v1");
}

TEST_F(RegistryFaultTest, APersistentFaultNamesTheBlobAndTheRegistryAndTagsNothing) {
  Layout l;
  auto image = build_test_image(l.layout, "fault = 'forever'\n");
  ASSERT_TRUE(image.ok());
  set_faults({{{"method", "PUT"},
               {"path", "/blobs/uploads/"},
               {"times", -1},
               {"action", "status"},
               {"status", 500}}});
  Client c;
  auto pushed = push_image(*c.client, l.layout, image->manifest, "acme-corp/broken", "v1");
  ASSERT_FALSE(pushed.ok());
  EXPECT_EQ(pushed.status().code(), Code::kUnavailable);
  EXPECT_EQ(pushed.status().message(),
            "pushing blob " + image->config.digest.to_string() + " to registry " +
                shared().proxy.host() +
                "/acme-corp/broken: gave up after 3 attempts: PUT upload: 500 Internal Server "
                "Error: UNAVAILABLE: injected fault");
  EXPECT_FALSE(shared().registry.has_tag("acme-corp/broken", "v1"));
  EXPECT_FALSE(shared().registry.blob_files().count(image->manifest.digest.hex()));
}

TEST_F(RegistryFaultTest, AFailedManifestPushTagsNothing) {
  Layout l;
  auto image = build_test_image(l.layout, "fault = 'manifest'\n");
  ASSERT_TRUE(image.ok());
  set_faults({{{"method", "PUT"},
               {"path", "/manifests/"},
               {"times", -1},
               {"action", "status"},
               {"status", 503}}});
  Client c;
  auto pushed = push_image(*c.client, l.layout, image->manifest, "acme-corp/no-manifest", "v1");
  ASSERT_FALSE(pushed.ok());
  EXPECT_EQ(pushed.status().code(), Code::kUnavailable);
  EXPECT_NE(pushed.status().message().find("pushing manifest " +
                                           image->manifest.digest.to_string() + " to registry " +
                                           shared().proxy.host() + "/acme-corp/no-manifest"),
            std::string::npos)
      << pushed.status().message();
  EXPECT_FALSE(shared().registry.has_tag("acme-corp/no-manifest", "v1"));
}

TEST_F(RegistryFaultTest, ACrashBetweenManifestAndTagIsRepairedByRunningAgain) {
  Layout l;
  auto image = build_test_image(l.layout, "fault = 'crash'\n");
  ASSERT_TRUE(image.ok());
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    // The child dies (SIGKILL) once the manifest is stored, before the tag.
    setenv("IGNITE_FAULT", "kill-after:registry-manifest-pushed", 1);
    Client c;
    auto pushed = push_image(*c.client, l.layout, image->manifest, "acme-corp/crashed", "v1");
    ::_exit(pushed.ok() ? 0 : 2);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "child status " << status;
  EXPECT_TRUE(shared().registry.blob_files().count(image->manifest.digest.hex()));
  EXPECT_FALSE(shared().registry.has_tag("acme-corp/crashed", "v1"));

  Client c;
  auto again = push_image(*c.client, l.layout, image->manifest, "acme-corp/crashed", "v1");
  ASSERT_TRUE(again.ok()) << again.status().to_string();
  EXPECT_EQ(again->tag, TagOutcome::kCreated);
  EXPECT_EQ(again->transfer.blobs_skipped, 3);
  EXPECT_EQ(again->transfer.bytes_uploaded, 0);
  EXPECT_TRUE(shared().registry.has_tag("acme-corp/crashed", "v1"));
}

// The proxy's log of the requests it saw since the rules were last set.
std::vector<std::string> proxy_log() {
  const auto stats = nlohmann::json::parse(shared().proxy.call("/_fault/stats"), nullptr, false);
  return stats.is_object() ? stats.value("log", std::vector<std::string>{})
                           : std::vector<std::string>{};
}

TEST_F(RegistryFaultTest, TheFirstRequestStandsForTheEndpointProbe) {
  Layout l;
  auto image = build_test_image(l.layout, "probe = 'none'\n");
  ASSERT_TRUE(image.ok());
  Client c;
  auto pushed = push_image(*c.client, l.layout, image->manifest, "acme-corp/unprobed", "v1");
  ASSERT_TRUE(pushed.ok()) << pushed.status().to_string();
  const std::vector<std::string> log = proxy_log();
  ASSERT_FALSE(log.empty());
  // A registry answered the tag guard's HEAD (its Docker-Distribution-Api-Version header says
  // so): no GET /v2/ round trip before it.
  EXPECT_EQ(log.front(), "HEAD /v2/acme-corp/unprobed/manifests/v1 -> 404");
  EXPECT_EQ(std::count(log.begin(), log.end(), "GET /v2/ -> 200"), 0) << nlohmann::json(log);
  EXPECT_NE(c.log.joined().find("speaks plain HTTP"), std::string::npos) << c.log.joined();
}

TEST_F(RegistryFaultTest, AFirstAnswerThatIsNotARegistrysFallsBackToTheProbe) {
  Layout l;
  auto image = build_test_image(l.layout, "probe = 'fallback'\n");
  ASSERT_TRUE(image.ok());
  // The proxy's own 503 carries no registry header: the endpoint is not confirmed by it, so the
  // client probes GET /v2/ and sends the HEAD again, which the registry answers.
  set_faults({{{"method", "HEAD"},
               {"path", "/manifests/"},
               {"times", 1},
               {"action", "status"},
               {"status", 503}}});
  Client c;
  auto pushed = push_image(*c.client, l.layout, image->manifest, "acme-corp/probed", "v1");
  ASSERT_TRUE(pushed.ok()) << pushed.status().to_string();
  const std::vector<std::string> log = proxy_log();
  ASSERT_GE(log.size(), 3u);
  EXPECT_EQ(std::vector<std::string>(log.begin(), log.begin() + 3),
            (std::vector<std::string>{"HEAD /v2/acme-corp/probed/manifests/v1 -> 503 (injected)",
                                      "GET /v2/ -> 200",
                                      "HEAD /v2/acme-corp/probed/manifests/v1 -> 404"}));
  EXPECT_EQ(pushed->transfer.retries, 0);
  EXPECT_TRUE(c.clock->sleeps.empty());
  expect_whole(*image, "acme-corp/probed", "v1");
}

TEST_F(RegistryFaultTest, TagListsAreReadAcrossPages) {
  Layout l;
  auto image = build_test_image(l.layout, "paged = 1\n");
  ASSERT_TRUE(image.ok());
  Client c;
  ASSERT_TRUE(push_image(*c.client, l.layout, image->manifest, "acme-corp/paged", "v1").ok());
  auto bytes = l.layout.read_blob(image->manifest.digest);
  ASSERT_TRUE(bytes.ok());
  for (const char* tag : {"v2", "v10", "latest", "v3"}) {
    ASSERT_TRUE(
        c.client->put_manifest("acme-corp/paged", tag, image->manifest.media_type, *bytes).ok());
  }
  // The proxy pages as newer registries do: two tags per page, Link rel="next".
  set_faults({{{"method", "GET"}, {"path", "/tags/list"}, {"times", -1}, {"action", "page_tags"}}});
  ClientOptions paged = testing::fast_options(c.clock, &c.log);
  paged.tags_page_size = 2;
  auto client = RegistryClient::create(shared().proxy.host(), paged);
  ASSERT_TRUE(client.ok());
  auto versions = list_version_tags(*client, "acme-corp/paged");
  ASSERT_TRUE(versions.ok()) << versions.status().to_string();
  EXPECT_EQ(*versions, (std::vector<std::int64_t>{1, 2, 3, 10}));
  EXPECT_NE(c.log.joined().find("listed 5 tags of registry " + shared().proxy.host() +
                                "/acme-corp/paged in 3 pages"),
            std::string::npos)
      << c.log.joined();
}

}  // namespace
}  // namespace ignite::registry
