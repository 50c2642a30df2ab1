// The build queue's life cycle: submit, claim order, the per-org cap, retries and backoff,
// cancel, deadlines, events, list, durability and the schema. Leases, epochs and the fenced
// commit are in build_queue_fencing_test.cc.
#include "builder/store/build_queue.h"

#include <gtest/gtest.h>

#include "builder/store/build_id.h"
#include "builder/store/sqlite_build_queue.h"
#include "builder/util/utf8.h"
#include "tests/store/build_queue_fixture.h"

namespace ignite::store {

// BuildQueueTest's one instance in each test program (build_queue_fixture.h): the cases of every
// build_queue_*_test.cc run on SQLite in store_test and on PostgreSQL in store_pg_test.
#ifdef IGNITE_BUILD_QUEUE_BACKEND_POSTGRES
INSTANTIATE_TEST_SUITE_P(Postgres, BuildQueueTest, ::testing::Values(QueueBackend::kPostgres),
                         queue_backend_name);
#else
INSTANTIATE_TEST_SUITE_P(Sqlite, BuildQueueTest, ::testing::Values(QueueBackend::kSqlite),
                         queue_backend_name);
#endif

namespace {

TEST_P(BuildQueueTest, SubmitRecordsTheBuildAndItsFirstEventBeforeReturning) {
  auto q = open_queue();
  auto b = q->submit(app_id("acme-corp/greet"), digest_of('5'), digest_of('c'),
                     BuildPriority::kPublish, SubmitOptions{});
  ASSERT_TRUE(b.ok()) << b.status().to_string();
  EXPECT_TRUE(is_build_id(b->id)) << b->id;
  EXPECT_EQ(b->app.to_string(), "acme-corp/greet");
  EXPECT_EQ(b->state, BuildState::kQueued);
  EXPECT_EQ(b->priority, BuildPriority::kPublish);
  EXPECT_EQ(b->source_digest, digest_of('5'));
  EXPECT_EQ(b->code_hash, digest_of('c'));
  EXPECT_EQ(b->attempts, 0);
  EXPECT_EQ(b->max_attempts, 3);
  EXPECT_EQ(b->submitted_at_ms, now());
  EXPECT_EQ(b->deadline_ms, now() + milliseconds(minutes(15)).count());
  EXPECT_EQ(b->lease_epoch, 0);

  // Another connection, as another process would open: the build is there already.
  auto other = open_queue();
  ASSERT_NE(other, nullptr);
  auto got = other->get(b->id);
  ASSERT_TRUE(got.ok()) << got.status().to_string();
  EXPECT_EQ(got->app, b->app);
  EXPECT_EQ(got->state, BuildState::kQueued);
  EXPECT_EQ(got->priority, BuildPriority::kPublish);
  EXPECT_EQ(got->source_digest, b->source_digest);
  EXPECT_EQ(got->code_hash, b->code_hash);
  EXPECT_EQ(got->max_attempts, 3);
  EXPECT_EQ(got->submitted_at_ms, b->submitted_at_ms);
  EXPECT_EQ(got->deadline_ms, b->deadline_ms);

  auto events = other->events(b->id, 0);
  ASSERT_TRUE(events.ok()) << events.status().to_string();
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ((*events)[0].build_id, b->id);
  EXPECT_EQ((*events)[0].sequence, 1);
  EXPECT_EQ((*events)[0].state, BuildState::kQueued);
  EXPECT_EQ((*events)[0].at_ms, now());
  EXPECT_NE((*events)[0].message.find("submitted (publish priority"), std::string::npos)
      << (*events)[0].message;

  auto page = other->list(BuildFilter{});
  ASSERT_TRUE(page.ok()) << page.status().to_string();
  ASSERT_EQ(page->builds.size(), 1u);
  EXPECT_EQ(page->builds[0].id, b->id);
  EXPECT_EQ(page->next_page_token, "");
}

TEST_P(BuildQueueTest, SubmitRefusesBadInputAndRecordsNothing) {
  auto q = open_queue();
  const AppId app = app_id("acme-corp/greet");
  EXPECT_TRUE(
      is_error(q->submit(app, "sha256:short", digest_of('c'), BuildPriority::kNormal, {}).status(),
               Code::kInvalidArgument, "source digest"));
  EXPECT_TRUE(
      is_error(q->submit(app, digest_of('5'), "md5:abc", BuildPriority::kNormal, {}).status(),
               Code::kInvalidArgument, "code hash"));
  EXPECT_TRUE(is_error(
      q->submit(app, digest_of('5'), "", BuildPriority::kNormal, SubmitOptions{.max_attempts = 0})
          .status(),
      Code::kInvalidArgument, "max_attempts must be 1 to 100, not 0"));
  EXPECT_TRUE(is_error(q->submit(app, digest_of('5'), "", BuildPriority::kNormal,
                                 SubmitOptions{.deadline = milliseconds(0)})
                           .status(),
                       Code::kInvalidArgument, "deadline must be positive"));
  EXPECT_TRUE(q->list(BuildFilter{})->builds.empty());
  // An image has no codeHash: "" is accepted.
  EXPECT_TRUE(q->submit(app, digest_of('5'), "", BuildPriority::kNormal, {}).ok());
}

TEST_P(BuildQueueTest, UnknownIdsAreNotFoundAndMalformedOnesInvalid) {
  auto q = open_queue();
  const std::string unknown = "b-" + std::string(32, '0');
  EXPECT_TRUE(
      is_error(q->get(unknown).status(), Code::kNotFound, "build " + unknown + " not found"));
  EXPECT_EQ(q->events(unknown, 0).status().code(), Code::kNotFound);
  EXPECT_EQ(q->request_cancel(unknown).status().code(), Code::kNotFound);
  EXPECT_EQ(q->heartbeat(unknown, 1, kLease).status().code(), Code::kNotFound);
  EXPECT_EQ(q->set_stage(unknown, 1, "intake").code(), Code::kNotFound);
  EXPECT_TRUE(is_error(q->get("nope").status(), Code::kInvalidArgument, "is not one this queue"));
  EXPECT_EQ(q->get("b-" + std::string(32, 'A')).status().code(), Code::kInvalidArgument);
}

TEST_P(BuildQueueTest, ClaimTakesPublishBuildsFirstThenTheOldest) {
  auto q = open_queue(/*max_running_per_org=*/10);
  // Submitted in the same millisecond: the order of submission decides, not the clock.
  const auto n1 = submit(*q, "acme-corp/a");
  const auto n2 = submit(*q, "acme-corp/b");
  const auto p1 = submit(*q, "acme-corp/c", BuildPriority::kPublish);
  advance(seconds(1));
  const auto n3 = submit(*q, "acme-corp/d");
  const auto p2 = submit(*q, "acme-corp/e", BuildPriority::kPublish);

  auto first = q->claim("worker-1", kLease);
  ASSERT_TRUE(first.ok()) << first.status().to_string();
  ASSERT_TRUE(first->has_value());
  const Claim& c = **first;
  EXPECT_EQ(c.build.id, p1.id);
  EXPECT_EQ(c.epoch, 1);
  EXPECT_EQ(c.build.lease_epoch, 1);
  EXPECT_EQ(c.build.state, BuildState::kRunning);
  EXPECT_EQ(c.build.attempts, 1);
  EXPECT_EQ(c.build.lease_owner, "worker-1");
  EXPECT_EQ(c.build.lease_expires_ms, now() + kLease.count());
  EXPECT_EQ(c.build.started_at_ms, now());

  EXPECT_EQ(claim_id(*q, "worker-2"), p2.id);
  EXPECT_EQ(claim_id(*q, "worker-3"), n1.id);
  EXPECT_EQ(claim_id(*q, "worker-4"), n2.id);
  EXPECT_EQ(claim_id(*q, "worker-5"), n3.id);
  EXPECT_EQ(claim_id(*q, "worker-6"), "");
}

TEST_P(BuildQueueTest, ClaimRefusesABadWorkerIdOrLease) {
  auto q = open_queue();
  submit(*q, "acme-corp/greet");
  EXPECT_EQ(q->claim("", kLease).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(q->claim("has space", kLease).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(q->claim("worker", milliseconds(0)).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(q->list(BuildFilter{.state = BuildState::kQueued})->builds.size(), 1u);
}

TEST_P(BuildQueueTest, ARetryWaitsForItsBackoffWhileNewerBuildsGoFirst) {
  auto q = open_queue();
  const auto a = submit(*q, "acme-corp/a");
  auto claim = q->claim("worker-1", kLease);
  ASSERT_TRUE(claim.ok() && claim->has_value());
  auto failed =
      q->fail(a.id, (*claim)->epoch, unavailable("registry unreachable"), /*retryable=*/true);
  ASSERT_TRUE(failed.ok()) << failed.status().to_string();
  EXPECT_EQ(failed->state, BuildState::kQueued);
  EXPECT_EQ(failed->not_before_ms, now() + 1000);

  const auto b = submit(*q, "acme-corp/b");
  EXPECT_EQ(claim_id(*q, "worker-1"), b.id);  // a is still in its backoff
  EXPECT_EQ(claim_id(*q, "worker-2"), "");
  advance(milliseconds(999));
  EXPECT_EQ(claim_id(*q, "worker-2"), "");
  advance(milliseconds(1));
  EXPECT_EQ(claim_id(*q, "worker-2"), a.id);
}

// A pool of two workers and a cap of one: org A's five builds cannot take both workers while
// org B waits.
TEST_P(BuildQueueTest, PerOrgCapLeavesTheOtherWorkerToAnotherOrg) {
  auto q = open_queue(/*max_running_per_org=*/1);
  std::vector<BuildRecord> a;
  for (int i = 0; i < 5; ++i) a.push_back(submit(*q, "org-a/app"));
  const auto b = submit(*q, "org-b/app");

  auto first = q->claim("worker-1", kLease);
  ASSERT_TRUE(first.ok() && first->has_value());
  EXPECT_EQ((*first)->build.id, a[0].id);
  EXPECT_EQ(claim_id(*q, "worker-2"), b.id);
  // Org A is at its cap and org B has nothing left: an idle worker waits rather than break it.
  EXPECT_EQ(claim_id(*q, "worker-3"), "");

  ASSERT_TRUE(
      q->fail(a[0].id, (*first)->epoch, unavailable("bad source"), /*retryable=*/false).ok());
  EXPECT_EQ(claim_id(*q, "worker-1"), a[1].id);
}

TEST_P(BuildQueueTest, TheDefaultCapIsTwoRunningBuildsPerOrg) {
  auto q = open_queue();
  std::vector<BuildRecord> a;
  for (int i = 0; i < 5; ++i) a.push_back(submit(*q, "org-a/app"));
  const auto b = submit(*q, "org-b/app");
  EXPECT_EQ(claim_id(*q, "worker-1"), a[0].id);
  EXPECT_EQ(claim_id(*q, "worker-2"), a[1].id);
  EXPECT_EQ(claim_id(*q, "worker-3"), b.id);  // before org A's older third build
  EXPECT_EQ(claim_id(*q, "worker-4"), "");
  auto running = q->list(BuildFilter{.state = BuildState::kRunning});
  ASSERT_TRUE(running.ok());
  EXPECT_EQ(running->builds.size(), 3u);
}

TEST_P(BuildQueueTest, RetriesBackOffThenFailWithTheLastError) {
  auto q = open_queue();
  const auto b = submit(*q, "acme-corp/greet");
  const std::int64_t expected_wait[] = {1000, 2000};
  for (int attempt = 1; attempt <= 3; ++attempt) {
    auto c = q->claim("worker-1", kLease);
    ASSERT_TRUE(c.ok() && c->has_value()) << "attempt " << attempt;
    EXPECT_EQ((*c)->build.id, b.id);
    EXPECT_EQ((*c)->build.attempts, attempt);
    EXPECT_EQ((*c)->epoch, attempt);
    ASSERT_TRUE(q->set_stage(b.id, (*c)->epoch, "deps").ok());
    const std::string error = "index unreachable #" + std::to_string(attempt);
    auto after = q->fail(b.id, (*c)->epoch, unavailable(error), /*retryable=*/true);
    ASSERT_TRUE(after.ok()) << after.status().to_string();
    EXPECT_EQ(after->error, error);
    if (attempt < 3) {
      const std::int64_t wait = expected_wait[attempt - 1];
      EXPECT_EQ(after->state, BuildState::kQueued);
      EXPECT_EQ(after->stage, "");
      EXPECT_EQ(after->lease_owner, "");
      EXPECT_EQ(after->not_before_ms, now() + wait);
      advance(milliseconds(wait - 1));
      EXPECT_EQ(claim_id(*q, "worker-2"), "") << "attempt " << attempt;
      advance(milliseconds(1));
    } else {
      EXPECT_EQ(after->state, BuildState::kFailed);
      EXPECT_EQ(after->stage, "deps");
      EXPECT_EQ(after->finished_at_ms, now());
    }
  }
  auto got = q->get(b.id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->state, BuildState::kFailed);
  EXPECT_EQ(got->error, "index unreachable #3");
  EXPECT_EQ(got->attempts, 3);
  EXPECT_EQ(claim_id(*q, "worker-1"), "");
  auto events = events_of(*q, b.id);
  ASSERT_FALSE(events.empty());
  EXPECT_NE(events.back().message.find("attempt 3 of 3 failed in stage deps: index unreachable #3; "
                                       "no attempts left"),
            std::string::npos)
      << events.back().message;
}

TEST_P(BuildQueueTest, AnInjectedBackoffIsUsed) {
  QueueOptions o = options();
  o.backoff = [](int failed_attempts) { return seconds(10) * failed_attempts; };
  auto q = open_queue(o);
  ASSERT_NE(q, nullptr);
  const auto b = submit(*q, "acme-corp/greet");
  auto c = q->claim("worker-1", kLease);
  ASSERT_TRUE(c.ok() && c->has_value());
  auto after = q->fail(b.id, (*c)->epoch, unavailable("flaky"), true);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->not_before_ms, now() + 10'000);
}

TEST(BuildQueueBackoffTest, DoublesFromOneSecondUpToAMinute) {
  EXPECT_EQ(default_backoff(0), seconds(1));
  EXPECT_EQ(default_backoff(1), seconds(1));
  EXPECT_EQ(default_backoff(2), seconds(2));
  EXPECT_EQ(default_backoff(3), seconds(4));
  EXPECT_EQ(default_backoff(6), seconds(32));
  EXPECT_EQ(default_backoff(7), seconds(60));
  EXPECT_EQ(default_backoff(1000), seconds(60));
}

TEST_P(BuildQueueTest, AHugeErrorKeepsItsHeadAndTail) {
  auto q = open_queue();
  const auto b = submit(*q, "acme-corp/greet");
  const auto c = *q->claim("worker-1", kLease);
  // A tool's whole output in the error, with a multi-byte character at each cut.
  const std::string error = "building acme-corp/greet: " + std::string(6 * 1024, 'h') + "é" +
                            std::string(20000, 'm') + "é" + std::string(2 * 1024, 't') + " cause";
  auto failed = q->fail(b.id, c->epoch, unavailable(error), /*retryable=*/false);
  ASSERT_TRUE(failed.ok()) << failed.status().to_string();
  const std::string kept = q->get(b.id)->error;
  EXPECT_LT(kept.size(), 8 * 1024 + 100);
  EXPECT_EQ(kept.rfind("building acme-corp/greet: hhh", 0), 0u);
  EXPECT_TRUE(kept.ends_with("ttt cause")) << kept.substr(kept.size() - 40);
  EXPECT_NE(kept.find(" bytes cut ...] "), std::string::npos);
  EXPECT_TRUE(is_valid_utf8(kept));
}

TEST_P(BuildQueueTest, ANonRetryableFailureFailsAtOnce) {
  auto q = open_queue();
  const auto b = submit(*q, "acme-corp/greet");
  auto c = q->claim("worker-1", kLease);
  ASSERT_TRUE(c.ok() && c->has_value());
  auto after =
      q->fail(b.id, (*c)->epoch, unavailable("handler.py is missing"), /*retryable=*/false);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->state, BuildState::kFailed);
  EXPECT_EQ(after->attempts, 1);
  EXPECT_EQ(after->error, "handler.py is missing");
}

TEST_P(BuildQueueTest, NoRetryWhoseBackoffWouldEndPastTheDeadline) {
  auto q = open_queue();
  const auto b =
      submit(*q, "acme-corp/greet", BuildPriority::kNormal, SubmitOptions{.deadline = seconds(10)});
  auto c = q->claim("worker-1", kLease);
  ASSERT_TRUE(c.ok() && c->has_value());
  advance(milliseconds(9'500));
  auto after = q->fail(b.id, (*c)->epoch, unavailable("flaky"), /*retryable=*/true);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->state, BuildState::kFailed);
  EXPECT_EQ(after->error, "flaky");
}

TEST_P(BuildQueueTest, CancellingAQueuedBuildEndsItAtOnce) {
  auto q = open_queue();
  const auto b = submit(*q, "acme-corp/greet");
  auto cancelled = q->request_cancel(b.id);
  ASSERT_TRUE(cancelled.ok()) << cancelled.status().to_string();
  EXPECT_EQ(cancelled->state, BuildState::kCancelled);
  EXPECT_EQ(cancelled->finished_at_ms, now());
  EXPECT_EQ(q->get(b.id)->state, BuildState::kCancelled);
  EXPECT_EQ(claim_id(*q, "worker-1"), "");
  auto events = events_of(*q, b.id);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].state, BuildState::kCancelled);
  EXPECT_EQ(events[1].message, "cancelled while queued");
}

TEST_P(BuildQueueTest, CancellingABuildWaitingForItsRetryEndsItAtOnce) {
  auto q = open_queue();
  const auto b = submit(*q, "acme-corp/greet");
  auto c = q->claim("worker-1", kLease);
  ASSERT_TRUE(c.ok() && c->has_value());
  ASSERT_TRUE(q->fail(b.id, (*c)->epoch, unavailable("flaky"), true).ok());
  auto cancelled = q->request_cancel(b.id);
  ASSERT_TRUE(cancelled.ok());
  EXPECT_EQ(cancelled->state, BuildState::kCancelled);
  advance(minutes(1));
  EXPECT_EQ(claim_id(*q, "worker-1"), "");
}

TEST_P(BuildQueueTest, CancellingARunningBuildStopsItAtItsNextStageBoundary) {
  auto q = open_queue();
  const auto b = submit(*q, "acme-corp/greet");
  auto c = q->claim("worker-1", kLease);
  ASSERT_TRUE(c.ok() && c->has_value());
  const std::int64_t epoch = (*c)->epoch;
  ASSERT_TRUE(q->set_stage(b.id, epoch, "intake").ok());

  auto requested = q->request_cancel(b.id);
  ASSERT_TRUE(requested.ok()) << requested.status().to_string();
  EXPECT_EQ(requested->state, BuildState::kRunning);
  EXPECT_TRUE(requested->cancel_requested);
  const std::size_t events_after_request = events_of(*q, b.id).size();
  // Asking again records nothing new.
  ASSERT_TRUE(q->request_cancel(b.id).ok());
  EXPECT_EQ(events_of(*q, b.id).size(), events_after_request);

  auto beat = q->heartbeat(b.id, epoch, kLease);
  ASSERT_TRUE(beat.ok());
  EXPECT_TRUE(*beat);  // the worker hears of it mid-stage

  Status next = q->set_stage(b.id, epoch, "layers");
  EXPECT_EQ(next.code(), Code::kCancelled);
  EXPECT_EQ(next.message(), "build " + b.id + " cancelled before stage layers");
  auto got = q->get(b.id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->state, BuildState::kCancelled);
  EXPECT_EQ(got->stage, "intake");  // it never entered "layers"
  EXPECT_EQ(got->finished_at_ms, now());
  EXPECT_EQ(events_of(*q, b.id).back().state, BuildState::kCancelled);
}

TEST_P(BuildQueueTest, AWorkerStopsMidStageWithMarkCancelledOnlyWhenACancelWasRequested) {
  auto q = open_queue();
  const auto b = submit(*q, "acme-corp/greet");
  auto c = q->claim("worker-1", kLease);
  ASSERT_TRUE(c.ok() && c->has_value());
  const std::int64_t epoch = (*c)->epoch;
  EXPECT_TRUE(is_error(q->mark_cancelled(b.id, epoch), Code::kFailedPrecondition,
                       "has no cancel requested"));
  EXPECT_EQ(q->get(b.id)->state, BuildState::kRunning);

  ASSERT_TRUE(q->request_cancel(b.id).ok());
  ASSERT_TRUE(q->mark_cancelled(b.id, epoch).ok());
  EXPECT_EQ(q->get(b.id)->state, BuildState::kCancelled);
}

TEST_P(BuildQueueTest, AFailureAfterACancelRequestEndsCancelledWithoutARetry) {
  auto q = open_queue();
  const auto b = submit(*q, "acme-corp/greet");
  auto c = q->claim("worker-1", kLease);
  ASSERT_TRUE(c.ok() && c->has_value());
  ASSERT_TRUE(q->request_cancel(b.id).ok());
  auto after = q->fail(b.id, (*c)->epoch, unavailable("killed"), /*retryable=*/true);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->state, BuildState::kCancelled);
  EXPECT_EQ(after->error, "killed");
}

TEST_P(BuildQueueTest, CancellingAPublishedBuildIsRefusedNamingItsVersion) {
  auto q = open_queue();
  auto versions = open_versions();
  const auto b = submit(*q, "acme-corp/greet");
  auto c = q->claim("worker-1", kLease);
  ASSERT_TRUE(c.ok() && c->has_value());
  auto v = commit(*versions, *q, b, (*c)->epoch, digest_of('1'));
  ASSERT_TRUE(v.ok()) << v.status().to_string();

  Status s = q->request_cancel(b.id).status();
  EXPECT_EQ(s.code(), Code::kFailedPrecondition);
  EXPECT_EQ(s.message(), "build " + b.id + " already published as v1");
  EXPECT_EQ(q->get(b.id)->state, BuildState::kSucceeded);
}

TEST_P(BuildQueueTest, CancellingAnEndedBuildIsRefusedNamingItsState) {
  auto q = open_queue();
  const auto failed = submit(*q, "acme-corp/a");
  auto c = q->claim("worker-1", kLease);
  ASSERT_TRUE(c.ok() && c->has_value());
  ASSERT_TRUE(q->fail(failed.id, (*c)->epoch, unavailable("bad"), false).ok());
  Status s = q->request_cancel(failed.id).status();
  EXPECT_EQ(s.code(), Code::kFailedPrecondition);
  EXPECT_EQ(s.message(), "build " + failed.id + " already ended as FAILED");

  const auto cancelled = submit(*q, "acme-corp/b");
  ASSERT_TRUE(q->request_cancel(cancelled.id).ok());
  s = q->request_cancel(cancelled.id).status();
  EXPECT_EQ(s.code(), Code::kFailedPrecondition);
  EXPECT_EQ(s.message(), "build " + cancelled.id + " already ended as CANCELLED");
}

TEST_P(BuildQueueTest, AQueuedBuildPastItsDeadlineFails) {
  auto q = open_queue();
  const auto b =
      submit(*q, "acme-corp/greet", BuildPriority::kNormal, SubmitOptions{.deadline = seconds(60)});
  advance(seconds(59));
  ASSERT_TRUE(q->sweep().ok());
  EXPECT_EQ(q->get(b.id)->state, BuildState::kQueued);
  advance(seconds(1));
  EXPECT_EQ(claim_id(*q, "worker-1"), "");
  auto got = q->get(b.id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->state, BuildState::kFailed);
  EXPECT_EQ(got->error,
            "deadline exceeded: not finished within 60 s of its submission "
            "(still queued)");
  EXPECT_EQ(got->finished_at_ms, now());
}

TEST_P(BuildQueueTest, ARunningBuildPastItsDeadlineFailsAtTheSweep) {
  auto q = open_queue();
  const auto b = submit(*q, "acme-corp/greet");
  auto c = q->claim("worker-1", minutes(20));
  ASSERT_TRUE(c.ok() && c->has_value());
  ASSERT_TRUE(q->set_stage(b.id, (*c)->epoch, "layers").ok());
  advance(minutes(15));
  ASSERT_TRUE(q->sweep().ok());
  auto got = q->get(b.id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->state, BuildState::kFailed);
  EXPECT_EQ(got->error,
            "deadline exceeded: not finished within 900 s of its submission "
            "(in stage layers, attempt 1 of 3)");
  // Its worker learns at its next call.
  EXPECT_TRUE(is_error(q->heartbeat(b.id, (*c)->epoch, kLease).status(), Code::kAborted,
                       "is FAILED, no longer running"));
}

TEST_P(BuildQueueTest, AHeartbeatPastTheDeadlineFailsTheBuild) {
  auto q = open_queue();
  const auto b =
      submit(*q, "acme-corp/greet", BuildPriority::kNormal, SubmitOptions{.deadline = minutes(2)});
  auto c = q->claim("worker-1", kLease);
  ASSERT_TRUE(c.ok() && c->has_value());
  for (int i = 0; i < 3; ++i) {  // kept alive until 1.5 min
    advance(seconds(30));
    ASSERT_TRUE(q->heartbeat(b.id, (*c)->epoch, kLease).ok()) << i;
  }
  advance(seconds(30));
  EXPECT_TRUE(is_error(q->heartbeat(b.id, (*c)->epoch, kLease).status(), Code::kDeadlineExceeded,
                       "deadline exceeded"));
  EXPECT_EQ(q->get(b.id)->state, BuildState::kFailed);
}

TEST_P(BuildQueueTest, EventsAreNumberedOneToNWithoutGaps) {
  auto q = open_queue();
  const auto b = submit(*q, "acme-corp/greet");  // 1
  auto c1 = q->claim("worker-1", kLease);        // 2
  ASSERT_TRUE(c1.ok() && c1->has_value());
  ASSERT_TRUE(q->set_stage(b.id, (*c1)->epoch, "intake").ok());  // 3
  ASSERT_TRUE(q->heartbeat(b.id, (*c1)->epoch, kLease).ok());    // (none)
  ASSERT_TRUE(q->fail(b.id, (*c1)->epoch, unavailable("flaky"), /*retryable=*/true).ok());  // 4
  advance(seconds(1));
  auto c2 = q->claim("worker-2", kLease);  // 5
  ASSERT_TRUE(c2.ok() && c2->has_value());
  ASSERT_TRUE(q->set_stage(b.id, (*c2)->epoch, "intake").ok());                   // 6
  ASSERT_TRUE(q->set_stage(b.id, (*c2)->epoch, "layers").ok());                   // 7
  ASSERT_TRUE(q->request_cancel(b.id).ok());                                      // 8
  EXPECT_EQ(q->set_stage(b.id, (*c2)->epoch, "image").code(), Code::kCancelled);  // 9

  auto events = events_of(*q, b.id);
  const BuildState expected[] = {
      BuildState::kQueued,  BuildState::kRunning, BuildState::kRunning,
      BuildState::kQueued,  BuildState::kRunning, BuildState::kRunning,
      BuildState::kRunning, BuildState::kRunning, BuildState::kCancelled};
  ASSERT_EQ(events.size(), std::size(expected));
  for (std::size_t i = 0; i < events.size(); ++i) {
    EXPECT_EQ(events[i].sequence, static_cast<std::int64_t>(i + 1));
    EXPECT_EQ(events[i].state, expected[i]) << i << ": " << events[i].message;
  }
  EXPECT_EQ(events[2].stage, "intake");
  EXPECT_EQ(events[6].stage, "layers");

  auto tail = q->events(b.id, 7);
  ASSERT_TRUE(tail.ok());
  ASSERT_EQ(tail->size(), 2u);
  EXPECT_EQ((*tail)[0].sequence, 8);
  EXPECT_TRUE(q->events(b.id, 9)->empty());
  EXPECT_EQ(q->events(b.id, -1).status().code(), Code::kInvalidArgument);
}

TEST_P(BuildQueueTest, ListIsNewestFirstWithFiltersAndPages) {
  auto q = open_queue();
  std::vector<std::string> ids;  // in submission order
  for (int i = 0; i < 8; ++i) {
    ids.push_back(submit(*q, i % 2 == 0 ? "acme-corp/a" : "acme-corp/b").id);
    advance(milliseconds(1));
  }
  const std::string running = claim_id(*q, "worker-1");
  EXPECT_EQ(running, ids[0]);

  std::vector<std::string> seen;
  std::string token;
  int pages = 0;
  do {
    auto page = q->list(BuildFilter{.page_size = 3, .page_token = token});
    ASSERT_TRUE(page.ok()) << page.status().to_string();
    for (const auto& b : page->builds) seen.push_back(b.id);
    token = page->next_page_token;
    ++pages;
  } while (!token.empty());
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(seen, std::vector<std::string>(ids.rbegin(), ids.rend()));

  auto only_a = q->list(BuildFilter{.app = app_id("acme-corp/a")});
  ASSERT_TRUE(only_a.ok());
  ASSERT_EQ(only_a->builds.size(), 4u);
  EXPECT_EQ(only_a->builds[0].id, ids[6]);
  EXPECT_EQ(only_a->builds[3].id, ids[0]);

  auto only_running = q->list(BuildFilter{.state = BuildState::kRunning});
  ASSERT_TRUE(only_running.ok());
  ASSERT_EQ(only_running->builds.size(), 1u);
  EXPECT_EQ(only_running->builds[0].id, running);

  auto b_queued = q->list(
      BuildFilter{.app = app_id("acme-corp/b"), .state = BuildState::kQueued, .page_size = 2});
  ASSERT_TRUE(b_queued.ok());
  ASSERT_EQ(b_queued->builds.size(), 2u);
  EXPECT_EQ(b_queued->builds[0].id, ids[7]);
  EXPECT_FALSE(b_queued->next_page_token.empty());

  EXPECT_TRUE(q->list(BuildFilter{.app = app_id("other/app")})->builds.empty());
  EXPECT_EQ(q->list(BuildFilter{.page_token = "x1"}).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(q->list(BuildFilter{.page_token = "0"}).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(q->list(BuildFilter{.page_size = -1}).status().code(), Code::kInvalidArgument);
}

TEST_P(BuildQueueTest, ListPagesAreFiftyByDefaultAndAtMostFiveHundred) {
  auto q = open_queue();
  for (int i = 0; i < 51; ++i) submit(*q, "acme-corp/greet");
  auto page = q->list(BuildFilter{});
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->builds.size(), 50u);
  EXPECT_FALSE(page->next_page_token.empty());
  auto big = q->list(BuildFilter{.page_size = 100'000});
  ASSERT_TRUE(big.ok());
  EXPECT_EQ(big->builds.size(), 51u);
  EXPECT_TRUE(big->next_page_token.empty());
}

TEST_P(BuildQueueTest, ReopeningTheDatabaseKeepsEverything) {
  std::string queued;
  std::string running;
  std::int64_t epoch = 0;
  std::vector<BuildEvent> before;
  {
    auto q = open_queue();
    queued = submit(*q, "acme-corp/a").id;
    running = submit(*q, "acme-corp/b", BuildPriority::kPublish).id;
    auto c = q->claim("worker-1", kLease);
    ASSERT_TRUE(c.ok() && c->has_value());
    ASSERT_EQ((*c)->build.id, running);
    epoch = (*c)->epoch;
    ASSERT_TRUE(q->set_stage(running, epoch, "layers").ok());
    before = events_of(*q, running);
  }
  auto q = open_queue();
  auto got = q->get(running);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->state, BuildState::kRunning);
  EXPECT_EQ(got->stage, "layers");
  EXPECT_EQ(got->priority, BuildPriority::kPublish);
  EXPECT_EQ(got->lease_owner, "worker-1");
  auto after = events_of(*q, running);
  ASSERT_EQ(after.size(), before.size());
  for (std::size_t i = 0; i < after.size(); ++i) {
    EXPECT_EQ(after[i].message, before[i].message);
    EXPECT_EQ(after[i].sequence, before[i].sequence);
  }
  // The lease holds across the restart, and the queued build is still there to claim.
  EXPECT_TRUE(q->heartbeat(running, epoch, kLease).ok());
  EXPECT_EQ(claim_id(*q, "worker-2"), queued);
}

TEST_P(BuildQueueTest, OpenRefusesAZeroCap) {
  EXPECT_TRUE(is_error(try_open_queue(options(0)).status(), Code::kInvalidArgument,
                       "max_running_per_org must be at least 1, not 0"));
}

// The triggers hold the invariants even against SQL that bypasses the queue.
TEST_P(BuildQueueTest, FinishedBuildsAndEventsNeverChange) {
  auto q = open_queue();
  const auto b = submit(*q, "acme-corp/greet");
  ASSERT_TRUE(q->request_cancel(b.id).ok());
  EXPECT_TRUE(is_error(raw("UPDATE builds SET state = 'QUEUED'"), Code::kFailedPrecondition,
                       "a finished build never changes"));
  EXPECT_TRUE(is_error(raw("UPDATE build_events SET message = 'x'"), Code::kFailedPrecondition,
                       "build events are immutable"));
  EXPECT_TRUE(
      is_error(raw("INSERT INTO build_events (build_id, sequence, state, stage, message, at_ms) "
                   "VALUES ('" +
                   b.id + "', 9, 'QUEUED', '', 'gap', 0)"),
               Code::kFailedPrecondition, "gapless"));
  EXPECT_EQ(q->get(b.id)->state, BuildState::kCancelled);
  EXPECT_EQ(events_of(*q, b.id).size(), 2u);
}

TEST(BuildIdTest, IdsAreRandomAndWellFormed) {
  auto a = new_build_id();
  auto b = new_build_id();
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b);
  EXPECT_TRUE(is_build_id(*a)) << *a;
  EXPECT_FALSE(is_build_id("b-123"));
  EXPECT_FALSE(is_build_id("x-" + std::string(32, '0')));
  EXPECT_FALSE(is_build_id("b-" + std::string(31, '0') + "g"));
}

TEST(BuildStateTest, NamesRoundTrip) {
  for (BuildState s : {BuildState::kQueued, BuildState::kRunning, BuildState::kSucceeded,
                       BuildState::kFailed, BuildState::kCancelled}) {
    EXPECT_EQ(parse_build_state(build_state_name(s)), s);
  }
  EXPECT_EQ(parse_build_state("queued"), std::nullopt);
  EXPECT_FALSE(is_finished(BuildState::kRunning));
  EXPECT_TRUE(is_finished(BuildState::kCancelled));
}

// A caller's org scopes ListBuilds (docs/auth.md): only that org's builds, also within pages
// and with the other filters.
TEST_P(BuildQueueTest, ListFiltersByOrg) {
  auto q = open_queue();
  std::vector<std::string> acme;
  for (int i = 0; i < 3; ++i) {
    acme.push_back(submit(*q, "acme-corp/a").id);
    submit(*q, "other-org/a");
    advance(milliseconds(1));
  }
  auto page = q->list(BuildFilter{.org = "acme-corp", .page_size = 2});
  ASSERT_TRUE(page.ok()) << page.status().to_string();
  ASSERT_EQ(page->builds.size(), 2u);
  EXPECT_EQ(page->builds[0].id, acme[2]);
  EXPECT_EQ(page->builds[1].id, acme[1]);
  auto rest = q->list(BuildFilter{.org = "acme-corp", .page_token = page->next_page_token});
  ASSERT_TRUE(rest.ok());
  ASSERT_EQ(rest->builds.size(), 1u);
  EXPECT_EQ(rest->builds[0].id, acme[0]);
  EXPECT_TRUE(rest->next_page_token.empty());
  // Another org's app under this org's filter: nothing, as for an app with no builds.
  EXPECT_TRUE(
      q->list(BuildFilter{.app = app_id("other-org/a"), .org = "acme-corp"})->builds.empty());
  EXPECT_TRUE(q->list(BuildFilter{.org = "nobody"})->builds.empty());
}

#ifndef IGNITE_BUILD_QUEUE_BACKEND_POSTGRES

TEST_F(SqliteBuildQueueTest, AnotherQueueSchemaVersionIsRefused) {
  {
    auto q = open_sqlite_queue();
    ASSERT_TRUE(
        q.database().exec("UPDATE meta SET value = '5' WHERE key = 'queue_schema_version'").ok());
  }
  auto again = SqliteBuildQueue::open(db_path(), options());
  EXPECT_TRUE(is_error(again.status(), Code::kFailedPrecondition,
                       "has build queue schema version 5, this ignite-builder reads version 4"));
  // The version store's own schema version is another matter: it still opens.
  EXPECT_TRUE(SqliteVersionStore::open(db_path()).ok());
}

TEST_F(SqliteBuildQueueTest, TheQueueAndTheVersionStoreShareTheDatabaseOpenedInEitherOrder) {
  {
    auto q = open_sqlite_queue();  // first: creates meta without the version store's schema_version
    auto versions = SqliteVersionStore::open(db_path());
    ASSERT_TRUE(versions.ok()) << versions.status().to_string();
    EXPECT_EQ(*versions->latest_number(app_id("acme-corp/greet")), 0);
  }
  testing::TempDir other;
  auto versions = SqliteVersionStore::open(other / "ignite.db");
  ASSERT_TRUE(versions.ok());
  auto q = SqliteBuildQueue::open(other / "ignite.db", options());
  ASSERT_TRUE(q.ok()) << q.status().to_string();
  EXPECT_TRUE(SqliteVersionStore::open(other / "ignite.db").ok());
  EXPECT_TRUE(SqliteBuildQueue::open(other / "ignite.db", options()).ok());
}

#endif

}  // namespace
}  // namespace ignite::store
