-- The embedded store's database, schema version 4 (docs/store.md). Version 2 added pending_tags;
-- version 3 gave them a number and a build (publication intents) and added publish_locks;
-- version 4 gave versions (and intents) the digests of their SBOM and provenance. An older
-- database is upgraded in place when opened (version_store.cc).
-- Versions are immutable rows; a number is taken in the transaction that commits the version.
PRAGMA foreign_keys = ON;

CREATE TABLE IF NOT EXISTS meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;

CREATE TABLE IF NOT EXISTS apps (
  id         INTEGER PRIMARY KEY,
  org        TEXT NOT NULL,
  app        TEXT NOT NULL,
  created_at INTEGER NOT NULL,      -- unix seconds
  UNIQUE (org, app)
) STRICT;

CREATE TABLE IF NOT EXISTS versions (
  app_id          INTEGER NOT NULL REFERENCES apps (id),
  number          INTEGER NOT NULL CHECK (number >= 1),
  manifest_digest TEXT NOT NULL,    -- sha256:...
  code_hash       TEXT NOT NULL,    -- codeHash v1; '' for an image draft
  lock_hash       TEXT NOT NULL,    -- '' when the app has no requirements
  base_digest     TEXT NOT NULL,    -- manifest digest of the base image
  inputs          TEXT NOT NULL,    -- JSON: every input that fixes the manifest digest
  created_at      INTEGER NOT NULL, -- unix seconds, wall clock of the commit
  -- The artifact manifests referring to this version's image (docs/attestations.md): its SPDX
  -- SBOM, and its signed SLSA provenance ('' when built without a signing key, or before
  -- schema 4).
  sbom_digest       TEXT NOT NULL DEFAULT '',
  provenance_digest TEXT NOT NULL DEFAULT '',
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

-- Registries a version was tagged in (build --registry): the tag "vN" of repository
-- "<org>/<app>" on `registry` (HOST[:PORT]). Lets a new app mount the base layers from an app
-- already published there instead of uploading them again.
CREATE TABLE IF NOT EXISTS registry_tags (
  app_id   INTEGER NOT NULL,
  number   INTEGER NOT NULL,
  registry TEXT NOT NULL,
  PRIMARY KEY (app_id, number, registry),
  FOREIGN KEY (app_id, number) REFERENCES versions (app_id, number)
) STRICT;

-- A registry tag this store is about to set (a publication's intent, docs/publish-lock.md):
-- committed with its number by the holder of the app's publish lock before the tag PUT, deleted
-- in the transaction that records version `number`. One left behind means the process stopped
-- in between: the next holder of the app's lock rolls it forward (sets or checks the tag vN
-- naming `manifest_digest` and records version `number` with these fields), never discards it.
-- A tag without such a row is foreign. `number` 0 is a schema 2 leftover, written before the
-- number was known; its tag is recognised by its digest. `build_id` is the queue's build that
-- made it ('' for `ignite-builder build`), `holder` and `lock_epoch` the lock it was made under.
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
  sbom_digest       TEXT NOT NULL DEFAULT '',
  provenance_digest TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (org, app, registry, manifest_digest)
) STRICT;

-- At most one numbered intent per app: publications of one app are serial (publish_locks).
CREATE UNIQUE INDEX IF NOT EXISTS pending_tags_one_intent ON pending_tags (org, app) WHERE number > 0;

-- The per-app publish lock (docs/publish-lock.md): a lease, so that a stopped holder does not
-- hold the app for ever. Taken when absent or expired (the epoch then goes up), renewed by its
-- holder; every step of a publication checks (holder, epoch) under the write lock.
CREATE TABLE IF NOT EXISTS publish_locks (
  org        TEXT NOT NULL,
  app        TEXT NOT NULL,
  holder     TEXT NOT NULL,
  epoch      INTEGER NOT NULL CHECK (epoch >= 1),
  expires_ms INTEGER NOT NULL,      -- unix milliseconds, the holder's clock
  PRIMARY KEY (org, app)
) STRICT;
