// The index source against a real HTTP server on loopback (serve_index.py): PEP 691 JSON,
// PEP 503 HTML, PEP 658 metadata, yanked files, hash checks, credentials.
#include "builder/index/index_source.h"

#include <gtest/gtest.h>

#include "builder/index/lock_requirements.h"
#include "tests/index/index_server.h"
#include "tests/testing/temp_dir.h"

namespace ignite::index {
namespace {

const std::string kWheelhouse = std::string(IGNITE_SHARED_DIR) + "/wheelhouse";

struct Fixture {
  explicit Fixture(std::vector<std::string> args, HttpOptions options = {})
      : server([&] {
          args.insert(args.begin(), {"--wheelhouse", kWheelhouse});
          return args;
        }()),
        http(std::move(options)),
        cache(dir.path() + "/cache"),
        source(*Url::parse(server.simple_url()), http, cache, TargetSelection::image_default()) {}
  testing::TempDir dir;
  testing::IndexServer server;
  CurlHttpClient http;
  ContentCache cache;
  IndexSource source;
};

TEST(IndexSourceTest, ReadsJsonPagesAndPep658Metadata) {
  Fixture f({});
  ASSERT_NE(f.server.port(), 0);
  auto flask = f.source.candidates("flask");
  ASSERT_TRUE(flask.ok()) << flask.status().message();
  ASSERT_EQ(flask->size(), 1u);
  const resolve::Candidate& c = (*flask)[0];
  EXPECT_EQ(c.display(), "flask 3.1.3");
  EXPECT_EQ(c.url, "http://127.0.0.1:" + std::to_string(f.server.port()) +
                       "/files/flask-3.1.3-py3-none-any.whl");
  EXPECT_EQ(c.sha256, "60be4fef4950749433be2c795b68a3b303b0e6d9546c156367013593ccf1d66a");
  EXPECT_EQ(c.requires_python->to_string(), ">=3.9");
  auto deps = f.source.dependencies(c);
  ASSERT_TRUE(deps.ok()) << deps.status().message();
  EXPECT_EQ(deps->size(), 9u);
  EXPECT_EQ(f.source.counters().metadata_files, 1u);
  EXPECT_EQ(f.source.counters().wheels, 0u);  // metadata without the wheel
  auto none = f.source.candidates("no-such-project");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());

  // A second source over the same cache reads the metadata from it.
  IndexSource again(*Url::parse(f.server.simple_url()), f.http, f.cache,
                    TargetSelection::image_default());
  auto c2 = again.candidates("flask");
  ASSERT_TRUE(c2.ok());
  ASSERT_TRUE(again.dependencies((*c2)[0]).ok());
  EXPECT_EQ(again.counters().metadata_files, 0u);
  EXPECT_EQ(again.counters().cache_hits, 1u);
}

TEST(IndexSourceTest, ReadsHtmlPagesAndDownloadsWheelsWithoutMetadataFiles) {
  Fixture f({"--html-only", "--no-metadata"});
  ASSERT_NE(f.server.port(), 0);
  auto six = f.source.candidates("six");
  ASSERT_TRUE(six.ok()) << six.status().message();
  ASSERT_EQ(six->size(), 1u);
  EXPECT_EQ((*six)[0].sha256, "11475887521bde221e0349d40c60dab626af3de3cf0e0aeb539ce1782dd930c4");
  EXPECT_EQ((*six)[0].requires_python->to_string(), "!=3.0.*,!=3.1.*,!=3.2.*,>=2.7");
  auto deps = f.source.dependencies((*six)[0]);
  ASSERT_TRUE(deps.ok()) << deps.status().message();
  EXPECT_TRUE(deps->empty());
  EXPECT_EQ(f.source.counters().wheels, 1u);
  auto wheel = f.source.fetch((*six)[0]);
  ASSERT_TRUE(wheel.ok());
  EXPECT_EQ(wheel->path, f.cache.blob_path((*six)[0].sha256));
  EXPECT_EQ(f.source.counters().wheels, 1u);  // from the content cache
}

// Retries with 1 ms waits, so that the tests do not sleep.
HttpOptions quick_retries(int attempts) {
  HttpOptions options;
  options.retry.max_attempts = attempts;
  options.retry.base_delay = std::chrono::milliseconds(1);
  options.retry.max_delay = std::chrono::milliseconds(1);
  return options;
}

TEST(IndexSourceTest, RetriesServerErrorsAndDroppedConnections) {
  // Each path answers 503 twice, then normally: a page and its metadata file both succeed.
  Fixture flaky({"--flaky", "2"}, quick_retries(5));
  ASSERT_NE(flaky.server.port(), 0);
  auto six = flaky.source.candidates("six");
  ASSERT_TRUE(six.ok()) << six.status().message();
  ASSERT_EQ(six->size(), 1u);
  EXPECT_EQ(flaky.http.request_count(), 3u);
  ASSERT_TRUE(flaky.source.dependencies((*six)[0]).ok());
  EXPECT_EQ(flaky.http.request_count(), 6u);

  // Connections closed with no answer are retried too.
  Fixture dropped({"--drop", "1"}, quick_retries(5));
  ASSERT_NE(dropped.server.port(), 0);
  auto flask = dropped.source.candidates("flask");
  ASSERT_TRUE(flask.ok()) << flask.status().message();
  EXPECT_EQ(flask->size(), 1u);
}

TEST(IndexSourceTest, GivesUpAfterTheLastAttemptNamingTheUrl) {
  Fixture f({"--flaky", "100"}, quick_retries(3));
  ASSERT_NE(f.server.port(), 0);
  auto six = f.source.candidates("six");
  ASSERT_FALSE(six.ok());
  EXPECT_EQ(six.status().code(), Code::kUnavailable);
  EXPECT_NE(six.status().message().find("gave up after 3 attempts"), std::string::npos)
      << six.status().message();
  EXPECT_NE(six.status().message().find(f.server.simple_url() + "six/"), std::string::npos)
      << six.status().message();
  EXPECT_NE(six.status().message().find("HTTP 503"), std::string::npos) << six.status().message();
  EXPECT_EQ(f.http.request_count(), 3u);
}

TEST(IndexSourceTest, MarksYankedFiles) {
  Fixture f({"--yank", "six-1.17.0-py2.py3-none-any.whl=broken"});
  auto six = f.source.candidates("six");
  ASSERT_TRUE(six.ok());
  ASSERT_EQ(six->size(), 1u);
  EXPECT_TRUE((*six)[0].yanked);
  EXPECT_EQ((*six)[0].yanked_reason, "broken");
}

TEST(IndexSourceTest, RefusesADownloadThatDoesNotMatchTheIndexHash) {
  Fixture f({"--no-metadata", "--corrupt", "six-1.17.0-py2.py3-none-any.whl"});
  auto six = f.source.candidates("six");
  ASSERT_TRUE(six.ok());
  auto deps = f.source.dependencies((*six)[0]);
  ASSERT_FALSE(deps.ok());
  EXPECT_EQ(deps.status().code(), Code::kDataLoss);
  const std::string url = "http://127.0.0.1:" + std::to_string(f.server.port()) +
                          "/files/six-1.17.0-py2.py3-none-any.whl";
  EXPECT_TRUE(deps.status().message().starts_with(
      "reading the metadata of six-1.17.0-py2.py3-none-any.whl: downloading " + url +
      ": sha256 mismatch: the index lists "
      "11475887521bde221e0349d40c60dab626af3de3cf0e0aeb539ce1782dd930c4, "
      "the download has "))
      << deps.status().message();
  EXPECT_TRUE(deps.status().message().ends_with("; the file was not kept"));
  EXPECT_FALSE(f.cache.find_blob((*six)[0].sha256).has_value());
}

TEST(IndexSourceTest, CredentialsFromTheUrlOrNetrcAndNeverInMessages) {
  const std::string secret = "s3cr3t-t0ken";
  testing::TempDir dir;
  testing::IndexServer server({"--wheelhouse", kWheelhouse, "--auth", "alice:" + secret});
  ASSERT_NE(server.port(), 0);
  python::InMemoryFileSource source;
  source.add("requirements.txt", "six\n");
  LockRequest request;
  request.cache_dir = dir.path() + "/cache";
  request.netrc_file = dir.path() + "/no-netrc";

  // No credentials: 401, with a hint and no secret.
  request.sources.index_url = server.simple_url();
  auto refused = lock_requirements(source, request);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), Code::kUnauthenticated) << refused.status().message();
  EXPECT_NE(refused.status().message().find("HTTP 401 Unauthorized"), std::string::npos);

  // Wrong password: still refused, and neither password shows.
  request.sources.index_url = server.simple_url("alice:wrong-password");
  auto wrong = lock_requirements(source, request);
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.status().message().find("wrong-password"), std::string::npos)
      << wrong.status().message();

  // In the URL.
  request.sources.index_url = server.simple_url("alice:" + secret);
  auto locked = lock_requirements(source, request);
  ASSERT_TRUE(locked.ok()) << locked.status().message();
  EXPECT_EQ(locked->lock.packages.size(), 1u);
  EXPECT_EQ(locked->bytes.find(secret), std::string::npos);
  EXPECT_EQ(locked->bytes.find("alice"), std::string::npos);
  EXPECT_EQ(locked->sources.find(secret), std::string::npos);
  EXPECT_EQ(locked->lock.packages[0].index, server.simple_url());

  // From a netrc file (and the same lock key: credentials are not part of it).
  dir.write("netrc", "machine 127.0.0.1\nlogin alice\npassword " + secret + "\n");
  request.netrc_file = dir.path() + "/netrc";
  request.sources.index_url = server.simple_url();
  request.refresh = Refresh::kYes;
  auto from_netrc = lock_requirements(source, request);
  ASSERT_TRUE(from_netrc.ok()) << from_netrc.status().message();
  EXPECT_EQ(from_netrc->bytes, locked->bytes);
  EXPECT_EQ(from_netrc->key, locked->key);
}

TEST(IndexSourceTest, YankedFilesOnlyForExactPins) {
  testing::TempDir dir;
  testing::IndexServer server(
      {"--wheelhouse", kWheelhouse, "--yank", "six-1.17.0-py2.py3-none-any.whl"});
  python::InMemoryFileSource source;
  LockRequest request;
  request.cache_dir = dir.path() + "/cache";
  request.sources.index_url = server.simple_url();
  source.add("requirements.txt", "six\n");
  auto unpinned = lock_requirements(source, request);
  ASSERT_FALSE(unpinned.ok());
  source.add("requirements.txt", "six==1.17.0\n");
  auto pinned = lock_requirements(source, request);
  ASSERT_TRUE(pinned.ok()) << pinned.status().message();
  EXPECT_EQ(pinned->lock.packages[0].version, "1.17.0");
}

}  // namespace
}  // namespace ignite::index
