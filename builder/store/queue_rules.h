// What both BuildQueue backends (sqlite_build_queue.cc, postgres/pg_build_queue.cc) decide and
// say: the checks of each call's arguments, every transition of a build as a change to its
// record, and the texts of its events and errors. A backend loads the record under its lock,
// calls these, and writes the record back with the event text they return, so the two cannot
// drift apart in what a build does or in the messages callers and tests match on.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "builder/store/build_queue.h"
#include "builder/util/status.h"

namespace ignite::store::queue_rules {

// The columns of a BuildRecord in both databases, in the order each backend's reader expects
// (queue schema 4; sqlite_build_queue.cc keeps the older schemas' lists for its upgrades).
inline constexpr std::string_view kBuildColumns =
    "id, org, app, state, priority, stage, source_digest, code_hash, version, manifest_digest, "
    "lock_hash, error, attempts, max_attempts, leases_lost, cancel_requested, submitted_at_ms, "
    "started_at_ms, finished_at_ms, deadline_ms, not_before_ms, lease_owner, lease_epoch, "
    "lease_expires_ms, kind, source_kind, error_code, source_commit, sbom_digest, "
    "provenance_digest";
inline constexpr int kBuildColumnCount = 30;

// What a queue is opened with: INVALID_ARGUMENT for a per-org cap below 1.
Status check_queue_options(const QueueOptions& options);
// The queue's clock (options.now_ms, else the system clock) and its wait before a retry
// (options.backoff, else default_backoff).
std::int64_t queue_now_ms(const QueueOptions& options);
std::chrono::milliseconds queue_backoff(const QueueOptions& options, int failed_attempts);

// The API's numbers (build.proto), so the column reads the same there and here.
std::int64_t priority_value(BuildPriority p);

// Worker ids, stage names and idempotency keys: printable ASCII, no spaces, at most 128 bytes.
Status validate_name(std::string_view name, std::string_view role);
// Ids reach messages and queries only once they have the shape the queue gives.
Status validate_id(std::string_view id);

// list(): the page size asked for (50 by default, at most 500), and the page token's seq.
Result<int> page_size(const BuildFilter& filter);
Result<std::int64_t> parse_page_token(std::string_view token);

// submit(): "submitting a build of ORG/APP", the arguments' checks, the request an idempotency
// key stands for (a digest of every argument), the refusal of a key reused for another request,
// and the new build with its first event's text.
std::string submit_context(const AppId& app);
Status check_submit(const AppId& app, std::string_view source_digest, std::string_view code_hash,
                    const SubmitOptions& options);
std::string idempotency_request(const AppId& app, std::string_view source_digest,
                                std::string_view code_hash, BuildPriority priority,
                                const SubmitOptions& options);
Status idempotency_key_reused(const AppId& app, std::string_view key, std::string_view build_id);
BuildRecord new_build(std::string id, const AppId& app, std::string_view source_digest,
                      std::string_view code_hash, BuildPriority priority,
                      const SubmitOptions& options, std::int64_t now);
std::string submitted_text(const BuildRecord& b, const SubmitOptions& options);

// Whether an event of `b` as it is now carries b's error: the failure that ended it, or the one
// that sent it back to the queue for a retry.
bool event_has_error(const BuildRecord& b);

// A claim of `b` by `worker` for `lease`: RUNNING under the next epoch. Returns the event's text.
std::string take_claim(BuildRecord& b, std::string_view worker, std::chrono::milliseconds lease,
                       std::int64_t now);

// The fencing rule: ABORTED "lease lost: ..." unless `epoch` is b's and b is RUNNING.
Status check_lease(const BuildRecord& b, std::int64_t epoch);
// The ABORTED a fenced write answers when its row no longer matched (epoch or state).
Status lease_lost(std::string_view id, std::int64_t epoch);
bool past_deadline(const BuildRecord& b, std::int64_t now);
// Fails `b` for its deadline; its event's text is b.error.
void fail_for_deadline(BuildRecord& b, std::int64_t now);
// DEADLINE_EXCEEDED "build B: deadline exceeded: ..." for a build fail_for_deadline ended.
Status deadline_status(const BuildRecord& b);
// sweep(): a RUNNING build whose lease expired: back to the queue, FAILED when its attempts are
// spent, CANCELLED when a cancel was requested. Returns the event's text.
std::string expire_lease(BuildRecord& b, std::int64_t now);

// set_stage() with a cancel requested: CANCELLED before `stage`. Returns the event's text; the
// call answers stage_cancelled_status with it.
std::string cancel_before_stage(BuildRecord& b, std::string_view stage, std::int64_t now);
Status stage_cancelled_status(const BuildRecord& b, std::string_view text);
// fail(): records `error` and decides (a requested cancel, not retryable, no attempts left, no
// time left, or a retry after `wait`). Returns the event's text.
std::string record_failure(BuildRecord& b, const Status& error, bool retryable,
                           std::chrono::milliseconds wait, std::int64_t now);
// mark_cancelled(): FAILED_PRECONDITION without a requested cancel; else CANCELLED, the event's
// text in `*text`.
Status mark_cancelled(BuildRecord& b, std::int64_t now, std::string* text);
// request_cancel(): the event's text to record, nullopt when there is nothing new to record (a
// cancel already requested), or FAILED_PRECONDITION for a finished build.
Result<std::optional<std::string>> request_cancel(BuildRecord& b, std::int64_t now);
// raise_priority(): the event's text, nullopt when the build is left as it is.
std::optional<std::string> raise_priority(BuildRecord& b, std::string_view why);

// The *_in_transaction calls: "the commit of build B", "the intent to publish build B".
std::string commit_context(std::string_view id);
std::string intent_context(std::string_view id);
// "C must run inside the transaction that records its version ..., and none is open".
Status no_transaction_open(const std::string& ctx);
// The outcome of a version build: a version number, a manifest digest, attestation digests.
Status check_version_outcome(const BuildOutcome& outcome, const std::string& ctx);
// The lease, the deadline and a requested cancel of a version build at its commit (nothing is
// written on a refusal: the caller's transaction rolls back).
Status check_commit(const BuildRecord& b, std::int64_t epoch, std::int64_t now);
// `b` SUCCEEDED with its version. Returns the event's text.
std::string publish(BuildRecord& b, const BuildOutcome& outcome, std::int64_t now);
// publishing_in_transaction(): `b` enters stage "tag". Returns the event's text.
std::string start_publishing(BuildRecord& b, const BuildOutcome& outcome);

// succeed_draft(): "the end of draft build B", its outcome's checks, the refusal of a version
// build, the cancel at its end (its text; then draft_cancelled_status), and its success (text).
std::string draft_context(std::string_view id);
Status check_draft_outcome(const BuildOutcome& outcome, const std::string& ctx);
Status check_draft_build(const BuildRecord& b, const std::string& ctx);
std::string cancel_draft(BuildRecord& b, std::int64_t now);
Status draft_cancelled_status(const BuildRecord& b);
std::string succeed_draft(BuildRecord& b, const BuildOutcome& outcome, std::int64_t now);

}  // namespace ignite::store::queue_rules
