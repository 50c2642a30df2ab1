#include "builder/store/postgres/pg_build_queue.h"

#include "builder/store/build_event_row.h"
#include "builder/store/build_id.h"
#include "builder/store/postgres/pg_build_rows.h"
#include "builder/store/postgres/pg_schema.h"
#include "builder/store/queue_rules.h"
#include "builder/util/wall_clock.h"

namespace ignite::store {
namespace {

namespace rules = queue_rules;

constexpr std::size_t kSeqColumn = rules::kBuildColumnCount;

enum class Lock { kNone, kForUpdate };

// "org = $2, app = $3, ..., provenance_digest = $30": every column but id, numbered as
// record_params numbers them.
const std::string& set_clause() {
  static const std::string clause = [] {
    std::string out;
    std::string_view rest = rules::kBuildColumns;
    int n = 0;
    while (!rest.empty()) {
      const std::size_t comma = rest.find(", ");
      const std::string_view name = rest.substr(0, comma);
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 2);
      if (++n == 1) continue;  // id, the key
      if (!out.empty()) out += ", ";
      out += std::string(name) + " = $" + std::to_string(n);
    }
    return out;
  }();
  return clause;
}

// Every column of `b` as $1...$30, in kBuildColumns's order.
std::vector<PgParam> record_params(const BuildRecord& b) {
  return {b.id,
          b.app.org(),
          b.app.app(),
          build_state_name(b.state),
          rules::priority_value(b.priority),
          b.stage,
          b.source_digest,
          b.code_hash,
          b.version,
          b.manifest_digest,
          b.lock_hash,
          b.error,
          b.attempts,
          b.max_attempts,
          b.leases_lost,
          b.cancel_requested ? 1 : 0,
          b.submitted_at_ms,
          b.started_at_ms,
          b.finished_at_ms,
          b.deadline_ms,
          b.not_before_ms,
          b.lease_owner,
          b.lease_epoch,
          b.lease_expires_ms,
          build_kind_name(b.kind),
          source_kind_name(b.source_kind),
          code_column(b.error_code),
          b.source_commit,
          b.sbom_digest,
          b.provenance_digest};
}

Result<BuildRecord> load(PgConnection& conn, std::string_view id, Lock lock) {
  IGNITE_ASSIGN_OR_RETURN(PgResult r, conn.exec("loading build " + std::string(id),
                                                "SELECT " + std::string(rules::kBuildColumns) +
                                                    " FROM builds WHERE id = $1" +
                                                    (lock == Lock::kForUpdate ? " FOR UPDATE" : ""),
                                                {id}));
  if (r.empty()) return not_found("build " + std::string(id) + " not found");
  return read_pg_build(r, 0);
}

// The builds a query returns, every one of them.
Result<std::vector<BuildRecord>> load_all(PgConnection& conn, std::string_view name,
                                          const std::string& sql,
                                          const std::vector<PgParam>& params) {
  IGNITE_ASSIGN_OR_RETURN(PgResult r, conn.exec(name, sql, params));
  std::vector<BuildRecord> out;
  for (std::size_t row = 0; row < r.size(); ++row) {
    IGNITE_ASSIGN_OR_RETURN(BuildRecord b, read_pg_build(r, row));
    out.push_back(std::move(b));
  }
  return out;
}

Status add_event(PgConnection& conn, const BuildRecord& b, std::string_view message,
                 std::int64_t now) {
  // The next sequence is read in the same statement by a transaction that holds the build's row
  // (or has just made it), so no other writer of this build's events runs meanwhile; the
  // gapless trigger and the key stand behind it. The outbox's row follows by trigger.
  const bool with_error = rules::event_has_error(b);
  return conn
      .exec("recording an event of build " + b.id,
            "INSERT INTO build_events (build_id, sequence, state, stage, message, at_ms, version, "
            "manifest_digest, code_hash, lock_hash, error_code, error, sbom_digest, "
            "provenance_digest) "
            "SELECT $1::text, COALESCE(MAX(sequence), 0) + 1, $2::text, $3::text, $4::text, "
            "$5::bigint, $6::bigint, $7::text, $8::text, $9::text, $10::text, $11::text, "
            "$12::text, $13::text FROM build_events WHERE build_id = $1::text",
            {b.id, build_state_name(b.state), b.stage, message, now, b.version, b.manifest_digest,
             b.code_hash, b.lock_hash, with_error ? code_column(b.error_code) : std::string_view(),
             with_error ? std::string_view(b.error) : std::string_view(), b.sbom_digest,
             b.provenance_digest})
      .status();
}

Status insert(PgConnection& conn, const BuildRecord& b, std::string_view message,
              std::int64_t now) {
  std::string values;
  for (int n = 1; n <= rules::kBuildColumnCount; ++n) {
    values += (n == 1 ? "$" : ", $") + std::to_string(n);
  }
  IGNITE_RETURN_IF_ERROR(conn.exec("recording build " + b.id,
                                   "INSERT INTO builds (" + std::string(rules::kBuildColumns) +
                                       ") VALUES (" + values + ")",
                                   record_params(b))
                             .status());
  return add_event(conn, b, message, now);
}

// Writes the whole record back with its event (as the SQLite queue does: the transition is
// decided in C++ by queue_rules on the row this transaction holds). The caller holds the row.
Status save(PgConnection& conn, const BuildRecord& b, std::string_view message, std::int64_t now) {
  IGNITE_ASSIGN_OR_RETURN(
      PgResult r,
      conn.exec("updating build " + b.id, "UPDATE builds SET " + set_clause() + " WHERE id = $1",
                record_params(b)));
  if (r.affected() != 1) {
    return internal_error("updating build " + b.id + ": " + std::to_string(r.affected()) +
                          " rows changed, not 1");
  }
  return add_event(conn, b, message, now);
}

// A fenced write: changes the build only while `epoch` is its lease and it is RUNNING, checking
// that it did (ABORTED "lease lost" when not). The row lock taken before the decision already
// makes this so; the statement states the rule on its own, and the finished-builds trigger
// stays the last line.
Status save_fenced(PgConnection& conn, const BuildRecord& b, std::int64_t epoch,
                   std::string_view message, std::int64_t now) {
  std::vector<PgParam> params = record_params(b);
  params.emplace_back(epoch);
  IGNITE_ASSIGN_OR_RETURN(
      PgResult r, conn.exec("updating build " + b.id,
                            "UPDATE builds SET " + set_clause() +
                                " WHERE id = $1 AND lease_epoch = $31 AND state = 'RUNNING'",
                            params));
  if (r.affected() != 1) return rules::lease_lost(b.id, epoch);
  return add_event(conn, b, message, now);
}

}  // namespace

Result<PgBuildQueue> PgBuildQueue::open(std::string_view url, QueueOptions options) {
  IGNITE_RETURN_IF_ERROR(rules::check_queue_options(options));
  IGNITE_ASSIGN_OR_RETURN(PgConnection conn, PgConnection::open(url));
  IGNITE_RETURN_IF_ERROR(ensure_pg_schema(conn));
  return PgBuildQueue(std::move(conn), std::move(options));
}

std::int64_t PgBuildQueue::now_ms() const { return rules::queue_now_ms(options_); }

std::chrono::milliseconds PgBuildQueue::backoff(int failed_attempts) const {
  return rules::queue_backoff(options_, failed_attempts);
}

Result<BuildRecord> PgBuildQueue::submit(const AppId& app, std::string_view source_digest,
                                         std::string_view code_hash, BuildPriority priority,
                                         const SubmitOptions& options) {
  IGNITE_RETURN_IF_ERROR(rules::check_submit(app, source_digest, code_hash, options));
  const std::string ctx = rules::submit_context(app);
  const std::string& key = options.idempotency_key;
  IGNITE_ASSIGN_OR_RETURN(std::string id, new_build_id());
  const std::string request =
      key.empty() ? std::string()
                  : rules::idempotency_request(app, source_digest, code_hash, priority, options);
  std::optional<BuildRecord> result;
  Status s = conn_.transaction(ctx, [&]() -> Status {
    result.reset();
    const std::int64_t now = now_ms();
    if (!key.empty()) {
      // Submissions with one key take turns (a lock of the org and key until commit), so the
      // second reads the first's key, committed, instead of both recording a build. The
      // two-key form keeps these apart from claim()'s one-key locks.
      IGNITE_RETURN_IF_ERROR(conn_
                                 .exec(ctx,
                                       "SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))",
                                       {app.org(), key})
                                 .status());
      IGNITE_ASSIGN_OR_RETURN(
          PgResult seen,
          conn_.exec(ctx,
                     "SELECT request, build_id FROM idempotency_keys WHERE org = $1 AND key = $2 "
                     "AND created_ms > $3",
                     {app.org(), key, now - kIdempotencyWindow.count()}));
      if (!seen.empty()) {
        if (seen.text(0, 0) != request) {
          return rules::idempotency_key_reused(app, key, seen.text(0, 1));
        }
        IGNITE_ASSIGN_OR_RETURN(result, load(conn_, seen.text(0, 1), Lock::kNone));
        return ok_status();  // the first submission's build, as it is now
      }
    }
    BuildRecord b = rules::new_build(id, app, source_digest, code_hash, priority, options, now);
    if (Status i = insert(conn_, b, rules::submitted_text(b, options), now); !i.ok()) {
      return i.with_context(ctx);
    }
    if (!key.empty()) {
      // Replaces a key past its window (the lookup above saw none within it).
      Status k = conn_
                     .exec(ctx,
                           "INSERT INTO idempotency_keys (org, key, request, build_id, created_ms) "
                           "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (org, key) DO UPDATE SET "
                           "request = EXCLUDED.request, build_id = EXCLUDED.build_id, "
                           "created_ms = EXCLUDED.created_ms",
                           {app.org(), key, request, b.id, now})
                     .status();
      if (!k.ok()) return k;
    }
    result = std::move(b);
    return ok_status();
  });
  IGNITE_RETURN_IF_ERROR(s);
  return std::move(*result);
}

Status PgBuildQueue::sweep_in(std::int64_t now) {
  // SKIP LOCKED: a build another transaction holds is its business now (a heartbeat renewing it,
  // another sweep settling it, its worker ending it); the next sweep sees what is left. So a
  // sweep never waits, and never decides on a row that is changing under it.
  // Deadlines first: a build past its deadline fails as such, even when its lease expired too.
  IGNITE_ASSIGN_OR_RETURN(
      std::vector<BuildRecord> late,
      load_all(conn_, "finding builds past their deadline",
               "SELECT " + std::string(rules::kBuildColumns) +
                   " FROM builds WHERE state IN ('QUEUED', 'RUNNING') AND deadline_ms <= $1 "
                   "ORDER BY seq FOR UPDATE SKIP LOCKED",
               {now}));
  for (BuildRecord& b : late) {
    rules::fail_for_deadline(b, now);
    IGNITE_RETURN_IF_ERROR(save(conn_, b, b.error, now));
  }
  IGNITE_ASSIGN_OR_RETURN(
      std::vector<BuildRecord> lost,
      load_all(conn_, "finding expired leases",
               "SELECT " + std::string(rules::kBuildColumns) +
                   " FROM builds WHERE state = 'RUNNING' AND lease_expires_ms <= $1 "
                   "ORDER BY seq FOR UPDATE SKIP LOCKED",
               {now}));
  for (BuildRecord& b : lost) {
    const std::string text = rules::expire_lease(b, now);
    IGNITE_RETURN_IF_ERROR(save(conn_, b, text, now));
  }
  return ok_status();
}

Status PgBuildQueue::sweep() {
  return conn_.transaction("sweeping the build queue", [&] { return sweep_in(now_ms()); });
}

// Why the cap holds with many processes claiming at once, at READ COMMITTED: only a claim makes
// a build RUNNING, and a claim of org O's build takes O's advisory lock (held to its commit)
// before it counts O's running builds. That count is a statement of its own, begun after the
// lock was granted, so its snapshot holds every claim of O committed by the lock's earlier
// holders, and no other claim of O can commit until this one has: count + 1 <= cap at every
// commit. (Orgs whose names hash alike share a lock: more waiting, never less safety.)
//
// Why it cannot deadlock: a claim waits for an org's lock only while it holds no other org's;
// after its first org it only tries (pg_try_advisory_xact_lock) and passes an org another claim
// holds, as SKIP LOCKED passes rows. Rows are only ever taken with SKIP LOCKED here, and the
// holder of an org's lock waits for nothing. So a claim may pass over an org that another claim
// is deciding about at that moment and find nothing, which the worker's next claim corrects.
Result<std::optional<BuildRecord>> PgBuildQueue::pick(std::int64_t now) {
  const std::string name = "choosing a build to claim";
  std::vector<std::string> passed;  // orgs at their cap, or held by another claim
  for (;;) {
    // The best queued build of an org not passed yet: publish priority, then the oldest.
    std::string sql = "SELECT org FROM builds WHERE state = 'QUEUED' AND not_before_ms <= $1";
    std::vector<PgParam> params = {now};
    for (const std::string& org : passed) {
      params.emplace_back(org);
      sql += " AND org <> $" + std::to_string(params.size());
    }
    sql += " ORDER BY priority DESC, seq LIMIT 1";
    IGNITE_ASSIGN_OR_RETURN(PgResult next, conn_.exec(name, sql, params));
    if (next.empty()) return std::optional<BuildRecord>();
    const std::string org = next.text(0, 0);

    if (passed.empty()) {
      IGNITE_RETURN_IF_ERROR(
          conn_.exec(name, "SELECT pg_advisory_xact_lock(hashtext($1))", {org}).status());
    } else {
      IGNITE_ASSIGN_OR_RETURN(
          PgResult got, conn_.exec(name, "SELECT pg_try_advisory_xact_lock(hashtext($1))", {org}));
      if (got.text(0, 0) != "t") {
        passed.push_back(org);
        continue;
      }
    }
    IGNITE_ASSIGN_OR_RETURN(
        PgResult running,
        conn_.exec(name, "SELECT count(*) FROM builds WHERE state = 'RUNNING' AND org = $1",
                   {org}));
    IGNITE_ASSIGN_OR_RETURN(std::int64_t count, running.integer(0, 0));
    if (count >= options_.max_running_per_org) {
      passed.push_back(org);
      continue;
    }
    IGNITE_ASSIGN_OR_RETURN(
        std::vector<BuildRecord> rows,
        load_all(conn_, name,
                 "SELECT " + std::string(rules::kBuildColumns) +
                     " FROM builds WHERE state = 'QUEUED' AND not_before_ms <= $1 AND org = $2 "
                     "ORDER BY priority DESC, seq LIMIT 1 FOR UPDATE SKIP LOCKED",
                 {now, org}));
    if (rows.empty()) {  // its queued builds are all held by other transactions
      passed.push_back(org);
      continue;
    }
    return std::optional<BuildRecord>(std::move(rows.front()));
  }
}

Result<std::optional<Claim>> PgBuildQueue::claim(std::string_view worker_id,
                                                 std::chrono::milliseconds lease) {
  IGNITE_RETURN_IF_ERROR(rules::validate_name(worker_id, "worker id"));
  if (lease.count() <= 0) return invalid_argument("a lease must be positive");
  std::optional<Claim> claimed;
  Status s = conn_.transaction("claiming a build", [&]() -> Status {
    claimed.reset();
    const std::int64_t now = now_ms();
    IGNITE_RETURN_IF_ERROR(sweep_in(now));
    IGNITE_ASSIGN_OR_RETURN(std::optional<BuildRecord> b, pick(now));
    if (!b) return ok_status();  // commits what the sweep did
    const std::string text = rules::take_claim(*b, worker_id, lease, now);
    IGNITE_RETURN_IF_ERROR(save(conn_, *b, text, now));
    const std::int64_t epoch = b->lease_epoch;
    claimed = Claim{std::move(*b), epoch};
    return ok_status();
  });
  IGNITE_RETURN_IF_ERROR(s);
  return claimed;
}

Status PgBuildQueue::fenced(
    std::string_view ctx, std::string_view id, std::int64_t epoch,
    const std::function<Status(BuildRecord&, std::int64_t now, Status& answer)>& body) {
  Status answer;
  Status s = conn_.transaction(ctx, [&]() -> Status {
    answer = ok_status();
    IGNITE_ASSIGN_OR_RETURN(BuildRecord b, load(conn_, id, Lock::kForUpdate));
    // The clock is read once the row is ours, so a call that waited for it never acts on the
    // time before its wait.
    const std::int64_t now = now_ms();
    IGNITE_RETURN_IF_ERROR(rules::check_lease(b, epoch));
    return body(b, now, answer);
  });
  IGNITE_RETURN_IF_ERROR(s);
  return answer;
}

Result<bool> PgBuildQueue::heartbeat(std::string_view id, std::int64_t epoch,
                                     std::chrono::milliseconds lease) {
  IGNITE_RETURN_IF_ERROR(rules::validate_id(id));
  if (lease.count() <= 0) return invalid_argument("a lease must be positive");
  bool cancel_requested = false;
  Status s = fenced("renewing the lease of build " + std::string(id), id, epoch,
                    [&](BuildRecord& b, std::int64_t now, Status& answer) -> Status {
                      if (rules::past_deadline(b, now)) {
                        rules::fail_for_deadline(b, now);
                        answer = rules::deadline_status(b);
                        return save_fenced(conn_, b, epoch, b.error, now);
                      }
                      // No event: a heartbeat changes nothing a watcher follows, and would
                      // flood the history.
                      IGNITE_ASSIGN_OR_RETURN(
                          PgResult r,
                          conn_.exec("renewing the lease of build " + b.id,
                                     "UPDATE builds SET lease_expires_ms = $3 WHERE id = $1 AND "
                                     "lease_epoch = $2 AND state = 'RUNNING'",
                                     {b.id, epoch, now + lease.count()}));
                      if (r.affected() != 1) return rules::lease_lost(b.id, epoch);
                      cancel_requested = b.cancel_requested;
                      return ok_status();
                    });
  IGNITE_RETURN_IF_ERROR(s);
  return cancel_requested;
}

Status PgBuildQueue::set_stage(std::string_view id, std::int64_t epoch, std::string_view stage) {
  IGNITE_RETURN_IF_ERROR(rules::validate_id(id));
  IGNITE_RETURN_IF_ERROR(rules::validate_name(stage, "stage name"));
  return fenced("recording a stage of build " + std::string(id), id, epoch,
                [&](BuildRecord& b, std::int64_t now, Status& answer) -> Status {
                  if (rules::past_deadline(b, now)) {
                    rules::fail_for_deadline(b, now);
                    answer = rules::deadline_status(b);
                    return save_fenced(conn_, b, epoch, b.error, now);
                  }
                  if (b.cancel_requested) {
                    const std::string text = rules::cancel_before_stage(b, stage, now);
                    answer = rules::stage_cancelled_status(b, text);
                    return save_fenced(conn_, b, epoch, text, now);
                  }
                  b.stage = std::string(stage);
                  return save_fenced(conn_, b, epoch, "stage " + b.stage, now);
                });
}

Result<BuildRecord> PgBuildQueue::fail(std::string_view id, std::int64_t epoch, const Status& error,
                                       bool retryable) {
  IGNITE_RETURN_IF_ERROR(rules::validate_id(id));
  std::optional<BuildRecord> recorded;
  Status s = fenced("recording a failure of build " + std::string(id), id, epoch,
                    [&](BuildRecord& b, std::int64_t now, Status&) -> Status {
                      const std::string text =
                          rules::record_failure(b, error, retryable, backoff(b.attempts), now);
                      IGNITE_RETURN_IF_ERROR(save_fenced(conn_, b, epoch, text, now));
                      recorded = b;
                      return ok_status();
                    });
  IGNITE_RETURN_IF_ERROR(s);
  return std::move(*recorded);
}

Status PgBuildQueue::mark_cancelled(std::string_view id, std::int64_t epoch) {
  IGNITE_RETURN_IF_ERROR(rules::validate_id(id));
  return fenced("cancelling build " + std::string(id), id, epoch,
                [&](BuildRecord& b, std::int64_t now, Status&) -> Status {
                  std::string text;
                  IGNITE_RETURN_IF_ERROR(rules::mark_cancelled(b, now, &text));
                  return save_fenced(conn_, b, epoch, text, now);
                });
}

Result<BuildRecord> PgBuildQueue::request_cancel(std::string_view id) {
  IGNITE_RETURN_IF_ERROR(rules::validate_id(id));
  std::optional<BuildRecord> result;
  Status s = conn_.transaction("cancelling build " + std::string(id), [&]() -> Status {
    result.reset();
    IGNITE_ASSIGN_OR_RETURN(BuildRecord b, load(conn_, id, Lock::kForUpdate));
    const std::int64_t now = now_ms();
    IGNITE_ASSIGN_OR_RETURN(std::optional<std::string> text, rules::request_cancel(b, now));
    if (text) {
      IGNITE_RETURN_IF_ERROR(save(conn_, b, *text, now));
    }
    result = std::move(b);  // with nothing new to record, as it is
    return ok_status();
  });
  IGNITE_RETURN_IF_ERROR(s);
  return std::move(*result);
}

Result<BuildRecord> PgBuildQueue::raise_priority(std::string_view id, std::string_view why) {
  IGNITE_RETURN_IF_ERROR(rules::validate_id(id));
  std::optional<BuildRecord> result;
  Status s = conn_.transaction("raising the priority of build " + std::string(id), [&]() -> Status {
    result.reset();
    IGNITE_ASSIGN_OR_RETURN(BuildRecord b, load(conn_, id, Lock::kForUpdate));
    const std::int64_t now = now_ms();
    if (std::optional<std::string> text = rules::raise_priority(b, why)) {
      IGNITE_RETURN_IF_ERROR(save(conn_, b, *text, now));
    }
    result = std::move(b);
    return ok_status();
  });
  IGNITE_RETURN_IF_ERROR(s);
  return std::move(*result);
}

Result<BuildRecord> PgBuildQueue::get(std::string_view id) {
  IGNITE_RETURN_IF_ERROR(rules::validate_id(id));
  return load(conn_, id, Lock::kNone);
}

Result<BuildPage> PgBuildQueue::list(const BuildFilter& filter) {
  IGNITE_ASSIGN_OR_RETURN(const int size, rules::page_size(filter));
  std::optional<std::int64_t> before;
  if (!filter.page_token.empty()) {
    IGNITE_ASSIGN_OR_RETURN(before, rules::parse_page_token(filter.page_token));
  }
  // Fixed fragments, values bound: the filters only choose which fragments are there.
  std::string sql = "SELECT " + std::string(rules::kBuildColumns) + ", seq FROM builds WHERE true";
  std::vector<PgParam> params;
  auto bind = [&](PgParam value) {
    params.push_back(std::move(value));
    return "$" + std::to_string(params.size());
  };
  if (filter.app) {
    sql += " AND org = " + bind(filter.app->org());
    sql += " AND app = " + bind(filter.app->app());
  }
  if (filter.state) sql += " AND state = " + bind(build_state_name(*filter.state));
  if (before) sql += " AND seq < " + bind(*before);
  if (filter.org) sql += " AND org = " + bind(*filter.org);
  // One more than the page tells whether there is a next one.
  sql += " ORDER BY seq DESC LIMIT " + bind(std::int64_t{size} + 1);
  IGNITE_ASSIGN_OR_RETURN(PgResult r, conn_.exec("listing builds", sql, params));

  BuildPage page;
  std::int64_t last_seq = 0;
  for (std::size_t row = 0; row < r.size(); ++row) {
    if (static_cast<int>(page.builds.size()) == size) {
      page.next_page_token = std::to_string(last_seq);
      break;
    }
    IGNITE_ASSIGN_OR_RETURN(BuildRecord b, read_pg_build(r, row));
    page.builds.push_back(std::move(b));
    IGNITE_ASSIGN_OR_RETURN(last_seq, r.integer(row, kSeqColumn));
  }
  return page;
}

Result<std::vector<BuildEvent>> PgBuildQueue::events(std::string_view id,
                                                     std::int64_t after_sequence) {
  IGNITE_RETURN_IF_ERROR(rules::validate_id(id));
  if (after_sequence < 0) return invalid_argument("after_sequence must not be negative");
  IGNITE_RETURN_IF_ERROR(load(conn_, id, Lock::kNone).status());  // NOT_FOUND, not no events
  IGNITE_ASSIGN_OR_RETURN(PgResult r,
                          conn_.exec("reading the events of build " + std::string(id),
                                     "SELECT " + std::string(kEventColumns) +
                                         " FROM build_events WHERE build_id = $1 AND sequence > $2 "
                                         "ORDER BY sequence",
                                     {id, after_sequence}));
  std::vector<BuildEvent> out;
  for (std::size_t row = 0; row < r.size(); ++row) {
    IGNITE_ASSIGN_OR_RETURN(BuildEvent e, read_pg_event(r, row));
    out.push_back(std::move(e));
  }
  return out;
}

Result<PgConnection*> PgBuildQueue::check_store_tx(StoreTx& store_tx, std::string_view id,
                                                   const BuildOutcome& outcome,
                                                   const std::string& ctx) {
  IGNITE_RETURN_IF_ERROR(rules::validate_id(id));
  auto postgres = store_tx.postgres();
  if (!postgres.ok()) return postgres.status().with_context(ctx);
  PgConnection& conn = **postgres;
  // Outside the version's transaction the check would be a race, not a fence.
  if (!conn.in_transaction()) return rules::no_transaction_open(ctx);
  // The same database by the same URL: what one backend (one --database) opens both from.
  if (conn.url_for_messages() != conn_.url_for_messages()) {
    return failed_precondition(ctx + ": the version store's database " + conn.url_for_messages() +
                               " is not the queue's " + conn_.url_for_messages());
  }
  IGNITE_RETURN_IF_ERROR(rules::check_version_outcome(outcome, ctx));
  return &conn;
}

// The three fences below run on the version store's connection, inside its transaction: they
// lock the build's row there and write only there, so a rolled-back (or retried) attempt leaves
// nothing behind, and the row stays locked until the version commits.

Status PgBuildQueue::succeed_in_transaction(StoreTx& store_tx, std::string_view id,
                                            std::int64_t epoch, const BuildOutcome& outcome) {
  const std::string ctx = rules::commit_context(id);
  IGNITE_ASSIGN_OR_RETURN(PgConnection * conn, check_store_tx(store_tx, id, outcome, ctx));
  return conn->transaction(ctx, [&]() -> Status {
    IGNITE_ASSIGN_OR_RETURN(BuildRecord b, load(*conn, id, Lock::kForUpdate));
    const std::int64_t now = now_ms();
    IGNITE_RETURN_IF_ERROR(rules::check_commit(b, epoch, now));
    const std::string text = rules::publish(b, outcome, now);
    return save_fenced(*conn, b, epoch, text, now);
  });
}

Status PgBuildQueue::publishing_in_transaction(StoreTx& store_tx, std::string_view id,
                                               std::int64_t epoch, const BuildOutcome& outcome) {
  const std::string ctx = rules::intent_context(id);
  IGNITE_ASSIGN_OR_RETURN(PgConnection * conn, check_store_tx(store_tx, id, outcome, ctx));
  return conn->transaction(ctx, [&]() -> Status {
    IGNITE_ASSIGN_OR_RETURN(BuildRecord b, load(*conn, id, Lock::kForUpdate));
    const std::int64_t now = now_ms();
    IGNITE_RETURN_IF_ERROR(rules::check_commit(b, epoch, now));
    const std::string text = rules::start_publishing(b, outcome);
    return save_fenced(*conn, b, epoch, text, now);
  });
}

Status PgBuildQueue::succeed_published_in_transaction(StoreTx& store_tx, std::string_view id,
                                                      const BuildOutcome& outcome) {
  const std::string ctx = rules::commit_context(id);
  IGNITE_ASSIGN_OR_RETURN(PgConnection * conn, check_store_tx(store_tx, id, outcome, ctx));
  return conn->transaction(ctx, [&]() -> Status {
    IGNITE_ASSIGN_OR_RETURN(BuildRecord b, load(*conn, id, Lock::kForUpdate));
    const std::int64_t now = now_ms();
    if (is_finished(b.state)) return ok_status();  // the version stands; the build cannot change
    const std::string text = rules::publish(b, outcome, now);
    return save(*conn, b, text, now);
  });
}

Result<BuildRecord> PgBuildQueue::succeed_draft(std::string_view id, std::int64_t epoch,
                                                const BuildOutcome& outcome) {
  IGNITE_RETURN_IF_ERROR(rules::validate_id(id));
  const std::string ctx = rules::draft_context(id);
  IGNITE_RETURN_IF_ERROR(rules::check_draft_outcome(outcome, ctx));
  std::optional<BuildRecord> recorded;
  Status s =
      fenced(ctx, id, epoch, [&](BuildRecord& b, std::int64_t now, Status& answer) -> Status {
        recorded.reset();
        IGNITE_RETURN_IF_ERROR(rules::check_draft_build(b, ctx));
        if (rules::past_deadline(b, now)) {
          rules::fail_for_deadline(b, now);
          answer = rules::deadline_status(b);
          return save_fenced(conn_, b, epoch, b.error, now);
        }
        if (b.cancel_requested) {
          const std::string text = rules::cancel_draft(b, now);
          answer = rules::draft_cancelled_status(b);
          return save_fenced(conn_, b, epoch, text, now);
        }
        const std::string text = rules::succeed_draft(b, outcome, now);
        IGNITE_RETURN_IF_ERROR(save_fenced(conn_, b, epoch, text, now));
        recorded = b;
        return ok_status();
      });
  IGNITE_RETURN_IF_ERROR(s);
  return std::move(*recorded);
}

}  // namespace ignite::store
