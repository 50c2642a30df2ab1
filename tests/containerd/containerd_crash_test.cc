// A builder killed in the middle of an import (IGNITE_FAULT=kill-after:containerd-blob, as a
// machine dying would) leaves no image record, only blobs its lease holds; the next import
// finishes the job without sending those blobs again, and the image runs.
#include <gtest/gtest.h>

#include <memory>

#include "tests/containerd/containerd_server.h"
#include "tests/containerd/containerd_testing.h"

namespace ignite::containerd::testing {
namespace {

using ignite::testing::CommandResult;
using ignite::testing::run_builder_env;
using ignite::testing::shell_quote;
using ignite::testing::TempDir;
using nlohmann::json;

TEST(ContainerdCrashTest, AnImportKilledAfterItsFirstBlobIsFinishedByTheNext) {
  IGNITE_REQUIRE_CONTAINERD();
  TempDir work;
  const std::string store = work / "store";
  copy_base_store(store);
  ContainerdServer server;
  ASSERT_TRUE(server.ready()) << server.log_tail();
  const json built = build(std::string(IGNITE_SOURCE_DIR) + "/examples/greet", "greet", store);
  ASSERT_TRUE(built.contains("digest"));
  const std::string digest = built["digest"];
  const ImageBlobs blobs = image_blobs(store, digest);
  ASSERT_EQ(blobs.digests.size(), 5u);  // config, base, host, app, manifest

  const std::string args = "import acme-corp/greet:v1 -o json --containerd " +
                           shell_quote(server.socket()) + " --store " + shell_quote(store);
  const CommandResult killed = run_builder_env("IGNITE_FAULT=kill-after:containerd-blob", args);
  EXPECT_EQ(killed.exit_code, 128 + 9) << killed.err;
  EXPECT_TRUE(server.images().empty()) << "a record was made before every blob was there";
  // The first blob (the config) is in, held by the dead import's lease, which expires alone.
  EXPECT_EQ(server.content().count(blobs.digests[0]), 1u);
  EXPECT_EQ(server.leases().size(), 1u);

  const CommandResult again = run_builder_env("", args);
  ASSERT_EQ(again.exit_code, 0) << again.err;
  const json result = json::parse(again.out);
  EXPECT_EQ(result["image"], "created");
  EXPECT_EQ(result["blobs"], 5);
  EXPECT_EQ(result["blobsWritten"], 4) << "the blob the dead import wrote was sent again";
  EXPECT_EQ(server.images().at("ignite.local/acme-corp/greet:v1"), digest);
  const std::set<std::string> content = server.content();
  for (const std::string& blob : blobs.digests) EXPECT_EQ(content.count(blob), 1u) << blob;
  EXPECT_EQ(server.leases().size(), 1u) << "only the dead import's lease may be left";

  const json answer = json::parse(server.run_and_post("ignite.local/acme-corp/greet:v1",
                                                      R"({"name":"crash"})"));
  EXPECT_EQ(answer["message"], "Hello, crash!");
}

}  // namespace
}  // namespace ignite::containerd::testing
