-- The embedded store's database, schema version 2 (docs/store.md). Version 2 added pending_tags;
-- a version 1 database is upgraded in place when opened.
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

-- A registry tag this store is about to set: committed just before the tag PUT, deleted in the
-- transaction that records the version. One left behind means the process stopped in between,
-- and proves that a vN tag naming `manifest_digest` is this store's own work: the next build
-- records it as the version its process meant to record (with these fields). A tag without
-- such a row is foreign. Keyed by content, not number: the number is taken after the PUT's
-- transaction begins.
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
  PRIMARY KEY (org, app, registry, manifest_digest)
) STRICT;
