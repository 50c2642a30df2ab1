// A database written by a schema 3 ignite-builder (before SBOM and provenance digests): opened by
// this one, it is upgraded in place, its versions and its publication intent kept, with no
// attestation digests; new versions record theirs.
#include <gtest/gtest.h>

#include "builder/store/sqlite.h"
#include "builder/store/sqlite_version_store.h"
#include "tests/testing/temp_dir.h"

namespace ignite::store {
namespace {

// schema.sql as ignite-builder wrote it at schema version 3 (comments left out).
constexpr const char* kSchema3 = R"sql(
PRAGMA foreign_keys = ON;

CREATE TABLE IF NOT EXISTS meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;

CREATE TABLE IF NOT EXISTS apps (
  id         INTEGER PRIMARY KEY,
  org        TEXT NOT NULL,
  app        TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  UNIQUE (org, app)
) STRICT;

CREATE TABLE IF NOT EXISTS versions (
  app_id          INTEGER NOT NULL REFERENCES apps (id),
  number          INTEGER NOT NULL CHECK (number >= 1),
  manifest_digest TEXT NOT NULL,
  code_hash       TEXT NOT NULL,
  lock_hash       TEXT NOT NULL,
  base_digest     TEXT NOT NULL,
  inputs          TEXT NOT NULL,
  created_at      INTEGER NOT NULL,
  PRIMARY KEY (app_id, number)
) STRICT;

CREATE TRIGGER IF NOT EXISTS versions_never_change BEFORE UPDATE ON versions
BEGIN
  SELECT RAISE(ABORT, 'versions are immutable');
END;

CREATE TRIGGER IF NOT EXISTS versions_never_go BEFORE DELETE ON versions
BEGIN
  SELECT RAISE(ABORT, 'versions are immutable');
END;

CREATE TABLE IF NOT EXISTS registry_tags (
  app_id   INTEGER NOT NULL,
  number   INTEGER NOT NULL,
  registry TEXT NOT NULL,
  PRIMARY KEY (app_id, number, registry),
  FOREIGN KEY (app_id, number) REFERENCES versions (app_id, number)
) STRICT;

CREATE TABLE IF NOT EXISTS pending_tags (
  org             TEXT NOT NULL,
  app             TEXT NOT NULL,
  registry        TEXT NOT NULL,
  manifest_digest TEXT NOT NULL,
  code_hash       TEXT NOT NULL,
  lock_hash       TEXT NOT NULL,
  base_digest     TEXT NOT NULL,
  inputs          TEXT NOT NULL,
  created_at      INTEGER NOT NULL,
  number          INTEGER NOT NULL DEFAULT 0,
  build_id        TEXT NOT NULL DEFAULT '',
  holder          TEXT NOT NULL DEFAULT '',
  lock_epoch      INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (org, app, registry, manifest_digest)
) STRICT;

CREATE UNIQUE INDEX IF NOT EXISTS pending_tags_one_intent ON pending_tags (org, app) WHERE number > 0;

CREATE TABLE IF NOT EXISTS publish_locks (
  org        TEXT NOT NULL,
  app        TEXT NOT NULL,
  holder     TEXT NOT NULL,
  epoch      INTEGER NOT NULL CHECK (epoch >= 1),
  expires_ms INTEGER NOT NULL,
  PRIMARY KEY (org, app)
) STRICT;
INSERT INTO meta VALUES ('schema_version', '3');
INSERT INTO apps VALUES (1, 'acme-corp', 'greet', 1700000000);
INSERT INTO versions VALUES (1, 1, 'sha256:m1', 'sha256:c', '', 'sha256:b', '{}', 1700000001);
INSERT INTO pending_tags (org, app, registry, manifest_digest, code_hash, lock_hash, base_digest,
  inputs, created_at, number, build_id, holder, lock_epoch)
  VALUES ('acme-corp', 'greet', 'r.example:5000', 'sha256:m2', 'sha256:c', '', 'sha256:b', '{}',
  1700000002, 2, 'b-1', 'worker-1', 1);
)sql";

TEST(VersionStoreUpgradeTest, SchemaThreeGainsAttestationDigestsKeepingEverything) {
  testing::TempDir dir;
  const std::string path = dir / "ignite.db";
  {
    auto db = Database::open(path, Database::Create::kIfMissing);
    ASSERT_TRUE(db.ok()) << db.status().to_string();
    ASSERT_TRUE(db->exec(kSchema3).ok());
  }
  auto store = SqliteVersionStore::open(path);
  ASSERT_TRUE(store.ok()) << store.status().to_string();
  const AppId app = *AppId::parse("acme-corp/greet");
  auto versions = store->versions(app);
  ASSERT_TRUE(versions.ok()) << versions.status().to_string();
  ASSERT_EQ(versions->size(), 1u);
  EXPECT_EQ((*versions)[0].manifest_digest, "sha256:m1");
  EXPECT_EQ((*versions)[0].sbom_digest, "");
  EXPECT_EQ((*versions)[0].provenance_digest, "");
  auto intent = store->publish_intent(app);
  ASSERT_TRUE(intent.ok() && intent->has_value()) << intent.status().to_string();
  EXPECT_EQ((*intent)->record.number, 2);
  EXPECT_EQ((*intent)->build_id, "b-1");
  EXPECT_EQ((*intent)->record.sbom_digest, "");

  // The intent rolled forward, then a new version with its digests.
  auto lock = store->take_publish_lock(app, "worker-2", 1, 60000, nullptr, "worker-1");
  ASSERT_TRUE(lock.ok() && lock->has_value()) << lock.status().to_string();
  ASSERT_TRUE(store->commit_intent(app, **intent, **lock).ok());
  ASSERT_TRUE(store->release_publish_lock(app, **lock).ok());
  VersionRecord r;
  r.manifest_digest = "sha256:m3";
  r.code_hash = "sha256:c";
  r.base_digest = "sha256:b";
  r.inputs = "{}";
  r.sbom_digest = "sha256:s3";
  r.provenance_digest = "sha256:p3";
  auto v3 = store->commit_version(app, r, [](StoreTx&, std::int64_t) { return ok_status(); });
  ASSERT_TRUE(v3.ok()) << v3.status().to_string();
  EXPECT_EQ(v3->number, 3);
  versions = store->versions(app);
  ASSERT_TRUE(versions.ok());
  ASSERT_EQ(versions->size(), 3u);
  EXPECT_EQ((*versions)[1].manifest_digest, "sha256:m2");
  EXPECT_EQ((*versions)[2].sbom_digest, "sha256:s3");
  EXPECT_EQ((*versions)[2].provenance_digest, "sha256:p3");

  // Opening again finds schema 4 and changes nothing.
  auto again = SqliteVersionStore::open(path);
  ASSERT_TRUE(again.ok()) << again.status().to_string();
  EXPECT_EQ(again->versions(app)->size(), 3u);
}

}  // namespace
}  // namespace ignite::store
