// Figures about the build queue for monitoring (serve's /metrics, docs/metrics.md), read with
// plain SELECTs on the queue's tables (queue_schema.sql, schema 2: builds.seq, org, state, kind
// and leases_lost). Read-only and outside the queue's interface on purpose: it takes no write
// lock, changes nothing, and a scrape can never hold up a worker.
//
// Nothing deletes builds yet (docs/queue.md), so counting every build on each scrape would cost
// more and more (about 100 ms per 100,000 builds here). A finished build never changes (the
// trigger finished_builds_never_change), so the reader keeps the counts of the builds below the
// oldest unfinished one and reads each of them once: a scrape reads the queued builds (their
// partial index) and the builds from the oldest unfinished one on, by seq.
//
// This rests on seq only growing. Nothing deletes builds now; retention, when it comes, must not
// let SQLite hand a deleted newest build's seq out again (AUTOINCREMENT, or never deleting the
// newest build), and what it deletes stays in the kept counts until serve restarts.
//
// PostgreSQL's reader (postgres/pg_queue_stats.h) gives the same figures but keeps nothing: there
// a build's seq can commit below one already read, which it explains.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "builder/store/build_queue.h"
#include "builder/store/sqlite.h"
#include "builder/util/status.h"

namespace ignite::store {

struct QueueStats {
  struct OrgCount {
    std::string org;
    std::int64_t queued = 0;
  };
  struct StateCount {
    BuildState state = BuildState::kQueued;
    BuildKind kind = BuildKind::kVersion;
    std::int64_t builds = 0;
  };
  // Orgs with a QUEUED build (waiting for a worker or for a retry's backoff), by org name.
  std::vector<OrgCount> queued_by_org;
  // Builds by state and kind, every pair and zeros included (a series that vanished would read
  // as "no data"), in the enums' order.
  std::vector<StateCount> by_state;
  // Leases that expired and were taken back, summed over the builds: it only grows while builds
  // are kept, so it serves as a counter.
  std::int64_t leases_lost = 0;
};

// What both backends' readers share (PgQueueStatsReader in postgres/pg_queue_stats.h).
// Every state and kind with a count of 0, in the enums' order: by_state's shape.
std::vector<QueueStats::StateCount> zero_state_counts();
// Adds `builds` to the count of `state` and `kind` as the database spells them ("QUEUED",
// "VERSION"); INTERNAL naming them when no enum does.
Status add_state_count(std::vector<QueueStats::StateCount>& counts, const std::string& state,
                       const std::string& kind, std::int64_t builds);

// Reads the figures of one store; keeps what it learnt of finished builds for its next read.
// Thread-safe (reads take turns); the database may be another connection on each call.
class QueueStatsReader {
 public:
  // One read, in one read transaction so the figures agree with each other. `db` is a
  // connection of the calling thread's (a SqliteBuildQueue's database(), say) on a store whose
  // queue tables exist; INTERNAL naming the database otherwise.
  Result<QueueStats> read(Database& db);

 private:
  std::mutex mutex_;
  // Every build with a seq up to this one was finished when read: its counts are below.
  std::int64_t frozen_seq_ = 0;
  std::vector<QueueStats::StateCount> frozen_by_state_;
  std::int64_t frozen_leases_lost_ = 0;
};

// One read with a reader of its own, counting every build: for a caller that reads once.
Result<QueueStats> read_queue_stats(Database& db);

}  // namespace ignite::store
