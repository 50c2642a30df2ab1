// Draft builds (SaveDraft's: the image only, no version) and the upgrade of a schema 1 queue,
// which could not record them.
#include <gtest/gtest.h>

#include "builder/store/sqlite.h"
#include "tests/store/build_queue_fixture.h"

namespace ignite::store {
namespace {

TEST_P(BuildQueueTest, ADraftBuildSucceedsWithItsImageAndNoVersion) {
  auto q = open_queue();
  const auto b = submit(*q, "acme-corp/greet", BuildPriority::kNormal, draft_options());
  EXPECT_EQ(b.kind, BuildKind::kDraft);
  auto c = q->claim("worker-1", kLease);
  ASSERT_TRUE(c.ok() && c->has_value());
  EXPECT_EQ((*c)->build.kind, BuildKind::kDraft);
  auto done = q->succeed_draft(b.id, (*c)->epoch, BuildOutcome{0, digest_of('d'), digest_of('l')});
  ASSERT_TRUE(done.ok()) << done.status().to_string();
  auto got = q->get(b.id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->state, BuildState::kSucceeded);
  EXPECT_EQ(got->kind, BuildKind::kDraft);
  EXPECT_EQ(got->version, 0);
  EXPECT_EQ(got->manifest_digest, digest_of('d'));
  EXPECT_EQ(got->lock_hash, digest_of('l'));
  const auto events = events_of(*q, b.id);
  ASSERT_FALSE(events.empty());
  EXPECT_NE(events.front().message.find("draft submitted"), std::string::npos);
  EXPECT_NE(events.back().message.find("draft built (" + digest_of('d') + ")"), std::string::npos);
  // Its end is final, and cancelling it names what it was.
  EXPECT_TRUE(is_error(q->request_cancel(b.id).status(), Code::kFailedPrecondition,
                       "draft build " + b.id + " already ended as SUCCEEDED"));
}

TEST_P(BuildQueueTest, SucceedDraftIsFencedAndRefusesVersionBuildsAndNumbers) {
  auto q = open_queue();
  const auto version_build = submit(*q, "acme-corp/a");
  auto c = q->claim("worker-1", kLease);
  ASSERT_TRUE(c.ok() && c->has_value());
  EXPECT_TRUE(is_error(
      q->succeed_draft(version_build.id, (*c)->epoch, BuildOutcome{0, digest_of('d'), ""}).status(),
      Code::kFailedPrecondition, "makes a version, and succeeds only with it"));

  const auto draft = submit(*q, "acme-corp/b", BuildPriority::kNormal, draft_options());
  auto d = q->claim("worker-2", kLease);
  ASSERT_TRUE(d.ok() && d->has_value());
  ASSERT_EQ((*d)->build.id, draft.id);
  EXPECT_TRUE(is_error(
      q->succeed_draft(draft.id, (*d)->epoch, BuildOutcome{1, digest_of('d'), ""}).status(),
      Code::kInvalidArgument, "a draft build takes no version"));
  EXPECT_TRUE(is_error(
      q->succeed_draft(draft.id, (*d)->epoch + 1, BuildOutcome{0, digest_of('d'), ""}).status(),
      Code::kAborted, "lease lost"));
  // A draft build never records a version, even through the version store's commit.
  auto versions = open_versions();
  EXPECT_TRUE(is_error(commit(*versions, *q, (*d)->build, (*d)->epoch, digest_of('d')).status(),
                       Code::kFailedPrecondition, "a draft build takes no version"));
  EXPECT_EQ(*versions->latest_number(app_id("acme-corp/b")), 0);
  EXPECT_EQ(q->get(draft.id)->state, BuildState::kRunning);
}

TEST_P(BuildQueueTest, ACancelOrTheDeadlineEndsADraftBuildAtItsEnd) {
  auto q = open_queue();
  const auto a = submit(*q, "acme-corp/a", BuildPriority::kNormal, draft_options());
  const auto c = *q->claim("worker-1", kLease);
  ASSERT_TRUE(q->request_cancel(a.id).ok());
  EXPECT_TRUE(
      is_error(q->succeed_draft(a.id, c->epoch, BuildOutcome{0, digest_of('d'), ""}).status(),
               Code::kCancelled, "cancelled before its end"));
  EXPECT_EQ(q->get(a.id)->state, BuildState::kCancelled);

  SubmitOptions short_deadline = draft_options();
  short_deadline.deadline = seconds(10);
  const auto b = submit(*q, "acme-corp/b", BuildPriority::kNormal, short_deadline);
  const auto d = *q->claim("worker-1", kLease);
  advance(seconds(11));
  EXPECT_EQ(q->succeed_draft(b.id, d->epoch, BuildOutcome{0, digest_of('d'), ""}).status().code(),
            Code::kDeadlineExceeded);
  EXPECT_EQ(q->get(b.id)->state, BuildState::kFailed);
}

#ifndef IGNITE_BUILD_QUEUE_BACKEND_POSTGRES

// What only SQLite has: queues of older schemas, upgraded in place.
// A queue written by a schema 1 ignite-builder: the historical table, as it shipped.
constexpr const char* kQueueSchemaV1Builds = R"sql(
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
INSERT INTO meta VALUES ('queue_schema_version', '1');
CREATE TABLE builds (
  seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, org TEXT NOT NULL, app TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED')),
  priority INTEGER NOT NULL CHECK (priority IN (1, 2)), stage TEXT NOT NULL,
  source_digest TEXT NOT NULL, code_hash TEXT NOT NULL, version INTEGER NOT NULL,
  manifest_digest TEXT NOT NULL, lock_hash TEXT NOT NULL, error TEXT NOT NULL,
  attempts INTEGER NOT NULL, max_attempts INTEGER NOT NULL, leases_lost INTEGER NOT NULL,
  cancel_requested INTEGER NOT NULL, submitted_at_ms INTEGER NOT NULL,
  started_at_ms INTEGER NOT NULL, finished_at_ms INTEGER NOT NULL, deadline_ms INTEGER NOT NULL,
  not_before_ms INTEGER NOT NULL, lease_owner TEXT NOT NULL, lease_epoch INTEGER NOT NULL,
  lease_expires_ms INTEGER NOT NULL,
  CHECK (state != 'SUCCEEDED' OR version >= 1)
) STRICT;
CREATE TRIGGER finished_builds_never_change BEFORE UPDATE ON builds
WHEN OLD.state IN ('SUCCEEDED', 'FAILED', 'CANCELLED')
BEGIN SELECT RAISE(ABORT, 'a finished build never changes'); END;
CREATE INDEX builds_queued ON builds (priority DESC, seq) WHERE state = 'QUEUED';
CREATE INDEX builds_by_app ON builds (org, app, seq);
CREATE TABLE build_events (
  build_id TEXT NOT NULL REFERENCES builds (id), sequence INTEGER NOT NULL, state TEXT NOT NULL,
  stage TEXT NOT NULL, message TEXT NOT NULL, at_ms INTEGER NOT NULL,
  PRIMARY KEY (build_id, sequence)
) STRICT, WITHOUT ROWID;
INSERT INTO builds VALUES (7, 'b-0123456789abcdef0123456789abcdef', 'acme-corp', 'greet',
  'SUCCEEDED', 2, 'commit', 'sha256:5555555555555555555555555555555555555555555555555555555555555555',
  '', 3, 'sha256:dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd', '', '', 1, 3, 0,
  0, 1000, 1001, 1002, 901000, 1000, 'w', 1, 0);
INSERT INTO builds VALUES (8, 'b-fedcba9876543210fedcba9876543210', 'acme-corp', 'greet',
  'QUEUED', 1, '', 'sha256:5555555555555555555555555555555555555555555555555555555555555555',
  '', 0, '', '', '', 0, 3, 0, 0, 2000, 0, 0, 1700000900000, 2000, '', 0, 0);
INSERT INTO build_events VALUES ('b-0123456789abcdef0123456789abcdef', 1, 'QUEUED', '', 'submitted', 1000);
INSERT INTO build_events VALUES ('b-0123456789abcdef0123456789abcdef', 2, 'SUCCEEDED', 'commit', 'published', 1002);
)sql";

TEST_F(SqliteBuildQueueTest, ASchemaOneQueueIsUpgradedInPlaceKeepingEveryBuildAndEvent) {
  {
    auto db = Database::open(db_path(), Database::Create::kIfMissing);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(db->exec(kQueueSchemaV1Builds).ok());
  }
  auto q = open_sqlite_queue();
  EXPECT_EQ(queue_schema_version(q.database()), "4");
  // Through every schema since, to the columns a new queue has (schema 4's attestations too).
  EXPECT_EQ(table_columns(q.database(), "builds"), new_queue_columns("builds"));
  EXPECT_EQ(table_columns(q.database(), "build_events"), new_queue_columns("build_events"));

  auto old = q.get("b-0123456789abcdef0123456789abcdef");
  ASSERT_TRUE(old.ok()) << old.status().to_string();
  EXPECT_EQ(old->kind, BuildKind::kVersion);
  EXPECT_EQ(old->source_kind, SourceKind::kCode);
  EXPECT_EQ(old->version, 3);
  EXPECT_EQ(old->state, BuildState::kSucceeded);
  EXPECT_EQ(events_of(q, old->id).size(), 2u);
  // The new table keeps the old one's guarantees, indexes and the submission order.
  auto indexes = q.database().prepare(
      "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'builds' AND "
      "name IN ('builds_queued', 'builds_running_by_org', 'builds_running_by_lease', "
      "'builds_unfinished_by_deadline', 'builds_by_app', 'builds_by_state')");
  ASSERT_TRUE(indexes.ok() && *indexes->step());
  EXPECT_EQ(indexes->column_int(0), 6);
  auto leftover =
      q.database().prepare("SELECT count(*) FROM sqlite_master WHERE name = 'builds_old'");
  ASSERT_TRUE(leftover.ok() && *leftover->step());
  EXPECT_EQ(leftover->column_int(0), 0);
  EXPECT_TRUE(is_error(q.database().exec("UPDATE builds SET state = 'QUEUED' WHERE seq = 7"),
                       Code::kFailedPrecondition, "a finished build never changes"));
  EXPECT_TRUE(is_error(q.database().exec("INSERT INTO build_events (build_id, sequence, state, "
                                         "stage, message, at_ms) VALUES ('b-nope', 1, 'QUEUED', "
                                         "'', 'x', 0)"),
                       Code::kFailedPrecondition, "FOREIGN KEY"));
  EXPECT_EQ(claim_id(q, "worker-1"), "b-fedcba9876543210fedcba9876543210");
  const auto draft = submit(q, "acme-corp/greet", BuildPriority::kNormal, draft_options());
  auto page = q.list(BuildFilter{});
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->builds.size(), 3u);
  EXPECT_EQ(page->builds[0].id, draft.id);  // newest first: seq goes on after 8
  // Opening again changes nothing.
  EXPECT_TRUE(SqliteBuildQueue::open(db_path(), options()).ok());
}

// A queue written by a schema 2 ignite-builder (e65a30d's queue_schema.sql, comments left out),
// with a build, its events and an idempotency key.
constexpr const char* kQueueSchemaV2 = R"sql(
CREATE TABLE IF NOT EXISTS meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS builds (
  seq              INTEGER PRIMARY KEY,
  id               TEXT NOT NULL UNIQUE,
  org              TEXT NOT NULL,
  app              TEXT NOT NULL,
  state            TEXT NOT NULL
                   CHECK (state IN ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED')),
  priority         INTEGER NOT NULL CHECK (priority IN (1, 2)),
  kind             TEXT NOT NULL CHECK (kind IN ('VERSION', 'DRAFT')),
  source_kind      TEXT NOT NULL CHECK (source_kind IN ('CODE', 'IMAGE')),
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
  CHECK (kind = 'DRAFT' OR state != 'SUCCEEDED' OR version >= 1),
  CHECK (kind = 'VERSION' OR version = 0),
  CHECK (source_kind = 'CODE' OR code_hash = '')
) STRICT;
CREATE TRIGGER IF NOT EXISTS finished_builds_never_change BEFORE UPDATE ON builds
WHEN OLD.state IN ('SUCCEEDED', 'FAILED', 'CANCELLED')
BEGIN
  SELECT RAISE(ABORT, 'a finished build never changes');
END;
CREATE INDEX IF NOT EXISTS builds_queued ON builds (priority DESC, seq) WHERE state = 'QUEUED';
CREATE INDEX IF NOT EXISTS builds_running_by_org ON builds (org) WHERE state = 'RUNNING';
CREATE INDEX IF NOT EXISTS builds_running_by_lease ON builds (lease_expires_ms)
  WHERE state = 'RUNNING';
CREATE INDEX IF NOT EXISTS builds_unfinished_by_deadline ON builds (deadline_ms)
  WHERE state IN ('QUEUED', 'RUNNING');
CREATE INDEX IF NOT EXISTS builds_by_app ON builds (org, app, seq);
CREATE INDEX IF NOT EXISTS builds_by_state ON builds (state, seq);
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
  PRIMARY KEY (build_id, sequence)
) STRICT, WITHOUT ROWID;
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
INSERT INTO meta VALUES ('queue_schema_version', '2');
INSERT INTO builds VALUES (3, 'b-00112233445566778899aabbccddeeff', 'acme-corp', 'greet',
  'FAILED', 1, 'DRAFT', 'CODE', 'layers',
  'sha256:5555555555555555555555555555555555555555555555555555555555555555',
  'sha256:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc', 0, '', '', 'boom', 1,
  3, 0, 0, 1000, 1001, 1002, 901000, 1000, 'w', 1, 0);
INSERT INTO build_events VALUES ('b-00112233445566778899aabbccddeeff', 1, 'QUEUED', '', 'submitted', 1000);
INSERT INTO build_events VALUES ('b-00112233445566778899aabbccddeeff', 2, 'FAILED', 'layers', 'boom', 1002);
INSERT INTO idempotency_keys VALUES ('acme-corp', 'ci-1', 'sha256:aa', 'b-00112233445566778899aabbccddeeff', 1000);
)sql";

TEST_F(SqliteBuildQueueTest, ASchemaTwoQueueIsUpgradedKeepingItsBuildsEventsAndKeys) {
  {
    auto db = Database::open(db_path(), Database::Create::kIfMissing);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(db->exec(kQueueSchemaV2).ok());
  }
  auto q = open_sqlite_queue();
  EXPECT_EQ(queue_schema_version(q.database()), "4");
  // Through every schema since, to the columns a new queue has (schema 4's attestations too).
  EXPECT_EQ(table_columns(q.database(), "builds"), new_queue_columns("builds"));
  EXPECT_EQ(table_columns(q.database(), "build_events"), new_queue_columns("build_events"));
  auto old = q.get("b-00112233445566778899aabbccddeeff");
  ASSERT_TRUE(old.ok()) << old.status().to_string();
  EXPECT_EQ(old->kind, BuildKind::kDraft);
  EXPECT_EQ(old->state, BuildState::kFailed);
  EXPECT_EQ(old->error, "boom");
  EXPECT_EQ(old->error_code, Code::kOk);  // schema 2 kept no code
  EXPECT_EQ(old->source_commit, "");
  const auto events = events_of(q, old->id);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].message, "boom");
  EXPECT_EQ(events[1].version, 0);  // the new columns' defaults
  EXPECT_EQ(events[1].code_hash, "");
  // The key still points at its build, and the new tables are there.
  auto key = q.database().prepare("SELECT build_id FROM idempotency_keys WHERE key = 'ci-1'");
  ASSERT_TRUE(key.ok() && *key->step());
  EXPECT_EQ(key->column_text(0), old->id);
  auto tables = q.database().prepare(
      "SELECT count(*) FROM sqlite_master WHERE name IN ('event_outbox', 'event_delivery_lease', "
      "'events_enter_the_outbox', 'builds_old')");
  ASSERT_TRUE(tables.ok() && *tables->step());
  EXPECT_EQ(tables->column_int(0), 3);  // builds_old is gone
  // And it goes on: a new build's events carry the new columns.
  const auto b = submit(q, "acme-corp/greet");
  EXPECT_EQ(events_of(q, b.id).front().code_hash, digest_of('c'));
}

#endif

TEST_P(BuildQueueTest, AnImageBuildKeepsItsSourceKindAndHasNoCodeHash) {
  auto q = open_queue();
  SubmitOptions image = draft_options();
  image.source_kind = SourceKind::kImage;
  EXPECT_TRUE(is_error(q->submit(app_id("acme-corp/img"), digest_of('5'), digest_of('c'),
                                 BuildPriority::kNormal, image)
                           .status(),
                       Code::kInvalidArgument, "an image has no code hash"));
  auto b = q->submit(app_id("acme-corp/img"), digest_of('5'), "", BuildPriority::kNormal, image);
  ASSERT_TRUE(b.ok()) << b.status().to_string();
  EXPECT_EQ(q->get(b->id)->source_kind, SourceKind::kImage);
  EXPECT_EQ(submit(*q, "acme-corp/code").source_kind, SourceKind::kCode);
  // The database holds the rule too.
  EXPECT_TRUE(is_error(
      raw("UPDATE builds SET code_hash = '" + digest_of('c') + "' WHERE id = '" + b->id + "'"),
      Code::kFailedPrecondition,
      GetParam() == QueueBackend::kSqlite ? "CHECK constraint" : "check constraint"));
}

TEST(BuildKindTest, NamesRoundTrip) {
  for (BuildKind k : {BuildKind::kVersion, BuildKind::kDraft}) {
    EXPECT_EQ(parse_build_kind(build_kind_name(k)), k);
  }
  EXPECT_FALSE(parse_build_kind("version").has_value());
  for (SourceKind k : {SourceKind::kCode, SourceKind::kImage, SourceKind::kGit}) {
    EXPECT_EQ(parse_source_kind(source_kind_name(k)), k);
  }
  EXPECT_FALSE(parse_source_kind("image").has_value());
}

}  // namespace
}  // namespace ignite::store

namespace ignite::store {
namespace {

SubmitOptions keyed(std::string key) {
  SubmitOptions o;
  o.idempotency_key = std::move(key);
  return o;
}

TEST_P(BuildQueueTest, AnIdempotencyKeyReturnsTheFirstBuildForTheSameRequestFor24Hours) {
  auto q = open_queue();
  const auto first = submit(*q, "acme-corp/greet", BuildPriority::kNormal, keyed("ci-run-42"));
  ASSERT_TRUE(q->claim("worker-1", kLease)->has_value());
  // The client's retry: the same build, as it is now (claimed), and nothing new queued.
  const auto again = submit(*q, "acme-corp/greet", BuildPriority::kNormal, keyed("ci-run-42"));
  EXPECT_EQ(again.id, first.id);
  EXPECT_EQ(again.state, BuildState::kRunning);
  EXPECT_EQ(q->list(BuildFilter{})->builds.size(), 1u);

  // The same key with another request (another source) is refused, naming the first build.
  auto other = q->submit(app_id("acme-corp/greet"), digest_of('6'), digest_of('c'),
                         BuildPriority::kNormal, keyed("ci-run-42"));
  EXPECT_TRUE(is_error(other.status(), Code::kAlreadyExists,
                       "idempotency key \"ci-run-42\" was used within 24 h for another request "
                       "(build " +
                           first.id + ")"));
  // Keys are per org: another org's same key is its own.
  const auto elsewhere = submit(*q, "other-org/greet", BuildPriority::kNormal, keyed("ci-run-42"));
  EXPECT_NE(elsewhere.id, first.id);
  // Past 24 h the key is free again.
  advance(std::chrono::hours(24) + seconds(1));
  const auto later = submit(*q, "acme-corp/greet", BuildPriority::kNormal, keyed("ci-run-42"));
  EXPECT_NE(later.id, first.id);
  EXPECT_EQ(submit(*q, "acme-corp/greet", BuildPriority::kNormal, keyed("ci-run-42")).id, later.id);
}

TEST_P(BuildQueueTest, ABadIdempotencyKeyIsRefusedAndRecordsNothing) {
  auto q = open_queue();
  for (const std::string& key :
       {std::string("has space"), std::string(129, 'k'), std::string("tab\there")}) {
    EXPECT_EQ(q->submit(app_id("acme-corp/greet"), digest_of('5'), digest_of('c'),
                        BuildPriority::kNormal, keyed(key))
                  .status()
                  .code(),
              Code::kInvalidArgument)
        << key;
  }
  EXPECT_TRUE(q->list(BuildFilter{})->builds.empty());
}

}  // namespace
}  // namespace ignite::store

namespace ignite::store {
namespace {

TEST_P(BuildQueueTest, RaisingAQueuedBuildsPriorityPutsItBeforeTheOthers) {
  auto q = open_queue();
  submit(*q, "acme-corp/a");
  submit(*q, "acme-corp/b");
  const auto draft = submit(*q, "acme-corp/c", BuildPriority::kNormal, draft_options());
  auto raised = q->raise_priority(draft.id, "a publish waits for it");
  ASSERT_TRUE(raised.ok()) << raised.status().to_string();
  EXPECT_EQ(raised->priority, BuildPriority::kPublish);
  EXPECT_EQ(events_of(*q, draft.id).back().message,
            "priority raised to publish: a publish waits for it");
  EXPECT_EQ(claim_id(*q, "worker-1"), draft.id);
  // A running (or finished) build is left as it is, with no event.
  const std::size_t events = events_of(*q, draft.id).size();
  EXPECT_EQ(q->raise_priority(draft.id, "again")->state, BuildState::kRunning);
  EXPECT_EQ(events_of(*q, draft.id).size(), events);
  EXPECT_EQ(q->raise_priority("b-" + std::string(32, '0'), "x").status().code(), Code::kNotFound);
}

}  // namespace
}  // namespace ignite::store
