// A version's SBOM and provenance digests in the build queue (queue schema 4): a version
// build's success records them on the build and on its SUCCEEDED event, as its version records
// them, through both commit paths (the one transaction, and an intent's, rolled forward or not);
// the outbox hands them on; a malformed one takes no number; and a schema 3 queue gains their
// columns in place, keeping every build, event, key and waiting event.
#include <gtest/gtest.h>

#include <functional>

#include "builder/store/sqlite_event_outbox.h"
#include "tests/store/build_queue_fixture.h"

namespace ignite::store {
namespace {

// A version whose image has an SBOM ('a') and a provenance ('f') referring to it.
VersionRecord attested(const std::string& manifest) {
  VersionRecord r;
  r.manifest_digest = manifest;
  r.code_hash = digest_of('c');
  r.base_digest = digest_of('b');
  r.inputs = "{}";
  r.sbom_digest = digest_of('a');
  r.provenance_digest = digest_of('f');
  return r;
}

// What the build's record takes from the version committed as `number`.
BuildOutcome outcome_of(const VersionRecord& r, std::int64_t number) {
  BuildOutcome o;
  o.version = number;
  o.manifest_digest = r.manifest_digest;
  o.lock_hash = r.lock_hash;
  o.sbom_digest = r.sbom_digest;
  o.provenance_digest = r.provenance_digest;
  return o;
}

// The commit without a registry, fenced as a worker's: the record's digests go to the build.
Result<VersionRecord> commit_attested(VersionStore& versions, BuildQueue& q, const Claim& c,
                                      const VersionRecord& record) {
  return versions.commit_version(
      c.build.app, record, [&](StoreTx& tx, std::int64_t number) -> Status {
        return q.succeed_in_transaction(tx, c.build.id, c.epoch, outcome_of(record, number));
      });
}

Claim claim(BuildQueue& q) {
  auto c = q.claim("worker-1", kLease);
  if (!c.ok() || !c->has_value()) {
    ADD_FAILURE() << (c.ok() ? std::string("nothing to claim") : c.status().to_string());
    return Claim{BuildRecord{"", app_id("acme-corp/none")}, 0};
  }
  return **c;
}

// Every event waiting in the outbox, delivered in the order it hands them out.
std::vector<OutboxEvent> drain(SqliteEventOutbox& outbox) {
  std::vector<OutboxEvent> out;
  for (;;) {
    auto next = outbox.next(1);
    if (!next.ok()) ADD_FAILURE() << next.status().to_string();
    if (!next.ok() || next->empty()) return out;
    const BuildEvent& e = next->front().event;
    EXPECT_TRUE(outbox.delivered({EventKey{e.build_id, e.sequence}}).ok());
    out.push_back(next->front());
  }
}

SqliteEventOutbox open_sqlite_outbox(const std::string& path, std::function<std::int64_t()> now) {
  auto o = SqliteEventOutbox::open(path, std::move(now));
  if (!o.ok()) ADD_FAILURE() << o.status().to_string();
  return std::move(o).value();
}

class BuildQueueAttestationTest : public BuildQueueTest {
 protected:
  // Turns the event outbox on. (PostgreSQL's outbox reader is not there yet: its switch is the
  // same meta row, which the outbox's trigger reads.)
  Status enable_outbox() {
    if (GetParam() == QueueBackend::kSqlite) {
      return open_sqlite_outbox(db_path(), [this] { return now(); }).enable();
    }
    if (open_queue() == nullptr) return internal_error("no queue");  // makes the schema
    return raw("INSERT INTO meta (key, value) VALUES ('event_outbox', 'on')");
  }
};

#ifdef IGNITE_BUILD_QUEUE_BACKEND_POSTGRES
INSTANTIATE_TEST_SUITE_P(Postgres, BuildQueueAttestationTest,
                         ::testing::Values(QueueBackend::kPostgres), queue_backend_name);
#else
INSTANTIATE_TEST_SUITE_P(Sqlite, BuildQueueAttestationTest,
                         ::testing::Values(QueueBackend::kSqlite), queue_backend_name);
#endif

TEST_P(BuildQueueAttestationTest, AVersionsDigestsReachItsBuildAndItsSucceededEventOnly) {
  ASSERT_TRUE(enable_outbox().ok());
  auto q = open_queue();
  auto versions = open_versions();
  const auto b = submit(*q, "acme-corp/greet");
  const Claim c = claim(*q);
  ASSERT_EQ(c.build.id, b.id);
  ASSERT_TRUE(q->set_stage(b.id, c.epoch, "commit").ok());
  auto v = commit_attested(*versions, *q, c, attested(digest_of('d')));
  ASSERT_TRUE(v.ok()) << v.status().to_string();

  auto got = q->get(b.id);
  ASSERT_TRUE(got.ok()) << got.status().to_string();
  EXPECT_EQ(got->state, BuildState::kSucceeded);
  EXPECT_EQ(got->sbom_digest, digest_of('a'));
  EXPECT_EQ(got->provenance_digest, digest_of('f'));
  // As the version records them.
  auto recorded = versions->versions(b.app);
  ASSERT_TRUE(recorded.ok());
  EXPECT_EQ(recorded->at(0).sbom_digest, got->sbom_digest);
  EXPECT_EQ(recorded->at(0).provenance_digest, got->provenance_digest);
  auto page = q->list(BuildFilter{});
  ASSERT_TRUE(page.ok() && page->builds.size() == 1u);
  EXPECT_EQ(page->builds[0].sbom_digest, digest_of('a'));
  EXPECT_EQ(page->builds[0].provenance_digest, digest_of('f'));

  // The SUCCEEDED event, the last, carries them with the manifest digest; none before it does.
  const auto events = events_of(*q, b.id);
  ASSERT_EQ(events.size(), 4u);  // queued, claimed, stage commit, succeeded
  for (std::size_t i = 0; i + 1 < events.size(); ++i) {
    EXPECT_EQ(events[i].sbom_digest, "") << "event " << events[i].sequence;
    EXPECT_EQ(events[i].provenance_digest, "") << "event " << events[i].sequence;
  }
  EXPECT_EQ(events.back().state, BuildState::kSucceeded);
  EXPECT_EQ(events.back().manifest_digest, digest_of('d'));
  EXPECT_EQ(events.back().sbom_digest, digest_of('a'));
  EXPECT_EQ(events.back().provenance_digest, digest_of('f'));

  // And the outbox hands them on as the history has them (on PostgreSQL, whose outbox reader
  // is not there yet: every event entered it, the last with its state change).
  if (GetParam() == QueueBackend::kPostgres) {
    EXPECT_EQ(raw_count("SELECT count(*) FROM event_outbox o JOIN build_events e USING "
                        "(build_id, sequence) WHERE e.build_id = '" +
                        b.id + "'"),
              4);
    return;
  }
  auto outbox = open_sqlite_outbox(db_path(), [this] { return now(); });
  const auto sent = drain(outbox);
  ASSERT_EQ(sent.size(), 4u);
  EXPECT_EQ(sent.back().event.state, BuildState::kSucceeded);
  EXPECT_EQ(sent.back().event.sbom_digest, digest_of('a'));
  EXPECT_EQ(sent.back().event.provenance_digest, digest_of('f'));
  EXPECT_EQ(sent.front().event.sbom_digest, "");
}

TEST_P(BuildQueueAttestationTest, AVersionWithoutThemLeavesThemEmpty) {
  auto q = open_queue();
  auto versions = open_versions();
  const auto b = submit(*q, "acme-corp/greet");
  const Claim c = claim(*q);
  VersionRecord plain = attested(digest_of('d'));
  plain.provenance_digest = "";  // built without a signing key: an SBOM only
  ASSERT_TRUE(commit_attested(*versions, *q, c, plain).ok());
  EXPECT_EQ(q->get(b.id)->sbom_digest, digest_of('a'));
  EXPECT_EQ(q->get(b.id)->provenance_digest, "");
  EXPECT_EQ(events_of(*q, b.id).back().provenance_digest, "");
}

// With a registry: the intent's record keeps them (pending_tags), and whoever records the
// version from it (here, as a publication rolling forward an intent whose worker stopped: the
// intent read back from the database) gives them to the build the intent names.
TEST_P(BuildQueueAttestationTest, AnIntentsVersionGivesTheBuildItNamesItsDigests) {
  auto q = open_queue();
  auto versions = open_versions();
  const auto b = submit(*q, "acme-corp/greet");
  const Claim c = claim(*q);
  const AppId app = b.app;
  auto lock = versions->take_publish_lock(app, "worker-1", now(), 60'000);
  ASSERT_TRUE(lock.ok() && lock->has_value()) << lock.status().to_string();
  auto intent =
      versions->record_intent(app, attested(digest_of('d')), "registry.example:5000", b.id, **lock,
                              [&](StoreTx& tx, const PublishIntent& i) {
                                return q->publishing_in_transaction(
                                    tx, b.id, c.epoch, outcome_of(i.record, i.record.number));
                              });
  ASSERT_TRUE(intent.ok()) << intent.status().to_string();
  // Publishing is not succeeding: the build has no digests yet.
  EXPECT_EQ(q->get(b.id)->state, BuildState::kRunning);
  EXPECT_EQ(events_of(*q, b.id).back().sbom_digest, "");

  auto left = versions->publish_intent(app);
  ASSERT_TRUE(left.ok() && left->has_value()) << left.status().to_string();
  ASSERT_EQ((*left)->build_id, b.id);
  auto v = versions->commit_intent(app, **left, **lock, [&](StoreTx& tx, const PublishIntent& i) {
    return q->succeed_published_in_transaction(tx, i.build_id,
                                               outcome_of(i.record, i.record.number));
  });
  ASSERT_TRUE(v.ok()) << v.status().to_string();
  auto got = q->get(b.id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->state, BuildState::kSucceeded);
  EXPECT_EQ(got->version, 1);
  EXPECT_EQ(got->sbom_digest, digest_of('a'));
  EXPECT_EQ(got->provenance_digest, digest_of('f'));
  const auto events = events_of(*q, b.id);
  EXPECT_EQ(events.back().state, BuildState::kSucceeded);
  EXPECT_EQ(events.back().sbom_digest, digest_of('a'));
  EXPECT_EQ(events.back().provenance_digest, digest_of('f'));
  EXPECT_EQ(versions->versions(app)->at(0).provenance_digest, digest_of('f'));
}

TEST_P(BuildQueueAttestationTest, AMalformedDigestIsRefusedAndTakesNoNumber) {
  auto q = open_queue();
  auto versions = open_versions();
  const auto b = submit(*q, "acme-corp/greet");
  const Claim c = claim(*q);
  VersionRecord bad_sbom = attested(digest_of('d'));
  bad_sbom.sbom_digest = "sha256:not-hex";
  EXPECT_TRUE(is_error(commit_attested(*versions, *q, c, bad_sbom).status(), Code::kInvalidArgument,
                       "the commit of build " + b.id + ": SBOM digest"));
  VersionRecord bad_provenance = attested(digest_of('d'));
  bad_provenance.provenance_digest = "md5:0123";
  EXPECT_TRUE(is_error(commit_attested(*versions, *q, c, bad_provenance).status(),
                       Code::kInvalidArgument,
                       "the commit of build " + b.id + ": provenance digest"));
  EXPECT_EQ(*versions->latest_number(b.app), 0);
  EXPECT_EQ(q->get(b.id)->state, BuildState::kRunning);
  // The build goes on, and commits with well-formed ones.
  ASSERT_TRUE(commit_attested(*versions, *q, c, attested(digest_of('d'))).ok());
  EXPECT_EQ(q->get(b.id)->version, 1);
}

TEST_P(BuildQueueAttestationTest, ADraftBuildTakesNone) {
  auto q = open_queue();
  const auto b = submit(*q, "acme-corp/greet", BuildPriority::kNormal, draft_options());
  const Claim c = claim(*q);
  BuildOutcome outcome{0, digest_of('d'), ""};
  outcome.sbom_digest = digest_of('a');
  EXPECT_TRUE(is_error(q->succeed_draft(b.id, c.epoch, outcome).status(), Code::kInvalidArgument,
                       "a draft build takes no SBOM or provenance digest"));
  EXPECT_EQ(q->get(b.id)->state, BuildState::kRunning);
  outcome.sbom_digest = "";
  auto done = q->succeed_draft(b.id, c.epoch, outcome);
  ASSERT_TRUE(done.ok()) << done.status().to_string();
  EXPECT_EQ(done->sbom_digest, "");
}

#ifndef IGNITE_BUILD_QUEUE_BACKEND_POSTGRES

// A queue written by a schema 3 ignite-builder (28958c4's queue_schema.sql, comments left out),
// with a version build that succeeded, then the outbox turned on, and a queued build whose first
// event waits in it, and an idempotency key.
constexpr const char* kQueueSchemaV3 = R"sql(
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
  error_code       TEXT NOT NULL,
  source_commit    TEXT NOT NULL,
  CHECK (kind = 'DRAFT' OR state != 'SUCCEEDED' OR version >= 1),
  CHECK (kind = 'VERSION' OR version = 0),
  CHECK (source_kind != 'IMAGE' OR code_hash = '')
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
  version         INTEGER NOT NULL DEFAULT 0,
  manifest_digest TEXT NOT NULL DEFAULT '',
  code_hash       TEXT NOT NULL DEFAULT '',
  lock_hash       TEXT NOT NULL DEFAULT '',
  error_code      TEXT NOT NULL DEFAULT '',
  error           TEXT NOT NULL DEFAULT '',
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
CREATE TABLE IF NOT EXISTS event_delivery_lease (
  id         INTEGER PRIMARY KEY CHECK (id = 1),
  owner      TEXT NOT NULL,
  expires_ms INTEGER NOT NULL
) STRICT;
INSERT INTO meta VALUES ('queue_schema_version', '3');
INSERT INTO builds VALUES (4, 'b-0123456789abcdef0123456789abcdef', 'acme-corp', 'greet',
  'SUCCEEDED', 1, 'VERSION', 'GIT', 'ref',
  'sha256:5555555555555555555555555555555555555555555555555555555555555555',
  'sha256:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc', 2,
  'sha256:dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd', '', '', 1, 3, 0, 0,
  1000, 1001, 1002, 901000, 1000, 'w', 1, 0, '', '0123456789abcdef0123456789abcdef01234567');
INSERT INTO builds VALUES (5, 'b-fedcba9876543210fedcba9876543210', 'acme-corp', 'greet',
  'QUEUED', 1, 'VERSION', 'CODE', '',
  'sha256:5555555555555555555555555555555555555555555555555555555555555555',
  'sha256:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc', 0, '', '', '', 0, 3,
  0, 0, 2000, 0, 0, 1700000900000, 2000, '', 0, 0, '', '');
INSERT INTO build_events VALUES ('b-0123456789abcdef0123456789abcdef', 1, 'QUEUED', '',
  'submitted', 1000, 0, '', '', '', '', '');
INSERT INTO build_events VALUES ('b-0123456789abcdef0123456789abcdef', 2, 'SUCCEEDED', 'ref',
  'published as acme-corp/greet:v2', 1002, 2,
  'sha256:dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd',
  'sha256:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc', '', '', '');
INSERT INTO meta VALUES ('event_outbox', 'on');
INSERT INTO build_events VALUES ('b-fedcba9876543210fedcba9876543210', 1, 'QUEUED', '',
  'submitted', 2000, 0, '', 'sha256:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc',
  '', '', '');
INSERT INTO idempotency_keys VALUES ('acme-corp', 'ci-7', 'sha256:aa',
  'b-fedcba9876543210fedcba9876543210', 2000);
)sql";

TEST_F(SqliteBuildQueueTest, ASchemaThreeQueueGainsTheColumnsInPlaceKeepingEverything) {
  std::int64_t builds_page = 0;
  {
    auto db = Database::open(db_path(), Database::Create::kIfMissing);
    ASSERT_TRUE(db.ok()) << db.status().to_string();
    ASSERT_TRUE(db->exec(kQueueSchemaV3).ok());
    auto page = db->prepare("SELECT rootpage FROM sqlite_master WHERE name = 'builds'");
    ASSERT_TRUE(page.ok() && *page->step());
    builds_page = page->column_int(0);
  }
  auto q = open_sqlite_queue();
  EXPECT_EQ(queue_schema_version(q.database()), "4");
  EXPECT_EQ(table_columns(q.database(), "builds"), new_queue_columns("builds"));
  EXPECT_EQ(table_columns(q.database(), "build_events"), new_queue_columns("build_events"));
  // In place: the same table (its first page), not a copy; nothing left behind.
  {
    auto page = q.database().prepare(
        "SELECT rootpage, (SELECT count(*) FROM sqlite_master WHERE name = 'builds_old') "
        "FROM sqlite_master WHERE name = 'builds'");
    ASSERT_TRUE(page.ok() && *page->step());
    EXPECT_EQ(page->column_int(0), builds_page);
    EXPECT_EQ(page->column_int(1), 0);
  }  // (a statement left open would hold its read transaction, and the claim below wait)

  // Every build and event as it was, with no digests (none was made before schema 4).
  auto old = q.get("b-0123456789abcdef0123456789abcdef");
  ASSERT_TRUE(old.ok()) << old.status().to_string();
  EXPECT_EQ(old->state, BuildState::kSucceeded);
  EXPECT_EQ(old->version, 2);
  EXPECT_EQ(old->source_kind, SourceKind::kGit);
  EXPECT_EQ(old->source_commit, "0123456789abcdef0123456789abcdef01234567");
  EXPECT_EQ(old->sbom_digest, "");
  EXPECT_EQ(old->provenance_digest, "");
  const auto old_events = events_of(q, old->id);
  ASSERT_EQ(old_events.size(), 2u);
  EXPECT_EQ(old_events[1].version, 2);
  EXPECT_EQ(old_events[1].manifest_digest, digest_of('d'));
  EXPECT_EQ(old_events[1].sbom_digest, "");
  // The database's guarantees hold as before.
  EXPECT_TRUE(is_error(q.database().exec("UPDATE builds SET state = 'QUEUED' WHERE seq = 4"),
                       Code::kFailedPrecondition, "a finished build never changes"));
  {
    auto key = q.database().prepare("SELECT build_id FROM idempotency_keys WHERE key = 'ci-7'");
    ASSERT_TRUE(key.ok() && *key->step());
    EXPECT_EQ(key->column_text(0), "b-fedcba9876543210fedcba9876543210");
  }

  // The queued build goes on: claimed, committed with its digests; the outbox, still on, hands
  // out the event that waited through the upgrade, then the new ones with the digests.
  auto versions = open_versions();
  const Claim c = claim(q);
  ASSERT_EQ(c.build.id, "b-fedcba9876543210fedcba9876543210");
  ASSERT_TRUE(commit_attested(*versions, q, c, attested(digest_of('e'))).ok());
  EXPECT_EQ(q.get(c.build.id)->sbom_digest, digest_of('a'));
  auto outbox = open_sqlite_outbox(db_path(), [this] { return now(); });
  const auto sent = drain(outbox);
  ASSERT_EQ(sent.size(), 3u);  // submitted (before the upgrade), claimed, published
  EXPECT_EQ(sent[0].event.sequence, 1);
  EXPECT_EQ(sent[0].event.message, "submitted");
  EXPECT_EQ(sent[2].event.state, BuildState::kSucceeded);
  EXPECT_EQ(sent[2].event.sbom_digest, digest_of('a'));
  EXPECT_EQ(sent[2].event.provenance_digest, digest_of('f'));

  // Opening again finds schema 4 and changes nothing.
  auto again = SqliteBuildQueue::open(db_path(), options());
  ASSERT_TRUE(again.ok()) << again.status().to_string();
  EXPECT_EQ(again->get(c.build.id)->provenance_digest, digest_of('f'));
}

#endif

}  // namespace
}  // namespace ignite::store
