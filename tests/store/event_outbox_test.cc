// The event outbox (docs/events.md) and what each event keeps of its build: events enter the
// outbox with their state change once it is on, leave only when delivered, come out one per
// build in order, and one deliverer holds the store at a time. One suite over every backend: each
// case runs against SqliteEventOutbox beside a SqliteBuildQueue ("Sqlite", in store_test) and
// PgEventOutbox beside a PgBuildQueue ("Postgres", in store_pg_test, against a real server;
// skipped without PostgreSQL, failed instead under CI), which must answer alike. Several
// servers racing for the lease on PostgreSQL are postgres/pg_event_outbox_test.cc's.
#include <gtest/gtest.h>

#include <memory>

#include "builder/store/postgres/pg_event_outbox.h"
#include "builder/store/sqlite_event_outbox.h"
#include "tests/store/build_queue_fixture.h"

namespace ignite::store {
namespace {

class EventOutboxTest : public BuildQueueFixture,
                        public ::testing::WithParamInterface<QueueBackend> {
 protected:
  QueueBackend backend() const override { return GetParam(); }

  // The outbox of this test's store on a connection of its own (as another server's), on the
  // test's clock.
  std::unique_ptr<EventOutbox> open_outbox() {
    auto clock = [this] { return now(); };
    if (backend() == QueueBackend::kSqlite) {
      auto o = SqliteEventOutbox::open(db_path(), clock);
      if (!o.ok()) ADD_FAILURE() << o.status().to_string();
      return o.ok() ? std::make_unique<SqliteEventOutbox>(std::move(o).value()) : nullptr;
    }
    auto o = PgEventOutbox::open(url_, clock);
    if (!o.ok()) ADD_FAILURE() << o.status().to_string();
    return o.ok() ? std::make_unique<PgEventOutbox>(std::move(o).value()) : nullptr;
  }

  // Records event 2 of `build` past the queue in a transaction that then fails: what a state
  // change rolled back after its event was written leaves behind. OK when it was rolled back.
  Status record_an_event_and_roll_back(const std::string& build) {
    const std::string insert =
        "INSERT INTO build_events (build_id, sequence, state, stage, message, at_ms) "
        "VALUES ('" +
        build + "', 2, 'QUEUED', '', 'x', 0)";
    if (backend() == QueueBackend::kSqlite) {
      IGNITE_ASSIGN_OR_RETURN(Database db, Database::open(db_path()));
      IGNITE_ASSIGN_OR_RETURN(Transaction tx, Transaction::begin_immediate(db));
      return db.exec(insert);  // `tx` rolls back as it goes
    }
    IGNITE_ASSIGN_OR_RETURN(PgConnection conn, PgConnection::open(url_));
    const Status s = conn.transaction("an event whose state change fails", [&]() -> Status {
      IGNITE_RETURN_IF_ERROR(conn.exec("recording the event", insert).status());
      return aborted("the state change failed");
    });
    if (s.code() != Code::kAborted || s.message() != "the state change failed") return s;
    return ok_status();
  }
};

#ifdef IGNITE_EVENT_OUTBOX_BACKEND_POSTGRES
INSTANTIATE_TEST_SUITE_P(Postgres, EventOutboxTest, ::testing::Values(QueueBackend::kPostgres),
                         queue_backend_name);
#else
INSTANTIATE_TEST_SUITE_P(Sqlite, EventOutboxTest, ::testing::Values(QueueBackend::kSqlite),
                         queue_backend_name);
#endif

TEST_P(EventOutboxTest, EachEventKeepsWhatItsBuildWasThen) {
  auto q = open_queue();
  ASSERT_TRUE(q);
  const auto b = submit(*q, "acme-corp/greet", BuildPriority::kNormal, draft_options());
  auto c = q->claim("worker-1", kLease);
  ASSERT_TRUE(c.ok() && c->has_value());
  ASSERT_TRUE(q->set_stage(b.id, (*c)->epoch, "intake").ok());
  auto retried = q->fail(b.id, (*c)->epoch, unavailable("registry unreachable"), true);
  ASSERT_TRUE(retried.ok());
  EXPECT_EQ(retried->error_code, Code::kUnavailable);
  advance(minutes(2));  // past the backoff
  auto c2 = q->claim("worker-1", kLease);
  ASSERT_TRUE(c2.ok() && c2->has_value());
  auto done = q->succeed_draft(b.id, (*c2)->epoch, BuildOutcome{0, digest_of('d'), digest_of('l')});
  ASSERT_TRUE(done.ok()) << done.status().to_string();
  EXPECT_EQ(done->error_code, Code::kOk);
  EXPECT_EQ(done->error, "");

  const auto events = events_of(*q, b.id);
  ASSERT_EQ(events.size(), 6u);  // queued, running, stage, queued again, running, succeeded
  EXPECT_EQ(events[0].state, BuildState::kQueued);
  EXPECT_EQ(events[0].code_hash, digest_of('c'));
  EXPECT_EQ(events[0].error_code, Code::kOk);
  EXPECT_EQ(events[0].manifest_digest, "");
  // The retry's event says why the build went back to the queue; the next attempt's do not.
  EXPECT_EQ(events[3].state, BuildState::kQueued);
  EXPECT_EQ(events[3].error_code, Code::kUnavailable);
  EXPECT_EQ(events[3].error, "registry unreachable");
  EXPECT_EQ(events[4].state, BuildState::kRunning);
  EXPECT_EQ(events[4].error, "");
  EXPECT_EQ(events[5].state, BuildState::kSucceeded);
  EXPECT_EQ(events[5].manifest_digest, digest_of('d'));
  EXPECT_EQ(events[5].lock_hash, digest_of('l'));
  EXPECT_EQ(events[5].error_code, Code::kOk);
}

TEST_P(EventOutboxTest, FailuresRecordTheirCode) {
  auto q = open_queue();
  ASSERT_TRUE(q);
  const auto b = submit(*q, "acme-corp/a");
  auto c = q->claim("worker-1", kLease);
  ASSERT_TRUE(c.ok() && c->has_value());
  auto failed = q->fail(b.id, (*c)->epoch, invalid_argument("handler.py is missing"), false);
  ASSERT_TRUE(failed.ok());
  EXPECT_EQ(q->get(b.id)->error_code, Code::kInvalidArgument);
  EXPECT_EQ(events_of(*q, b.id).back().error_code, Code::kInvalidArgument);
  EXPECT_EQ(events_of(*q, b.id).back().error, "handler.py is missing");

  // The queue's own endings have codes too: a deadline, a cancel.
  SubmitOptions short_deadline;
  short_deadline.deadline = seconds(10);
  const auto late = submit(*q, "acme-corp/b", BuildPriority::kNormal, short_deadline);
  advance(seconds(11));
  ASSERT_TRUE(q->sweep().ok());
  EXPECT_EQ(q->get(late.id)->error_code, Code::kDeadlineExceeded);
  const auto cancelled = submit(*q, "acme-corp/c");
  ASSERT_TRUE(q->request_cancel(cancelled.id).ok());
  EXPECT_EQ(q->get(cancelled.id)->error_code, Code::kCancelled);
  EXPECT_EQ(events_of(*q, cancelled.id).back().error_code, Code::kCancelled);
}

TEST_P(EventOutboxTest, EventsEnterOnlyOnceItIsOnAndLeaveWhenDelivered) {
  auto q = open_queue();
  auto outbox = open_outbox();
  ASSERT_TRUE(q && outbox);
  const auto before = submit(*q, "acme-corp/a");
  EXPECT_FALSE(*outbox->enabled());
  EXPECT_TRUE(outbox->next(10)->empty());

  ASSERT_TRUE(outbox->enable().ok());
  ASSERT_TRUE(outbox->enable().ok());  // idempotent
  EXPECT_TRUE(*outbox->enabled());
  EXPECT_TRUE(outbox->next(10)->empty());  // what came before stays out
  advance(seconds(1));
  const auto b = submit(*q, "acme-corp/b");
  advance(seconds(1));
  const auto c = submit(*q, "acme-corp/c");
  advance(seconds(1));
  auto claimed = q->claim("worker-1", kLease);  // `before`, the oldest: not in the outbox
  ASSERT_TRUE(claimed.ok() && claimed->has_value());
  EXPECT_EQ((*claimed)->build.id, before.id);
  advance(seconds(1));
  auto claimed_b = q->claim("worker-1", kLease);  // b's second event
  ASSERT_TRUE(claimed_b.ok() && claimed_b->has_value());

  auto stats = outbox->stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->depth, 4);  // before's claim, b's two, c's one
  EXPECT_EQ(stats->oldest_at_ms, b.submitted_at_ms);
  // One event per build, the lowest sequence, oldest first.
  auto next = outbox->next(10);
  ASSERT_TRUE(next.ok()) << next.status().to_string();
  ASSERT_EQ(next->size(), 3u);
  EXPECT_EQ((*next)[0].event.build_id, b.id);
  EXPECT_EQ((*next)[0].event.sequence, 1);
  EXPECT_EQ((*next)[0].event.state, BuildState::kQueued);
  EXPECT_EQ((*next)[0].event.code_hash, digest_of('c'));
  EXPECT_EQ((*next)[0].app.to_string(), "acme-corp/b");
  EXPECT_EQ((*next)[1].event.build_id, c.id);
  EXPECT_EQ((*next)[2].event.build_id, before.id);
  EXPECT_EQ((*next)[2].event.sequence, 2);
  EXPECT_EQ((*next)[2].app.to_string(), "acme-corp/a");
  ASSERT_EQ(outbox->next(1)->size(), 1u);
  EXPECT_EQ((*outbox->next(1))[0].event.build_id, b.id);
  EXPECT_TRUE(is_error(outbox->next(0).status(), Code::kInvalidArgument, "max_builds"));

  ASSERT_TRUE(outbox->delivered({{b.id, 1}, {c.id, 1}}).ok());
  ASSERT_TRUE(outbox->delivered({{b.id, 1}}).ok());  // again: a no-op
  ASSERT_TRUE(outbox->delivered({}).ok());
  next = outbox->next(10);
  ASSERT_TRUE(next.ok()) << next.status().to_string();
  ASSERT_EQ(next->size(), 2u);
  EXPECT_EQ((*next)[0].event.build_id, before.id);
  EXPECT_EQ((*next)[1].event.build_id, b.id);
  EXPECT_EQ((*next)[1].event.sequence, 2);
  EXPECT_EQ((*next)[1].event.state, BuildState::kRunning);
  EXPECT_EQ(outbox->stats()->depth, 2);

  // A rolled-back state change leaves no event in the outbox either: they are one transaction.
  ASSERT_TRUE(record_an_event_and_roll_back(c.id).ok());
  EXPECT_EQ(outbox->stats()->depth, 2);

  ASSERT_TRUE(outbox->delivered({{before.id, 2}, {b.id, 2}}).ok());
  stats = outbox->stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->depth, 0);
  EXPECT_EQ(stats->oldest_at_ms, 0);  // none waiting
  EXPECT_TRUE(outbox->next(10)->empty());
}

TEST_P(EventOutboxTest, OneDelivererHoldsTheStoreAtATime) {
  auto a = open_outbox();
  auto b = open_outbox();
  ASSERT_TRUE(a && b);
  EXPECT_TRUE(*a->take_delivery_lease("a", seconds(10)));
  EXPECT_FALSE(*b->take_delivery_lease("b", seconds(10)));
  EXPECT_TRUE(*a->take_delivery_lease("a", seconds(10)));  // renewed
  advance(seconds(11));
  EXPECT_TRUE(*b->take_delivery_lease("b", seconds(10)));  // a's lapsed
  EXPECT_FALSE(*a->take_delivery_lease("a", seconds(10)));
  ASSERT_TRUE(a->release_delivery_lease("a").ok());  // not a's: nothing changes
  EXPECT_FALSE(*a->take_delivery_lease("a", seconds(10)));
  ASSERT_TRUE(b->release_delivery_lease("b").ok());
  EXPECT_TRUE(*a->take_delivery_lease("a", seconds(10)));
  EXPECT_TRUE(
      is_error(a->take_delivery_lease("", seconds(1)).status(), Code::kInvalidArgument, "owner"));
  EXPECT_TRUE(is_error(a->take_delivery_lease("a", milliseconds(0)).status(),
                       Code::kInvalidArgument, "must be positive"));
}

}  // namespace
}  // namespace ignite::store
