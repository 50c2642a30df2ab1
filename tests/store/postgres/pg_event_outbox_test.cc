// PgEventOutbox's delivery lease with several servers on one PostgreSQL (store_pg_test): what
// only PostgreSQL has, since there the servers that share a store may run on many machines.
// What both backends share is event_outbox_test.cc's.
#include "builder/store/postgres/pg_event_outbox.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <latch>
#include <thread>

#include "tests/testing/postgres_server.h"

namespace ignite::store {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::seconds;

class PgEventOutboxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    IGNITE_TAKE_POSTGRES_DATABASE(url_);
  }
  // A server's outbox: a connection of its own, on the test's clock (or the database's when
  // `clock` is false).
  PgEventOutbox open(bool clock = true) {
    auto o = clock ? PgEventOutbox::open(url_, [this] { return now_.load(); })
                   : PgEventOutbox::open(url_);
    if (!o.ok()) ADD_FAILURE() << o.status().to_string();
    return std::move(o).value();
  }
  // Both servers ask for the lease at the same instant, each on its own thread; their answers.
  static std::pair<bool, bool> race(PgEventOutbox& a, PgEventOutbox& b, milliseconds lease) {
    std::latch start(2);
    auto ask = [&](PgEventOutbox& o, const char* owner) {
      start.arrive_and_wait();
      auto held = o.take_delivery_lease(owner, lease);
      EXPECT_TRUE(held.ok()) << held.status().to_string();
      return held.ok() && *held;
    };
    auto a_held = std::async(std::launch::async, ask, std::ref(a), "a");
    auto b_held = std::async(std::launch::async, ask, std::ref(b), "b");
    return {a_held.get(), b_held.get()};
  }

  void advance(milliseconds d) { now_ += d.count(); }

  std::string url_;
  std::atomic<std::int64_t> now_{1'700'000'000'000};
};

// Round after round the lease lapses and both servers ask for it at once: one gets it, never
// both, never neither; while it holds, the other is refused; once it lapses, the other takes it.
TEST_F(PgEventOutboxTest, TwoServersRacingForTheLeaseNeverBothHoldIt) {
  auto a = open();
  auto b = open();
  for (int round = 0; round < 40; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    advance(seconds(11));  // the last holder's 10 s have lapsed
    const auto [a_held, b_held] = race(a, b, seconds(10));
    ASSERT_NE(a_held, b_held) << "a " << a_held << ", b " << b_held;
    PgEventOutbox& holder = a_held ? a : b;
    PgEventOutbox& other = a_held ? b : a;
    const char* holder_name = a_held ? "a" : "b";
    const char* other_name = a_held ? "b" : "a";
    advance(seconds(5));
    EXPECT_FALSE(*other.take_delivery_lease(other_name, seconds(10)));
    EXPECT_TRUE(*holder.take_delivery_lease(holder_name, seconds(10)));  // renewed to +15 s
    advance(seconds(9));
    EXPECT_FALSE(*other.take_delivery_lease(other_name, seconds(10)));  // the renewal holds
    advance(seconds(1));
    EXPECT_TRUE(*other.take_delivery_lease(other_name, seconds(10)));  // lapsed: taken over
    EXPECT_FALSE(*holder.take_delivery_lease(holder_name, seconds(10)));
  }
}

// The property the single statement rests on: a taker that finds the row locked by another
// taker's transaction waits for it, then judges the row as that transaction left it. Here the
// other transaction takes a lapsed lease for "x"; "b", which would have found it lapsed before,
// must find it held once "x" commits.
TEST_F(PgEventOutboxTest, ATakerWaitsForAConcurrentTakerAndSeesItsOwner) {
  auto b = open();
  ASSERT_TRUE(*b.take_delivery_lease("old", seconds(10)));
  advance(seconds(11));  // "old" lapsed
  auto x = PgConnection::open(url_);
  ASSERT_TRUE(x.ok()) << x.status().to_string();
  ASSERT_TRUE(x->exec("begin", "BEGIN").ok());
  ASSERT_TRUE(x->exec("x takes the lease",
                      "UPDATE event_delivery_lease SET owner = 'x', expires_ms = $1 WHERE id = 1",
                      {now_.load() + milliseconds(seconds(10)).count()})
                  .ok());
  auto b_held =
      std::async(std::launch::async, [&] { return b.take_delivery_lease("b", seconds(10)); });
  // Bounded wait until b's statement waits for the row's lock, so the commit below comes after.
  auto watcher = PgConnection::open(url_);
  ASSERT_TRUE(watcher.ok()) << watcher.status().to_string();
  bool waiting = false;
  for (int i = 0; i < 3000 && !waiting; ++i) {
    auto w = watcher->exec("waiters",
                           "SELECT count(*) FROM pg_stat_activity WHERE datname = "
                           "current_database() AND wait_event_type = 'Lock'");
    ASSERT_TRUE(w.ok()) << w.status().to_string();
    waiting = *w->integer(0, 0) > 0;
    if (!waiting) std::this_thread::sleep_for(milliseconds(10));
  }
  EXPECT_TRUE(waiting) << "b never waited for x's lock";
  ASSERT_TRUE(x->exec("commit", "COMMIT").ok());
  auto held = b_held.get();
  ASSERT_TRUE(held.ok()) << held.status().to_string();
  EXPECT_FALSE(*held);
  auto owner = watcher->exec("owner", "SELECT owner FROM event_delivery_lease");
  ASSERT_TRUE(owner.ok());
  EXPECT_EQ(owner->text(0, 0), "x");
}

// Without a clock of its own, every server times the lease by the database's clock: one clock
// for all machines. A lease of a millisecond lapses by it (a bounded wait), one of an hour does
// not.
TEST_F(PgEventOutboxTest, WithoutAClockTheDatabasesTimesTheLease) {
  auto a = open(/*clock=*/false);
  auto b = open(/*clock=*/false);
  EXPECT_TRUE(*a.take_delivery_lease("a", hours(1)));
  EXPECT_FALSE(*b.take_delivery_lease("b", hours(1)));
  ASSERT_TRUE(a.release_delivery_lease("a").ok());
  EXPECT_TRUE(*b.take_delivery_lease("b", milliseconds(1)));
  bool taken = false;
  for (int i = 0; i < 1000 && !taken; ++i) {
    auto held = a.take_delivery_lease("a", hours(1));
    ASSERT_TRUE(held.ok()) << held.status().to_string();
    taken = *held;
    if (!taken) std::this_thread::sleep_for(milliseconds(1));
  }
  EXPECT_TRUE(taken) << "b's lease of 1 ms never lapsed by the database's clock";
  EXPECT_FALSE(*b.take_delivery_lease("b", hours(1)));
}

}  // namespace
}  // namespace ignite::store
