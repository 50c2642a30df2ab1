#include "builder/store/queue_stats.h"

#include <algorithm>
#include <limits>
#include <optional>

namespace ignite::store {
namespace {

// A read transaction: every SELECT sees one snapshot of the WAL database, and BEGIN (deferred)
// takes no lock that a writer would wait for.
class ReadTransaction {
 public:
  explicit ReadTransaction(Database& db) : db_(db) {}
  Status begin() {
    Status s = db_.exec("BEGIN");
    open_ = s.ok();
    return s;
  }
  ~ReadTransaction() {
    if (open_) (void)db_.exec("COMMIT");  // nothing was written: COMMIT only ends the read
  }

 private:
  Database& db_;
  bool open_ = false;
};

// What one range of builds adds to the counts.
struct RangeCounts {
  std::vector<QueueStats::StateCount> by_state = zero_state_counts();
  std::int64_t leases_lost = 0;
  std::int64_t max_seq = 0;  // 0 when the range has no build
};

// The builds with first < seq < last, by the table's own key: NOT INDEXED keeps SQLite from
// walking builds_by_state over the whole table instead of the seq range.
Result<RangeCounts> count_range(Database& db, std::int64_t first, std::int64_t last) {
  IGNITE_ASSIGN_OR_RETURN(
      Statement select,
      db.prepare("SELECT state, kind, COUNT(*), TOTAL(leases_lost), MAX(seq) FROM builds "
                 "NOT INDEXED WHERE seq > ?1 AND seq < ?2 GROUP BY state, kind"));
  select.bind(1, first).bind(2, last);
  RangeCounts out;
  for (;;) {
    IGNITE_ASSIGN_OR_RETURN(bool row, select.step());
    if (!row) break;
    IGNITE_RETURN_IF_ERROR(add_state_count(out.by_state, select.column_text(0),
                                           select.column_text(1), select.column_int(2)));
    out.leases_lost += select.column_int(3);  // TOTAL() is a REAL holding a whole number
    out.max_seq = std::max(out.max_seq, select.column_int(4));
  }
  return out;
}

}  // namespace

std::vector<QueueStats::StateCount> zero_state_counts() {
  std::vector<QueueStats::StateCount> out;
  for (BuildState state : {BuildState::kQueued, BuildState::kRunning, BuildState::kSucceeded,
                           BuildState::kFailed, BuildState::kCancelled}) {
    for (BuildKind kind : {BuildKind::kVersion, BuildKind::kDraft}) out.push_back({state, kind, 0});
  }
  return out;
}

Status add_state_count(std::vector<QueueStats::StateCount>& counts, const std::string& state,
                       const std::string& kind, std::int64_t builds) {
  const auto parsed_state = parse_build_state(state);
  const auto parsed_kind = parse_build_kind(kind);
  if (!parsed_state || !parsed_kind) {
    return internal_error("a build with state \"" + state + "\" and kind \"" + kind + "\"");
  }
  for (auto& c : counts) {
    if (c.state == *parsed_state && c.kind == *parsed_kind) c.builds += builds;
  }
  return ok_status();
}

Result<QueueStats> QueueStatsReader::read(Database& db) {
  const std::string what = "reading the queue's figures from " + db.path();
  std::lock_guard lock(mutex_);
  if (frozen_by_state_.empty()) frozen_by_state_ = zero_state_counts();
  auto read = [&]() -> Result<QueueStats> {
    ReadTransaction tx(db);
    IGNITE_RETURN_IF_ERROR(tx.begin());
    QueueStats out;
    {
      // The partial index builds_queued has exactly these rows.
      IGNITE_ASSIGN_OR_RETURN(
          Statement queued,
          db.prepare(
              "SELECT org, COUNT(*) FROM builds WHERE state = 'QUEUED' GROUP BY org ORDER BY org"));
      for (;;) {
        IGNITE_ASSIGN_OR_RETURN(bool row, queued.step());
        if (!row) break;
        out.queued_by_org.push_back({queued.column_text(0), queued.column_int(1)});
      }
    }
    std::optional<std::int64_t> oldest_unfinished;
    {
      IGNITE_ASSIGN_OR_RETURN(
          Statement oldest,
          db.prepare("SELECT MIN(seq) FROM builds WHERE state IN ('QUEUED', 'RUNNING')"));
      IGNITE_ASSIGN_OR_RETURN(bool row, oldest.step());
      if (row && !oldest.column_is_null(0)) oldest_unfinished = oldest.column_int(0);
    }
    constexpr std::int64_t kEnd = std::numeric_limits<std::int64_t>::max();
    // Finished since the last read and below every unfinished build: counted now for good.
    IGNITE_ASSIGN_OR_RETURN(RangeCounts newly_frozen,
                            count_range(db, frozen_seq_, oldest_unfinished.value_or(kEnd)));
    // From the oldest unfinished build on: counted again on every read.
    RangeCounts live;
    if (oldest_unfinished) {
      IGNITE_ASSIGN_OR_RETURN(live, count_range(db, *oldest_unfinished - 1, kEnd));
    }
    for (std::size_t i = 0; i < frozen_by_state_.size(); ++i) {
      frozen_by_state_[i].builds += newly_frozen.by_state[i].builds;
    }
    frozen_leases_lost_ += newly_frozen.leases_lost;
    frozen_seq_ = std::max(frozen_seq_, newly_frozen.max_seq);
    out.by_state = frozen_by_state_;
    for (std::size_t i = 0; i < out.by_state.size(); ++i) {
      out.by_state[i].builds += live.by_state[i].builds;
    }
    out.leases_lost = frozen_leases_lost_ + live.leases_lost;
    return out;
  };
  auto stats = read();
  if (!stats.ok()) return stats.status().with_context(what);
  return stats;
}

Result<QueueStats> read_queue_stats(Database& db) {
  QueueStatsReader reader;
  return reader.read(db);
}

}  // namespace ignite::store
