-- The app catalog's tables in the store's database (docs/compute.md), catalog schema version 1,
-- recorded in meta as 'catalog_schema_version'. Versioned apart from the version store and the
-- queue, so that each can change without the others.
-- Times are milliseconds since the Unix epoch.

-- As in schema.sql: whichever table set is opened first creates it.
CREATE TABLE IF NOT EXISTS meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;

-- Apps made by CreateApp. (The version store's `apps` rows appear with a first version, whoever
-- made it; an app built with `ignite-builder build` alone has no row here.)
CREATE TABLE IF NOT EXISTS catalog_apps (
  org           TEXT NOT NULL,
  app           TEXT NOT NULL,
  resource_tier TEXT NOT NULL,
  description   TEXT NOT NULL,
  created_at_ms INTEGER NOT NULL,
  PRIMARY KEY (org, app)
) STRICT, WITHOUT ROWID;

-- Each app's single draft (the platform's version 0), replaced by every SaveDraft.
CREATE TABLE IF NOT EXISTS drafts (
  org             TEXT NOT NULL,
  app             TEXT NOT NULL,
  revision        INTEGER NOT NULL CHECK (revision >= 1),  -- 1, 2, 3... per app, one per save
  source_digest   TEXT NOT NULL,  -- sha256 of the draft's bytes in the store's sources
  code_hash       TEXT NOT NULL,  -- codeHash v1; '' for an image draft (source: its reference)
  build_id        TEXT NOT NULL,  -- the draft build started for it
  saved_at_ms     INTEGER NOT NULL,
  PRIMARY KEY (org, app),
  FOREIGN KEY (org, app) REFERENCES catalog_apps (org, app)
) STRICT, WITHOUT ROWID;
