#include "builder/store/queue_rules.h"

#include <algorithm>
#include <charconv>

#include "builder/store/build_id.h"
#include "builder/util/digest.h"
#include "builder/util/duration_text.h"
#include "builder/util/quote.h"
#include "builder/util/wall_clock.h"

namespace ignite::store::queue_rules {

Status check_queue_options(const QueueOptions& options) {
  if (options.max_running_per_org < 1) {
    return invalid_argument("max_running_per_org must be at least 1, not " +
                            std::to_string(options.max_running_per_org));
  }
  return ok_status();
}

std::int64_t queue_now_ms(const QueueOptions& options) {
  return options.now_ms ? options.now_ms() : unix_now_ms();
}

std::chrono::milliseconds queue_backoff(const QueueOptions& options, int failed_attempts) {
  return options.backoff ? options.backoff(failed_attempts) : default_backoff(failed_attempts);
}
namespace {

constexpr int kDefaultPageSize = 50;
constexpr int kMaxPageSize = 500;
// A bound on retries, so that a typo (max_attempts = 1000) cannot keep a build cycling for hours;
// the deadline bounds it too.
constexpr int kMaxAttemptsLimit = 100;
constexpr std::size_t kMaxNameBytes = 128;  // worker ids and stage names
// A build's error as recorded: its head (the context: what failed, where) and its tail (the
// cause), so that a tool's whole output in an error cannot bloat every read of the build.
constexpr std::size_t kErrorHead = 6 * 1024;
constexpr std::size_t kErrorTail = 2 * 1024;

std::string_view priority_name(BuildPriority p) {
  return p == BuildPriority::kPublish ? "publish" : "normal";
}

std::string state_text(BuildState s) { return std::string(build_state_name(s)); }

std::string duration_text(std::int64_t ms) {
  return ignite::duration_text(std::chrono::milliseconds(ms));
}

std::string times(int n) { return std::to_string(n) + (n == 1 ? " time" : " times"); }

// Where a running build is: "in stage layers", or "before its first stage".
std::string where_text(const BuildRecord& b) {
  return b.stage.empty() ? std::string("before its first stage") : "in stage " + b.stage;
}

std::string attempt_text(const BuildRecord& b) {
  return "attempt " + std::to_string(b.attempts) + " of " + std::to_string(b.max_attempts);
}

std::string capped_error(std::string_view error) {
  if (error.empty()) return "(no error message)";
  if (error.size() <= kErrorHead + kErrorTail) return std::string(error);
  // Cut at UTF-8 character boundaries (never inside a multi-byte sequence).
  std::size_t head = kErrorHead;
  while (head > 0 && (static_cast<unsigned char>(error[head]) & 0xC0) == 0x80) --head;
  std::size_t tail = error.size() - kErrorTail;
  while (tail < error.size() && (static_cast<unsigned char>(error[tail]) & 0xC0) == 0x80) ++tail;
  return std::string(error.substr(0, head)) + " [... " + std::to_string(tail - head) +
         " bytes cut ...] " + std::string(error.substr(tail));
}

void finish(BuildRecord& b, BuildState state, std::int64_t now) {
  b.state = state;
  if (state == BuildState::kSucceeded) {
    b.error.clear();
    b.error_code = Code::kOk;
  } else if (state == BuildState::kCancelled && b.error_code == Code::kOk) {
    b.error_code = Code::kCancelled;
  }
  b.finished_at_ms = now;
  b.lease_expires_ms = 0;  // owner and epoch stay: who ran it last
}

void requeue(BuildRecord& b, std::int64_t not_before) {
  b.state = BuildState::kQueued;
  b.stage.clear();
  b.lease_owner.clear();
  b.lease_expires_ms = 0;
  b.not_before_ms = not_before;
}

// A GIT source's codeHash and commit, learned by the worker that fetched it; a build that has
// them keeps its own (an image has no codeHash, and the database refuses one).
void take_source_facts(BuildRecord& b, const BuildOutcome& outcome) {
  if (b.source_kind != SourceKind::kGit) return;
  if (b.code_hash.empty()) b.code_hash = outcome.code_hash;
  if (b.source_commit.empty()) b.source_commit = outcome.source_commit;
}

// A version's SBOM and provenance digests: each a digest, or "" for none.
Status check_attestation_digests(const BuildOutcome& outcome, const std::string& ctx) {
  if (!outcome.sbom_digest.empty()) {
    IGNITE_RETURN_IF_ERROR(
        Digest::parse(outcome.sbom_digest).status().with_context(ctx + ": SBOM digest"));
  }
  if (!outcome.provenance_digest.empty()) {
    IGNITE_RETURN_IF_ERROR(Digest::parse(outcome.provenance_digest)
                               .status()
                               .with_context(ctx + ": provenance digest"));
  }
  return ok_status();
}

std::string deadline_error(const BuildRecord& b) {
  std::string where =
      b.state == BuildState::kQueued ? "still queued" : where_text(b) + ", " + attempt_text(b);
  return "deadline exceeded: not finished within " +
         duration_text(b.deadline_ms - b.submitted_at_ms) + " of its submission (" + where + ")";
}

}  // namespace

std::int64_t priority_value(BuildPriority p) { return p == BuildPriority::kPublish ? 2 : 1; }

Status validate_name(std::string_view name, std::string_view role) {
  if (name.empty()) return invalid_argument(std::string(role) + " is empty");
  if (name.size() > kMaxNameBytes) {
    return invalid_argument(std::string(role) + " " + quote_text(name.substr(0, 80)) +
                            " is longer than " + std::to_string(kMaxNameBytes) + " bytes");
  }
  for (char c : name) {
    if (c <= ' ' || c > '~') {
      return invalid_argument(std::string(role) + " " + quote_text(name) +
                              " holds a character other than printable ASCII");
    }
  }
  return ok_status();
}

Status validate_id(std::string_view id) {
  if (is_build_id(id)) return ok_status();
  return invalid_argument("build id " + quote_text(id.substr(0, 80)) +
                          " is not one this queue gives (\"b-\" and 32 hex digits)");
}

Result<int> page_size(const BuildFilter& filter) {
  if (filter.page_size < 0) return invalid_argument("page_size must not be negative");
  return filter.page_size == 0 ? kDefaultPageSize : std::min(filter.page_size, kMaxPageSize);
}

Result<std::int64_t> parse_page_token(std::string_view token) {
  std::int64_t seq = 0;
  auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), seq);
  if (ec != std::errc() || end != token.data() + token.size() || seq < 1 || token[0] == '0') {
    return invalid_argument("page token " + quote_text(token.substr(0, 80)) +
                            " is not one list() returned");
  }
  return seq;
}

std::string submit_context(const AppId& app) { return "submitting a build of " + app.to_string(); }

Status check_submit(const AppId& app, std::string_view source_digest, std::string_view code_hash,
                    const SubmitOptions& options) {
  const std::string ctx = submit_context(app);
  if (Status s = Digest::parse(source_digest).status(); !s.ok()) {
    return s.with_context(ctx + ": source digest");
  }
  if (!code_hash.empty()) {
    if (Status s = Digest::parse(code_hash).status(); !s.ok()) {
      return s.with_context(ctx + ": code hash");
    }
    if (options.source_kind == SourceKind::kImage) {
      return invalid_argument(ctx + ": an image has no code hash");
    }
    if (options.source_kind == SourceKind::kGit) {
      return invalid_argument(ctx + ": a git source's code hash is known once it is fetched");
    }
  }
  if (options.max_attempts < 1 || options.max_attempts > kMaxAttemptsLimit) {
    return invalid_argument(ctx + ": max_attempts must be 1 to " +
                            std::to_string(kMaxAttemptsLimit) + ", not " +
                            std::to_string(options.max_attempts));
  }
  if (options.deadline.count() <= 0) {
    return invalid_argument(ctx + ": the deadline must be positive");
  }
  if (!options.idempotency_key.empty()) {
    if (Status s = validate_name(options.idempotency_key, "idempotency key"); !s.ok()) {
      return s.with_context(ctx);
    }
  }
  return ok_status();
}

std::string idempotency_request(const AppId& app, std::string_view source_digest,
                                std::string_view code_hash, BuildPriority priority,
                                const SubmitOptions& options) {
  return Digest::of(app.to_string() + "\n" + std::string(source_digest) + "\n" +
                    std::string(code_hash) + "\n" + std::string(priority_name(priority)) + "\n" +
                    std::string(build_kind_name(options.kind)) + "\n" +
                    std::string(source_kind_name(options.source_kind)) + "\n" +
                    std::to_string(options.max_attempts) + "\n" +
                    std::to_string(options.deadline.count()))
      .to_string();
}

Status idempotency_key_reused(const AppId& app, std::string_view key, std::string_view build_id) {
  return already_exists(submit_context(app) + ": idempotency key " + quote_text(key) +
                        " was used within 24 h for another request (build " +
                        std::string(build_id) + ")");
}

BuildRecord new_build(std::string id, const AppId& app, std::string_view source_digest,
                      std::string_view code_hash, BuildPriority priority,
                      const SubmitOptions& options, std::int64_t now) {
  BuildRecord b{std::move(id), app};
  b.state = BuildState::kQueued;
  b.priority = priority;
  b.kind = options.kind;
  b.source_kind = options.source_kind;
  b.source_digest = std::string(source_digest);
  b.code_hash = std::string(code_hash);
  b.max_attempts = options.max_attempts;
  b.submitted_at_ms = now;
  b.deadline_ms = now + options.deadline.count();
  b.not_before_ms = now;
  return b;
}

std::string submitted_text(const BuildRecord& b, const SubmitOptions& options) {
  return std::string(options.kind == BuildKind::kDraft ? "draft " : "") + "submitted (" +
         std::string(priority_name(b.priority)) + " priority, at most " +
         std::to_string(b.max_attempts) + " attempts, deadline " +
         duration_text(options.deadline.count()) + ")";
}

bool event_has_error(const BuildRecord& b) {
  return b.state == BuildState::kFailed || b.state == BuildState::kCancelled ||
         (b.state == BuildState::kQueued && b.attempts > 0);
}

std::string take_claim(BuildRecord& b, std::string_view worker, std::chrono::milliseconds lease,
                       std::int64_t now) {
  b.state = BuildState::kRunning;
  b.stage.clear();
  b.attempts += 1;
  b.lease_epoch += 1;
  b.lease_owner = std::string(worker);
  b.lease_expires_ms = now + lease.count();
  if (b.started_at_ms == 0) b.started_at_ms = now;
  return "claimed by worker " + b.lease_owner + " (" + attempt_text(b) + ", epoch " +
         std::to_string(b.lease_epoch) + ")";
}

// The epoch is compared first: a worker whose build was taken over learns that, whatever
// happened to the build since.
Status check_lease(const BuildRecord& b, std::int64_t epoch) {
  if (epoch != b.lease_epoch) return lease_lost(b.id, epoch);
  if (b.state != BuildState::kRunning) {
    return aborted("lease lost: build " + b.id + " is " + state_text(b.state) +
                   ", no longer running");
  }
  return ok_status();
}

Status lease_lost(std::string_view id, std::int64_t epoch) {
  return aborted("lease lost: build " + std::string(id) + " was taken over (epoch " +
                 std::to_string(epoch) + " is not current)");
}

bool past_deadline(const BuildRecord& b, std::int64_t now) { return now >= b.deadline_ms; }

void fail_for_deadline(BuildRecord& b, std::int64_t now) {
  b.error = deadline_error(b);
  b.error_code = Code::kDeadlineExceeded;
  finish(b, BuildState::kFailed, now);
}

Status deadline_status(const BuildRecord& b) {
  return Status(Code::kDeadlineExceeded, "build " + b.id + ": " + b.error);
}

std::string expire_lease(BuildRecord& b, std::int64_t now) {
  b.leases_lost += 1;
  const std::string last = "worker " + b.lease_owner + ", epoch " + std::to_string(b.lease_epoch) +
                           ", " + attempt_text(b) + ", " + where_text(b);
  const std::string what = "lease expired (" + last + ")";
  if (b.cancel_requested) {
    // The worker is gone, and a cancel was asked for: this is its stage boundary.
    finish(b, BuildState::kCancelled, now);
    return what + "; cancelled as requested";
  }
  if (b.attempts >= b.max_attempts) {
    b.error = "lease lost " + times(b.leases_lost) + " (the last: " + last + ")";
    b.error_code = Code::kAborted;
    finish(b, BuildState::kFailed, now);
    return what + "; no attempts left";
  }
  // At once, without backoff: the build did not fail, its worker went away.
  requeue(b, now);
  return what + "; back in the queue";
}

std::string cancel_before_stage(BuildRecord& b, std::string_view stage, std::int64_t now) {
  finish(b, BuildState::kCancelled, now);
  return "cancelled before stage " + std::string(stage);
}

Status stage_cancelled_status(const BuildRecord& b, std::string_view text) {
  return Status(Code::kCancelled, "build " + b.id + " " + std::string(text));
}

std::string record_failure(BuildRecord& b, const Status& error, bool retryable,
                           std::chrono::milliseconds wait, std::int64_t now) {
  // The failure is recorded even past the deadline: the worker's error says more than
  // "deadline exceeded" would. The deadline only stops a retry.
  b.error = capped_error(error.message());
  b.error_code = error.ok() ? Code::kUnknown : error.code();
  const std::string failed = attempt_text(b) + " failed " + where_text(b) + ": " + b.error;
  if (b.cancel_requested) {
    finish(b, BuildState::kCancelled, now);
    return failed + "; cancelled as requested";
  }
  if (!retryable) {
    finish(b, BuildState::kFailed, now);
    return failed + "; not retryable";
  }
  if (b.attempts >= b.max_attempts) {
    finish(b, BuildState::kFailed, now);
    return failed + "; no attempts left";
  }
  if (now + wait.count() >= b.deadline_ms) {
    // A retry that could only start past the deadline would fail there: fail now instead.
    finish(b, BuildState::kFailed, now);
    return failed + "; no retry, its backoff would end past the deadline";
  }
  requeue(b, now + wait.count());
  return failed + "; retry in " + duration_text(wait.count());
}

Status mark_cancelled(BuildRecord& b, std::int64_t now, std::string* text) {
  if (!b.cancel_requested) {
    return failed_precondition("build " + b.id + " has no cancel requested; a worker does not " +
                               "cancel a build on its own");
  }
  finish(b, BuildState::kCancelled, now);
  *text = "cancelled " + where_text(b);
  return ok_status();
}

Result<std::optional<std::string>> request_cancel(BuildRecord& b, std::int64_t now) {
  switch (b.state) {
    case BuildState::kQueued:
      b.cancel_requested = true;
      finish(b, BuildState::kCancelled, now);
      return std::optional<std::string>("cancelled while queued");
    case BuildState::kRunning:
      if (b.cancel_requested) return std::optional<std::string>();  // nothing new to record
      b.cancel_requested = true;
      return std::optional<std::string>(
          "cancel requested: the build stops at its next stage boundary");
    case BuildState::kSucceeded:
      if (b.kind == BuildKind::kDraft) {
        return failed_precondition("draft build " + b.id + " already ended as SUCCEEDED");
      }
      return failed_precondition("build " + b.id + " already published as v" +
                                 std::to_string(b.version));
    case BuildState::kFailed:
    case BuildState::kCancelled:
      break;
  }
  return failed_precondition("build " + b.id + " already ended as " + state_text(b.state));
}

std::optional<std::string> raise_priority(BuildRecord& b, std::string_view why) {
  if (b.state != BuildState::kQueued || b.priority == BuildPriority::kPublish) return std::nullopt;
  b.priority = BuildPriority::kPublish;
  return "priority raised to publish: " + std::string(why);
}

std::string commit_context(std::string_view id) { return "the commit of build " + std::string(id); }

std::string intent_context(std::string_view id) {
  return "the intent to publish build " + std::string(id);
}

Status no_transaction_open(const std::string& ctx) {
  return failed_precondition(ctx + " must run inside the transaction that records its version " +
                             "(VersionStore::commit_version's publish), and none is open");
}

Status check_version_outcome(const BuildOutcome& outcome, const std::string& ctx) {
  if (outcome.version < 1) return invalid_argument(ctx + ": version numbers start at 1");
  if (Status s = Digest::parse(outcome.manifest_digest).status(); !s.ok()) {
    return s.with_context(ctx + ": manifest digest");
  }
  return check_attestation_digests(outcome, ctx);
}

Status check_commit(const BuildRecord& b, std::int64_t epoch, std::int64_t now) {
  IGNITE_RETURN_IF_ERROR(check_lease(b, epoch));
  if (b.kind == BuildKind::kDraft) {
    return failed_precondition("the commit of build " + b.id +
                               ": a draft build takes no version (succeed_draft)");
  }
  // Nothing is written on a refusal: the caller's transaction rolls back whatever we wrote, and
  // the worker records the outcome (fail, mark_cancelled) after it.
  if (past_deadline(b, now)) {
    return Status(Code::kDeadlineExceeded,
                  "build " + b.id + " passed its deadline before its commit (" +
                      duration_text(b.deadline_ms - b.submitted_at_ms) + " from submission)");
  }
  if (b.cancel_requested) {
    return Status(Code::kCancelled, "build " + b.id + " was cancelled before its commit");
  }
  return ok_status();
}

std::string publish(BuildRecord& b, const BuildOutcome& outcome, std::int64_t now) {
  b.version = outcome.version;
  b.manifest_digest = outcome.manifest_digest;
  b.lock_hash = outcome.lock_hash;
  b.sbom_digest = outcome.sbom_digest;
  b.provenance_digest = outcome.provenance_digest;
  take_source_facts(b, outcome);
  finish(b, BuildState::kSucceeded, now);
  return "published as " + b.app.ref_name(b.version) + " (" + b.manifest_digest + ")";
}

std::string start_publishing(BuildRecord& b, const BuildOutcome& outcome) {
  b.stage = "tag";
  return "publishing " + b.app.ref_name(outcome.version) + " (" + outcome.manifest_digest +
         "): its registry tag is next; the build can no longer be cancelled";
}

std::string draft_context(std::string_view id) {
  return "the end of draft build " + std::string(id);
}

Status check_draft_outcome(const BuildOutcome& outcome, const std::string& ctx) {
  if (outcome.version != 0) return invalid_argument(ctx + ": a draft build takes no version");
  if (!outcome.sbom_digest.empty() || !outcome.provenance_digest.empty()) {
    // They are a version's (VersionRecord), and a draft build records none.
    return invalid_argument(ctx + ": a draft build takes no SBOM or provenance digest");
  }
  if (Status s = Digest::parse(outcome.manifest_digest).status(); !s.ok()) {
    return s.with_context(ctx + ": manifest digest");
  }
  return ok_status();
}

Status check_draft_build(const BuildRecord& b, const std::string& ctx) {
  if (b.kind == BuildKind::kDraft) return ok_status();
  return failed_precondition(ctx + ": build " + b.id +
                             " makes a version, and succeeds only with it");
}

std::string cancel_draft(BuildRecord& b, std::int64_t now) {
  finish(b, BuildState::kCancelled, now);
  return "cancelled before its end";
}

Status draft_cancelled_status(const BuildRecord& b) {
  return Status(Code::kCancelled, "build " + b.id + " was cancelled before its end");
}

std::string succeed_draft(BuildRecord& b, const BuildOutcome& outcome, std::int64_t now) {
  b.manifest_digest = outcome.manifest_digest;
  b.lock_hash = outcome.lock_hash;
  take_source_facts(b, outcome);
  finish(b, BuildState::kSucceeded, now);
  return "draft built (" + b.manifest_digest + ")";
}

}  // namespace ignite::store::queue_rules
