// `ignite-builder versions ORG/APP -o json` (the real binary) shows each version's SBOM and
// provenance digests as its record has them, "" for a version without them; the text table
// keeps its columns. `builds -o json` shows them on the build that made the version.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "builder/pipeline/function_store.h"
#include "builder/store/sqlite_build_queue.h"
#include "tests/cli/cli_testing.h"

namespace ignite::testing {
namespace {

std::string digest_of(char hex) { return "sha256:" + std::string(64, hex); }

TEST(VersionsCommandTest, JsonShowsEachVersionsSbomAndProvenanceDigests) {
  TempDir dir;
  const std::string store_dir = dir / "store";
  {
    auto store = pipeline::FunctionStore::open(store_dir, pipeline::OpenStore::kCreateIfMissing);
    ASSERT_TRUE(store.ok()) << store.status().to_string();
    const store::AppId app = *store::AppId::parse("acme-corp/greet");
    store::VersionRecord plain;
    plain.manifest_digest = digest_of('d');
    plain.code_hash = digest_of('c');
    plain.base_digest = digest_of('b');
    plain.inputs = "{}";
    store::VersionRecord attested = plain;
    attested.sbom_digest = digest_of('a');
    attested.provenance_digest = digest_of('f');
    auto none = [](store::StoreTx&, std::int64_t) { return ok_status(); };
    ASSERT_TRUE(store->versions().commit_version(app, plain, none).ok());
    ASSERT_TRUE(store->versions().commit_version(app, attested, none).ok());
  }
  auto r = run_builder("versions acme-corp/greet --store " + shell_quote(store_dir) + " -o json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto json = nlohmann::json::parse(r.out, nullptr, /*allow_exceptions=*/false);
  ASSERT_TRUE(json.is_object()) << r.out;
  const auto& versions = json["versions"];
  ASSERT_EQ(versions.size(), 2u) << r.out;
  EXPECT_EQ(versions[0]["version"], 1);
  EXPECT_EQ(versions[0]["sbomDigest"], "");
  EXPECT_EQ(versions[0]["provenanceDigest"], "");
  EXPECT_EQ(versions[1]["version"], 2);
  EXPECT_EQ(versions[1]["sbomDigest"], digest_of('a'));
  EXPECT_EQ(versions[1]["provenanceDigest"], digest_of('f'));

  // The table is as wide as it was: the digests are for -o json.
  auto text = run_builder("versions acme-corp/greet --store " + shell_quote(store_dir));
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_EQ(text.out.substr(0, text.out.find('\n')),
            "VERSION CREATED               DIGEST              CODEHASH             "
            "LOCKHASH             DEPS                 REGISTRIES");
  EXPECT_EQ(text.out.find(digest_of('a').substr(0, 19)), std::string::npos) << text.out;
}

TEST(VersionsCommandTest, BuildsJsonShowsThemOnTheBuildThatMadeTheVersion) {
  TempDir dir;
  const std::string store_dir = dir / "store";
  std::string id;
  {
    auto store = pipeline::FunctionStore::open(store_dir, pipeline::OpenStore::kCreateIfMissing);
    ASSERT_TRUE(store.ok()) << store.status().to_string();
    auto queue = store::SqliteBuildQueue::open(store_dir + "/ignite.db");
    ASSERT_TRUE(queue.ok()) << queue.status().to_string();
    const store::AppId app = *store::AppId::parse("acme-corp/greet");
    auto b = queue->submit(app, digest_of('5'), digest_of('c'), store::BuildPriority::kNormal, {});
    ASSERT_TRUE(b.ok()) << b.status().to_string();
    id = b->id;
    auto c = queue->claim("test:1", std::chrono::seconds(60));
    ASSERT_TRUE(c.ok() && c->has_value());
    store::VersionRecord r;
    r.manifest_digest = digest_of('d');
    r.code_hash = digest_of('c');
    r.base_digest = digest_of('b');
    r.inputs = "{}";
    r.sbom_digest = digest_of('a');
    r.provenance_digest = digest_of('f');
    auto v = store->versions().commit_version(app, r, [&](store::StoreTx& tx, std::int64_t number) {
      store::BuildOutcome outcome{number, r.manifest_digest, ""};
      outcome.sbom_digest = r.sbom_digest;
      outcome.provenance_digest = r.provenance_digest;
      return queue->succeed_in_transaction(tx, id, (*c)->epoch, outcome);
    });
    ASSERT_TRUE(v.ok()) << v.status().to_string();
  }
  auto r = run_builder("builds acme-corp/greet --store " + shell_quote(store_dir) + " -o json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto json = nlohmann::json::parse(r.out, nullptr, /*allow_exceptions=*/false);
  ASSERT_TRUE(json.is_object()) << r.out;
  ASSERT_EQ(json["builds"].size(), 1u) << r.out;
  const auto& b = json["builds"][0];
  EXPECT_EQ(b["id"], id);
  EXPECT_EQ(b["version"], 1);
  EXPECT_EQ(b["sbomDigest"], digest_of('a'));
  EXPECT_EQ(b["provenanceDigest"], digest_of('f'));
}

}  // namespace
}  // namespace ignite::testing
