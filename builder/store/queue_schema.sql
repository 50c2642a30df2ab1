-- The build queue's tables in the store's database (docs/queue.md), queue schema version 4,
-- recorded in meta as 'queue_schema_version'. Version 2 added builds.kind (draft builds) and
-- builds.source_kind (image drafts), and idempotency_keys; version 3 added builds.error_code,
-- builds.source_commit and GIT sources, what an event knows of its build (the message the
-- control plane is sent), and the event outbox (docs/events.md); version 4 added the digests of
-- a version's SBOM and provenance to builds and build_events. An older queue is upgraded in
-- place when opened (sqlite_build_queue.cc). Kept apart from the version store's schema
-- (schema.sql, 'schema_version') so that either can change without the other.
-- Times are milliseconds since the Unix epoch, from the queue's clock.

-- As in schema.sql: whichever of the two is opened first creates it.
CREATE TABLE IF NOT EXISTS meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;

CREATE TABLE IF NOT EXISTS builds (
  seq              INTEGER PRIMARY KEY,  -- submission order, taken under the write lock
  id               TEXT NOT NULL UNIQUE, -- "b-" and 32 hex digits
  org              TEXT NOT NULL,
  app              TEXT NOT NULL,        -- no row in apps until its first version commits
  state            TEXT NOT NULL
                   CHECK (state IN ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED')),
  priority         INTEGER NOT NULL CHECK (priority IN (1, 2)),  -- 1 normal, 2 publish (the API's)
  kind             TEXT NOT NULL CHECK (kind IN ('VERSION', 'DRAFT')),
  source_kind      TEXT NOT NULL CHECK (source_kind IN ('CODE', 'IMAGE', 'GIT')),
  stage            TEXT NOT NULL,
  source_digest    TEXT NOT NULL,
  code_hash        TEXT NOT NULL,
  version          INTEGER NOT NULL,
  manifest_digest  TEXT NOT NULL,
  lock_hash        TEXT NOT NULL,
  error            TEXT NOT NULL,
  attempts         INTEGER NOT NULL CHECK (attempts >= 0),
  max_attempts     INTEGER NOT NULL CHECK (max_attempts >= 1),
  leases_lost      INTEGER NOT NULL CHECK (leases_lost >= 0),
  cancel_requested INTEGER NOT NULL CHECK (cancel_requested IN (0, 1)),
  submitted_at_ms  INTEGER NOT NULL,
  started_at_ms    INTEGER NOT NULL,
  finished_at_ms   INTEGER NOT NULL,
  deadline_ms      INTEGER NOT NULL,
  not_before_ms    INTEGER NOT NULL,
  lease_owner      TEXT NOT NULL,
  lease_epoch      INTEGER NOT NULL CHECK (lease_epoch >= 0),
  lease_expires_ms INTEGER NOT NULL,
  error_code       TEXT NOT NULL,        -- gRPC's name of the error's code ("" with no error)
  source_commit    TEXT NOT NULL,        -- a GIT source's commit, once fetched; "" otherwise
  -- Once a version build SUCCEEDED: the artifact manifests referring to its image, as its
  -- version records them (schema.sql's versions; docs/attestations.md), '' when it has none.
  -- Schema 4; the defaults are what ALTER TABLE gave the builds of an upgraded queue.
  sbom_digest       TEXT NOT NULL DEFAULT '',
  provenance_digest TEXT NOT NULL DEFAULT '',
  -- A version build succeeds with its number; a draft build never takes one.
  CHECK (kind = 'DRAFT' OR state != 'SUCCEEDED' OR version >= 1),
  CHECK (kind = 'VERSION' OR version = 0),
  -- An image has no codeHash; its source is its reference, as text.
  CHECK (source_kind != 'IMAGE' OR code_hash = '')
) STRICT;

-- A finished build never changes, whatever a bug or a stale worker tries: the last line of the
-- fencing in sqlite_build_queue.cc, not the first. (Nothing deletes builds yet; retention will
-- delete a finished build with its events, in a later queue schema.)
CREATE TRIGGER IF NOT EXISTS finished_builds_never_change BEFORE UPDATE ON builds
WHEN OLD.state IN ('SUCCEEDED', 'FAILED', 'CANCELLED')
BEGIN
  SELECT RAISE(ABORT, 'a finished build never changes');
END;

-- claim(): the next queued build, publish priority first, then by submission.
CREATE INDEX IF NOT EXISTS builds_queued ON builds (priority DESC, seq) WHERE state = 'QUEUED';
-- claim(): the per-org count of running builds; sweep(): expired leases.
CREATE INDEX IF NOT EXISTS builds_running_by_org ON builds (org) WHERE state = 'RUNNING';
CREATE INDEX IF NOT EXISTS builds_running_by_lease ON builds (lease_expires_ms)
  WHERE state = 'RUNNING';
-- sweep(): deadlines of the unfinished.
CREATE INDEX IF NOT EXISTS builds_unfinished_by_deadline ON builds (deadline_ms)
  WHERE state IN ('QUEUED', 'RUNNING');
-- list(): by app, by state, newest first.
CREATE INDEX IF NOT EXISTS builds_by_app ON builds (org, app, seq);
CREATE INDEX IF NOT EXISTS builds_by_state ON builds (state, seq);

-- Idempotency keys of submissions, per org, for 24 h: `request` is the sha256 of what was
-- submitted (app, source, codeHash, priority, kind, attempts, deadline), so the same key with
-- another request is told apart. A key past its window is replaced by its next use.
CREATE TABLE IF NOT EXISTS idempotency_keys (
  org         TEXT NOT NULL,
  key         TEXT NOT NULL,
  request     TEXT NOT NULL,
  build_id    TEXT NOT NULL REFERENCES builds (id),
  created_ms  INTEGER NOT NULL,
  PRIMARY KEY (org, key)
) STRICT, WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS build_events (
  build_id TEXT NOT NULL REFERENCES builds (id),
  sequence INTEGER NOT NULL CHECK (sequence >= 1),
  state    TEXT NOT NULL,
  stage    TEXT NOT NULL,
  message  TEXT NOT NULL,
  at_ms    INTEGER NOT NULL,
  -- What the build was when the event was recorded, so that an event says the same whenever it
  -- is read or sent (schema 3; the defaults fill the events of an upgraded queue). `error` and
  -- `error_code` are the failure that ended the build or sent it back to the queue.
  version         INTEGER NOT NULL DEFAULT 0,
  manifest_digest TEXT NOT NULL DEFAULT '',
  code_hash       TEXT NOT NULL DEFAULT '',
  lock_hash       TEXT NOT NULL DEFAULT '',
  error_code      TEXT NOT NULL DEFAULT '',
  error           TEXT NOT NULL DEFAULT '',
  -- Schema 4: the version's SBOM and provenance digests, on a version build's SUCCEEDED event.
  sbom_digest       TEXT NOT NULL DEFAULT '',
  provenance_digest TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (build_id, sequence)
) STRICT, WITHOUT ROWID;

-- Sequences are 1, 2, 3... per build: a watcher that saw N has seen every event up to N.
CREATE TRIGGER IF NOT EXISTS build_events_are_gapless BEFORE INSERT ON build_events
WHEN NEW.sequence != (SELECT COALESCE(MAX(sequence), 0) + 1 FROM build_events
                      WHERE build_id = NEW.build_id)
BEGIN
  SELECT RAISE(ABORT, 'build event sequences are gapless');
END;

CREATE TRIGGER IF NOT EXISTS build_events_never_change BEFORE UPDATE ON build_events
BEGIN
  SELECT RAISE(ABORT, 'build events are immutable');
END;

-- The event outbox (docs/events.md): the events not yet delivered to the control plane. A row
-- enters with its event, in the transaction of the state change (the trigger below), and leaves
-- when the receiver has answered 2xx. It is filled once the store's meta says
-- event_outbox = 'on', which the first `serve --events-url` sets: from then on every event of
-- every process writing to the store is kept until delivered.
CREATE TABLE IF NOT EXISTS event_outbox (
  build_id TEXT NOT NULL,
  sequence INTEGER NOT NULL,
  at_ms    INTEGER NOT NULL,
  PRIMARY KEY (build_id, sequence),
  FOREIGN KEY (build_id, sequence) REFERENCES build_events (build_id, sequence)
) STRICT, WITHOUT ROWID;

CREATE INDEX IF NOT EXISTS event_outbox_by_age ON event_outbox (at_ms, build_id);

CREATE TRIGGER IF NOT EXISTS events_enter_the_outbox AFTER INSERT ON build_events
WHEN (SELECT value FROM meta WHERE key = 'event_outbox') = 'on'
BEGIN
  INSERT INTO event_outbox (build_id, sequence, at_ms)
  VALUES (NEW.build_id, NEW.sequence, NEW.at_ms);
END;

-- Who delivers the outbox: one process at a time, under a lease it renews, so that events of a
-- build are sent in order even with two servers on one store.
CREATE TABLE IF NOT EXISTS event_delivery_lease (
  id         INTEGER PRIMARY KEY CHECK (id = 1),
  owner      TEXT NOT NULL,
  expires_ms INTEGER NOT NULL
) STRICT;
