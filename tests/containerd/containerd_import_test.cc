// `ignite-builder import ORG/APP[:vN] --containerd SOCKET` and `build --containerd`, through the
// real binary, against a private containerd per test (containerd_server.h) and a private copy
// of the Python base store: what lands in containerd (images, blobs, no leases left), what the
// output says was written, runs of the imported images with runc, and the refusals.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <numeric>

#include "tests/containerd/containerd_server.h"
#include "tests/containerd/containerd_testing.h"

namespace ignite::containerd::testing {
namespace {

using ignite::testing::CommandResult;
using ignite::testing::run_builder;
using ignite::testing::sh;
using ignite::testing::shell_quote;
using ignite::testing::TempDir;
using nlohmann::json;

constexpr const char* kV1 = "ignite.local/acme-corp/greet:v1";
constexpr const char* kV2 = "ignite.local/acme-corp/greet:v2";
constexpr const char* kPayload = R"({"name":"x"})";

class ContainerdImportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    IGNITE_REQUIRE_CONTAINERD();
    copy_base_store(store_);
    server_ = std::make_unique<ContainerdServer>();
    ASSERT_TRUE(server_->ready());
  }
  void TearDown() override {
    // No import leaves its lease behind, whatever it did (ctr leases ls, every namespace used).
    if (server_ && server_->ready()) {
      for (const char* ns : {"default", "other"}) {
        EXPECT_TRUE(server_->leases(ns).empty()) << "leases left in " << ns;
      }
    }
  }

  // examples/greet, or a copy of it greeting with `greeting`, built into the store: its JSON.
  json build_greet(const std::string& greeting = "Hello") {
    std::string source = std::string(IGNITE_SOURCE_DIR) + "/examples/greet";
    if (greeting != "Hello") {
      source = work_ / ("src-" + greeting);
      write_greet(source, greeting);
    }
    return build(source, "greet", store_);
  }

  // `ignite-builder import ARGS --containerd SOCKET --store STORE` (ARGS shell-quoted).
  CommandResult import(const std::string& args) {
    return run_builder_bounded("import " + args + " --containerd " +
                               shell_quote(server_->socket()) + " --store " + shell_quote(store_));
  }
  // The same with -o json; it must succeed. Its JSON ({} when it failed).
  json import_json(const std::string& args) {
    const CommandResult r = import(args + " -o json");
    EXPECT_EQ(r.exit_code, 0) << "import " << args << ":\n" << r.err;
    if (r.exit_code != 0) return json::object();
    return json::parse(r.out);
  }

  // Fails the test unless containerd holds every blob of manifest `digest`.
  void expect_all_blobs(const std::string& digest, const std::string& ns = "default") {
    const std::set<std::string> content = server_->content(ns);
    for (const std::string& blob : image_blobs(store_, digest).digests) {
      EXPECT_TRUE(content.count(blob)) << "containerd lacks " << blob << " of " << digest;
    }
  }

  // The greeting of image `name` run with runc, for {"name":"x"}.
  std::string greeting_of(const std::string& name, const std::string& ns = "default") {
    const std::string body = server_->run_and_post(name, kPayload, ns);
    const json answer = json::parse(body, nullptr, /*allow_exceptions=*/false);
    EXPECT_TRUE(answer.is_object()) << body;
    if (!answer.is_object()) return "";
    EXPECT_EQ(answer.value("function", ""), "acme-corp/greet") << body;
    return answer.value("message", "");
  }

  TempDir work_;
  const std::string store_ = work_ / "store";
  std::unique_ptr<ContainerdServer> server_;  // destroyed before work_: containerd stops first
};

// Sum of the sizes of `blobs`.
std::int64_t total_size(const ImageBlobs& blobs) {
  return std::accumulate(blobs.sizes.begin(), blobs.sizes.end(), std::int64_t{0});
}

TEST_F(ContainerdImportTest, ImportsABuiltVersionThatRunsAndAnswers) {
  const json built = build_greet();
  ASSERT_EQ(built.value("version", 0), 1);
  const std::string digest = built["digest"];
  const json imported = import_json("acme-corp/greet:v1");
  const ImageBlobs blobs = image_blobs(store_, digest);
  EXPECT_EQ(imported, json({{"name", kV1},
                            {"digest", digest},
                            {"socket", server_->socket()},
                            {"namespace", "default"},
                            {"image", "created"},
                            {"blobs", blobs.digests.size()},
                            {"blobsWritten", blobs.digests.size()},
                            {"bytes", total_size(blobs)},
                            {"bytesWritten", total_size(blobs)}}));
  EXPECT_EQ(server_->images(), (std::map<std::string, std::string>{{kV1, digest}}));
  expect_all_blobs(digest);
  EXPECT_EQ(greeting_of(kV1), "Hello, x!");
}

TEST_F(ContainerdImportTest, ASecondImportChangesNothingAndWritesNothing) {
  const std::string digest = build_greet()["digest"];
  const json first = import_json("acme-corp/greet:v1");
  EXPECT_EQ(first.value("image", ""), "created");
  const std::size_t blobs = image_blobs(store_, digest).digests.size();

  // Text output the second time.
  const CommandResult text = import("acme-corp/greet:v1");
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_EQ(text.out, "image      " + std::string(kV1) + "\n" + "digest     " + digest + "\n" +
                          "namespace  default\n" + "containerd unchanged, 0 of " + std::to_string(blobs) +
                          " blobs written, 0 bytes\n");

  const json third = import_json("acme-corp/greet:v1");
  EXPECT_EQ(third.value("image", ""), "unchanged");
  EXPECT_EQ(third.value("digest", ""), digest);
  EXPECT_EQ(third.value("blobs", 0u), blobs);
  EXPECT_EQ(third.value("blobsWritten", -1), 0);
  EXPECT_EQ(third.value("bytesWritten", -1), 0);
  EXPECT_EQ(server_->images(), (std::map<std::string, std::string>{{kV1, digest}}));
}

// v1, containerd restarted, then v2 of a changed handler imported as the app's latest version:
// both images whole, and v1 still runs.
TEST_F(ContainerdImportTest, ImportsAcrossARestartOfContainerd) {
  const std::string v1 = build_greet()["digest"];
  EXPECT_EQ(import_json("acme-corp/greet:v1").value("name", ""), kV1);
  server_->restart();
  ASSERT_TRUE(server_->ready());
  const json built = build_greet("Howdy");
  ASSERT_EQ(built.value("version", 0), 2);
  const std::string v2 = built["digest"];
  const json imported = import_json("acme-corp/greet");  // no :vN: the latest
  EXPECT_EQ(imported.value("name", ""), kV2);
  EXPECT_EQ(imported.value("digest", ""), v2);
  EXPECT_EQ(imported.value("image", ""), "created");
  EXPECT_EQ(server_->images(), (std::map<std::string, std::string>{{kV1, v1}, {kV2, v2}}));
  expect_all_blobs(v1);
  expect_all_blobs(v2);
  EXPECT_EQ(greeting_of(kV1), "Hello, x!");
  EXPECT_EQ(greeting_of(kV2), "Howdy, x!");
}

// v2 after v1: only the blobs v1 does not share (the app layer, the config, the manifest) are
// written; the base and runtime host layers are there already.
TEST_F(ContainerdImportTest, ASecondVersionWritesOnlyTheBlobsTheFirstLacks) {
  const std::string v1 = build_greet()["digest"];
  const std::string v2 = build_greet("Howdy")["digest"];
  const json first = import_json("acme-corp/greet:v1");
  const json second = import_json("acme-corp/greet:v2");

  const ImageBlobs blobs1 = image_blobs(store_, v1);
  const ImageBlobs blobs2 = image_blobs(store_, v2);
  int new_blobs = 0;
  std::int64_t new_bytes = 0;
  for (std::size_t i = 0; i < blobs2.digests.size(); ++i) {
    if (std::count(blobs1.digests.begin(), blobs1.digests.end(), blobs2.digests[i]) == 0) {
      ++new_blobs;
      new_bytes += blobs2.sizes[i];
    }
  }
  ASSERT_LT(new_blobs, static_cast<int>(blobs2.digests.size())) << "v1 and v2 share no blob";
  EXPECT_EQ(first.value("bytesWritten", std::int64_t{0}), total_size(blobs1));
  EXPECT_EQ(second.value("blobs", 0u), blobs2.digests.size());
  EXPECT_EQ(second.value("blobsWritten", -1), new_blobs);
  EXPECT_EQ(second.value("bytesWritten", std::int64_t{-1}), new_bytes);
  EXPECT_LT(second.value("bytesWritten", std::int64_t{-1}),
            first.value("bytesWritten", std::int64_t{0}));
  expect_all_blobs(v2);
  EXPECT_EQ(greeting_of(kV2), "Howdy, x!");
}

// A layer whose bytes no longer match its digest (same size, one byte changed): containerd
// refuses it, the error names it, and no image record is made.
TEST_F(ContainerdImportTest, ATamperedBlobIsRefusedAndNoImageIsRecorded) {
  const std::string digest = build_greet()["digest"];
  const ImageBlobs blobs = image_blobs(store_, digest);
  ASSERT_GE(blobs.digests.size(), 3u);
  const std::string layer = blobs.digests[blobs.digests.size() - 2];  // the app layer, on top
  const std::string path = blob_path(store_, layer);
  const std::int64_t size = blobs.sizes[blobs.sizes.size() - 2];
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(size / 2);
    const char c = static_cast<char>(f.get());
    f.seekp(size / 2);
    f.put(static_cast<char>(c ^ 0x5a));
    ASSERT_TRUE(f.good()) << path;
  }
  ASSERT_NE(sh("sha256sum " + shell_quote(path)).substr(0, 64), layer.substr(7));

  const CommandResult r = import("acme-corp/greet:v1");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_TRUE(r.err.starts_with("ignite-builder: error: ")) << r.err;
  EXPECT_NE(r.err.find(layer), std::string::npos) << "the error should name " << layer << ":\n"
                                                  << r.err;
  EXPECT_TRUE(server_->images().empty());
  EXPECT_FALSE(server_->content().count(layer));
  EXPECT_FALSE(server_->content().count(digest)) << "the manifest came before its layer";
}

// The name ...:v1 taken in containerd by another image: refused, naming both digests, and the
// record stays as it was.
TEST_F(ContainerdImportTest, ANameTakenByAnotherDigestIsRefusedAndKept) {
  const std::string greet = build_greet()["digest"];
  write_greet(work_ / "src-other", "Hi");
  const std::string other = build(work_ / "src-other", "other", store_).value("digest", "");
  ASSERT_FALSE(other.empty());
  EXPECT_EQ(import_json("acme-corp/other:v1").value("name", ""), "ignite.local/acme-corp/other:v1");
  server_->ctr_ok("images tag ignite.local/acme-corp/other:v1 " + std::string(kV1));
  ASSERT_EQ(server_->images()[kV1], other);

  const CommandResult r = import("acme-corp/greet:v1");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("[FAILED_PRECONDITION]"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(kV1), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(greet), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(other), std::string::npos) << r.err;
  EXPECT_EQ(server_->images()[kV1], other);
}

TEST_F(ContainerdImportTest, BuildWithContainerdImportsTheNewVersion) {
  const std::string source = std::string(IGNITE_SOURCE_DIR) + "/examples/greet";
  const auto r =
      run_builder_bounded("build " + shell_quote(source) + " --org acme-corp --app greet --store " +
                          shell_quote(store_) + " -o json --quiet --containerd " +
                          shell_quote(server_->socket()) + " --namespace other");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json built = json::parse(r.out);
  const std::string digest = built["digest"];
  const ImageBlobs blobs = image_blobs(store_, digest);
  EXPECT_EQ(built["containerd"], json({{"name", kV1},
                                       {"digest", digest},
                                       {"socket", server_->socket()},
                                       {"namespace", "other"},
                                       {"image", "created"},
                                       {"blobs", blobs.digests.size()},
                                       {"blobsWritten", blobs.digests.size()},
                                       {"bytes", total_size(blobs)},
                                       {"bytesWritten", total_size(blobs)}}));
  EXPECT_EQ(server_->images("other"), (std::map<std::string, std::string>{{kV1, digest}}));
  EXPECT_TRUE(server_->images("default").empty());
  expect_all_blobs(digest, "other");
  EXPECT_EQ(greeting_of(kV1, "other"), "Hello, x!");
}

// No containerd at the socket: UNAVAILABLE, naming it. Needs the store (a version to import)
// but no server.
TEST(ContainerdImportErrorsTest, AnUnreachableSocketIsUnavailable) {
  IGNITE_REQUIRE_CONTAINERD();
  TempDir work;
  const std::string store = work / "store";
  copy_base_store(store);
  build(std::string(IGNITE_SOURCE_DIR) + "/examples/greet", "greet", store);
  const std::string socket = work / "no-containerd.sock";
  const CommandResult r =
      run_builder_bounded("import acme-corp/greet:v1 --containerd " + shell_quote(socket) +
                          " --store " + shell_quote(store));
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_TRUE(r.err.starts_with("ignite-builder: error: ")) << r.err;
  EXPECT_NE(r.err.find("[UNAVAILABLE]"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(socket), std::string::npos) << r.err;
}

// Usage errors exit 2 before touching a store or a socket: no prerequisites.
TEST(ContainerdImportErrorsTest, UsageErrorsExit2) {
  TempDir work;
  const std::string store = " --store " + shell_quote(work / "store");
  for (const std::string& args :
       {"import acme-corp/greet" + store,                       // no --containerd
        "import --containerd /tmp/x.sock" + store,              // no app
        "import acme-corp/greet" + store + " --containerd"}) {  // no socket
    const CommandResult r = run_builder(args);
    EXPECT_EQ(r.exit_code, 2) << args << "\n" << r.out << r.err;
  }
}

}  // namespace
}  // namespace ignite::containerd::testing
