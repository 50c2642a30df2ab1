// The durable build queue (docs/queue.md): a build is recorded before submit() returns, workers
// claim builds under leases that they keep alive with heartbeats, an expired lease goes back to
// the queue with the next epoch, and every step a worker reports is fenced by its epoch, so a
// stalled worker can never change a build that another worker has taken over. The commit itself
// is fenced inside the transaction that records the version (succeed_in_transaction), so such a
// worker can never publish a second version either.
//
// BuildQueue is the interface; SqliteBuildQueue (sqlite_build_queue.h) fills it for the embedded
// store, PgBuildQueue (postgres/pg_build_queue.h) for PostgreSQL: the guarantees each method
// states are the contract, and the build queue's tests (tests/store/build_queue_*_test.cc) run
// against both.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "builder/store/app_id.h"
#include "builder/store/store_tx.h"
#include "builder/util/status.h"

namespace ignite::store {

// As the API's enum (proto/dodil/ignite/builder/v1/build.proto), without UNSPECIFIED.
enum class BuildState { kQueued, kRunning, kSucceeded, kFailed, kCancelled };
enum class BuildPriority { kNormal, kPublish };  // PublishDraft's builds are kPublish
// What a build makes. kVersion: the app's next version (every build until SaveDraft).
// kDraft: only the image of a saved draft, checked and built ahead of PublishDraft so that the
// publish build finds every layer made; it takes no number and nothing leaves the store.
enum class BuildKind { kVersion, kDraft };
// What a build's source is: a draft's code (one file or an archive; the pipeline builds it), an
// image's reference as text (publish_image.h publishes it unchanged; no codeHash), or a git
// repository's ref, fetched by the worker (its codeHash and commit are known once fetched).
enum class SourceKind { kCode, kImage, kGit };

// "QUEUED", "RUNNING", ... as the API and the database spell them.
std::string_view build_state_name(BuildState state);
std::optional<BuildState> parse_build_state(std::string_view name);
// SUCCEEDED, FAILED and CANCELLED: a build in one of them never changes again.
bool is_finished(BuildState state);
// "VERSION", "DRAFT" as the database spells them.
std::string_view build_kind_name(BuildKind kind);
std::optional<BuildKind> parse_build_kind(std::string_view name);
// "CODE", "IMAGE", "GIT" as the database spells them.
std::string_view source_kind_name(SourceKind kind);
std::optional<SourceKind> parse_source_kind(std::string_view name);

// Strings carry {} so that BuildRecord{id, app} leaves the rest at their defaults without a
// -Wmissing-field-initializers warning (AppId has no default, so the record needs one).
struct BuildRecord {
  std::string id{};  // "b-" and 32 hex digits (128 random bits)
  AppId app;
  BuildState state = BuildState::kQueued;
  BuildPriority priority = BuildPriority::kNormal;
  BuildKind kind = BuildKind::kVersion;
  SourceKind source_kind = SourceKind::kCode;
  std::string stage{};            // the stage the current (or last) attempt is in; "" while queued
  std::string source_digest{};    // sha256:... of the source bytes, in the store's content store
  std::string code_hash{};        // codeHash v1 of the draft; "" for an image
  std::int64_t version = 0;       // once SUCCEEDED; 0 for a draft build
  std::string manifest_digest{};  // once SUCCEEDED (a draft build's image too)
  std::string lock_hash{};        // once SUCCEEDED; "" without requirements (the API reports it)
  std::string error{};            // the last attempt's failure, for a person; "" once SUCCEEDED
  Code error_code = Code::kOk;    // and its code (kOk with no error)
  std::string source_commit{};    // a git source's commit, once fetched
  // Once a version build SUCCEEDED: its version's SBOM and provenance artifact manifests
  // (VersionRecord's); "" when the version has none, and for a draft build.
  std::string sbom_digest{};
  std::string provenance_digest{};
  int attempts = 0;  // claims so far, this one included
  int max_attempts = 0;
  int leases_lost = 0;  // attempts that ended with an expired lease
  bool cancel_requested = false;
  // Milliseconds since the Unix epoch, from the queue's clock; 0 when not yet.
  std::int64_t submitted_at_ms = 0;
  std::int64_t started_at_ms = 0;   // the first claim
  std::int64_t finished_at_ms = 0;  // SUCCEEDED, FAILED or CANCELLED
  std::int64_t deadline_ms = 0;     // submitted_at_ms + the submit's deadline
  std::int64_t not_before_ms = 0;   // a retry waits for its backoff until then
  // The lease of the current (or last) attempt. The epoch counts claims: each claim takes the
  // next one, and only the holder of the current one may change the build.
  std::string lease_owner{};
  std::int64_t lease_epoch = 0;
  std::int64_t lease_expires_ms = 0;
};

// A build's history: every state change and stage, numbered 1, 2, 3... per build without gaps,
// so a watcher resumes with events(id, last_sequence_seen). Each event also keeps what the build
// was at that moment (the message Watch streams and the control plane is sent, docs/events.md).
struct BuildEvent {
  std::string build_id{};
  std::int64_t sequence = 0;
  BuildState state = BuildState::kQueued;  // the build's state after the event
  std::string stage{};
  std::string message{};
  std::int64_t at_ms = 0;
  std::int64_t version = 0;         // once SUCCEEDED
  std::string manifest_digest{};    // once SUCCEEDED (a draft build's image too)
  std::string code_hash{};          // as the build knew it then
  std::string lock_hash{};          // once SUCCEEDED
  std::string sbom_digest{};        // once a version build SUCCEEDED, when its version has one
  std::string provenance_digest{};  // the same
  // The failure that ended the build (FAILED, CANCELLED) or sent it back to the queue (a retry);
  // kOk and "" otherwise.
  Code error_code = Code::kOk;
  std::string error{};
};

inline constexpr std::chrono::milliseconds kDefaultBuildDeadline = std::chrono::minutes(15);

struct SubmitOptions {
  int max_attempts = 3;  // claims, lost leases and retried failures included
  // From submission: a build queued or running past it fails with "deadline exceeded".
  std::chrono::milliseconds deadline = kDefaultBuildDeadline;
  BuildKind kind = BuildKind::kVersion;
  SourceKind source_kind = SourceKind::kCode;  // kImage: code_hash must be ""
  // A client's retry of the same submission (printable ASCII, at most 128 bytes; "" for none),
  // per org, for kIdempotencyWindow: the same key with the same request returns the first build
  // instead of queueing another; with another request, ALREADY_EXISTS.
  std::string idempotency_key{};
};

inline constexpr std::chrono::milliseconds kIdempotencyWindow = std::chrono::hours(24);

// What a claim hands a worker: the build, and the epoch every later call must show.
struct Claim {
  BuildRecord build;
  std::int64_t epoch = 0;
};

// What the commit recorded, for the build's record.
struct BuildOutcome {
  std::int64_t version = 0;  // 0 for a draft build
  std::string manifest_digest{};
  std::string lock_hash{};
  // What a GIT source turned out to be once fetched: recorded on a build that has none yet ("":
  // nothing to add, as for a draft's code, whose codeHash is known at submission).
  std::string code_hash{};
  std::string source_commit{};
  // The committed version's SBOM and provenance artifact manifests (VersionRecord's; "" when it
  // has none). A version build's success records them; a draft build takes none.
  std::string sbom_digest{};
  std::string provenance_digest{};
};

struct BuildFilter {
  std::optional<AppId> app{};         // every app when unset
  std::optional<std::string> org{};   // every org when unset (a caller's org: docs/auth.md)
  std::optional<BuildState> state{};  // any state when unset
  int page_size = 0;                  // 50 when 0, at most 500
  std::string page_token{};           // next_page_token of the previous page; "" for the first
};

struct BuildPage {
  std::vector<BuildRecord> builds{};  // newest submission first
  std::string next_page_token{};      // "" on the last page
};

// Waiting time before retry number `failed_attempts` + 1: 1 s, 2 s, 4 s... at most 60 s.
std::chrono::milliseconds default_backoff(int failed_attempts);

struct QueueOptions {
  // Running builds one org may have at once, so that one org's burst never takes every worker.
  int max_running_per_org = 2;
  // The queue's clock, milliseconds since the Unix epoch; the system clock when unset. Tests
  // pass a fake one, so nothing in them ever sleeps.
  std::function<std::int64_t()> now_ms;
  // The wait before a retry (default_backoff when unset).
  std::function<std::chrono::milliseconds(int failed_attempts)> backoff;
};

// Every method is atomic: a state change and its event are recorded together or not at all, and
// concurrent callers (threads or processes, each with its own queue object) see them in one
// order. Errors: NOT_FOUND for an unknown build id, INVALID_ARGUMENT for bad arguments,
// UNAVAILABLE when the store stays busy (retry), ABORTED "lease lost: ..." for a fenced call
// whose epoch is not the build's current one or whose build is no longer running.
//
// Fenced calls (heartbeat, set_stage, fail, mark_cancelled, succeed_draft,
// succeed_in_transaction) check the
// lease first (ABORTED). Past the build's deadline, heartbeat and set_stage then fail the build
// and return DEADLINE_EXCEEDED; succeed_in_transaction returns it without writing (it must not
// write into a transaction that rolls back); fail records the worker's own error, without a
// retry; mark_cancelled cancels. A lease that has expired but has not been taken over yet is
// still honored (and a heartbeat renews it): nobody else can have the build, so nothing is lost
// by letting its worker go on.
class BuildQueue {
 public:
  virtual ~BuildQueue() = default;

  // Records a QUEUED build and its first event before returning (or, with an idempotency key
  // seen within its window for the same request, returns that build as it is now). `source_digest`
  // must be a sha256 digest; `code_hash` one or "" (an image, SourceKind::kImage, has none; code
  // may leave it "" too).
  virtual Result<BuildRecord> submit(const AppId& app, std::string_view source_digest,
                                     std::string_view code_hash, BuildPriority priority,
                                     const SubmitOptions& options) = 0;

  // First settles what time has decided (sweep()), then hands `worker_id` the next build:
  // publish priority first, then the oldest submission, skipping builds still in their backoff
  // and orgs that already run QueueOptions::max_running_per_org builds. nullopt when there is
  // none to take. The build is RUNNING under a lease of `lease` with the next epoch, and its
  // attempt is counted.
  virtual Result<std::optional<Claim>> claim(std::string_view worker_id,
                                             std::chrono::milliseconds lease) = 0;

  // Renews the lease for `lease` from now. Returns whether a cancel was requested (the worker
  // should stop at its next stage boundary, or at once with mark_cancelled).
  virtual Result<bool> heartbeat(std::string_view id, std::int64_t epoch,
                                 std::chrono::milliseconds lease) = 0;

  // A stage boundary: records that the build enters `stage` (an event). When a cancel was
  // requested, the build does not enter it: it is CANCELLED here and the call returns CANCELLED,
  // so the worker stops. (One call at each boundary, and no window between "is a cancel
  // requested?" and "go on".)
  virtual Status set_stage(std::string_view id, std::int64_t epoch, std::string_view stage) = 0;

  // The attempt failed with `error` (recorded whole up to 8 KiB; past that, its first 6 KiB and
  // last 2 KiB, with how much was cut between them). A retryable failure with attempts left goes
  // back to the queue (QUEUED, not before now + the backoff); otherwise the build is FAILED with
  // `error`. A requested cancel wins over a retry: the build is CANCELLED, `error` kept. Returns
  // the build as recorded. The error's code is recorded with it (BuildRecord::error_code).
  virtual Result<BuildRecord> fail(std::string_view id, std::int64_t epoch, const Status& error,
                                   bool retryable) = 0;

  // Stops the build as CANCELLED, for a worker that learned of a requested cancel (heartbeat)
  // and stops mid-stage. FAILED_PRECONDITION when no cancel was requested: a worker never
  // cancels a build on its own.
  virtual Status mark_cancelled(std::string_view id, std::int64_t epoch) = 0;

  // The user's cancel. QUEUED: CANCELLED at once. RUNNING: cancel_requested is set and the
  // worker stops at its next stage boundary, the commit included (a no-op when already set).
  // SUCCEEDED: FAILED_PRECONDITION "build X already published as vN". FAILED or CANCELLED:
  // FAILED_PRECONDITION "build X already ended as FAILED" (or CANCELLED). Returns the build.
  virtual Result<BuildRecord> request_cancel(std::string_view id) = 0;

  // Moves a QUEUED build of normal priority to publish priority (an event says why), so that a
  // publish waiting for it is not held behind every other queued build. Any other build is
  // returned as it is.
  virtual Result<BuildRecord> raise_priority(std::string_view id, std::string_view why) = 0;

  virtual Result<BuildRecord> get(std::string_view id) = 0;
  virtual Result<BuildPage> list(const BuildFilter& filter) = 0;
  // The build's events with a sequence above `after_sequence`, in order.
  virtual Result<std::vector<BuildEvent>> events(std::string_view id,
                                                 std::int64_t after_sequence) = 0;

  // Fails every unfinished build past its deadline, and returns every RUNNING build whose lease
  // expired to the queue (or fails it, "lease lost N times", when its attempts are spent).
  // claim() does this first; a service may also call it on a timer so that get() and list()
  // show it without waiting for a worker.
  virtual Status sweep() = 0;

  // The fenced commit: records the build SUCCEEDED with `outcome` inside the transaction that
  // records the version, so that the version and the build's success commit together or not at
  // all. Call it first in VersionStore::commit_version's `publish` callback (before the registry
  // tag or anything else outside the store), with `store_tx` the transaction that callback is
  // given, which holds the write lock: no reclaim can come between the check and the commit. When
  // the lease was lost (ABORTED "lease lost: build X was taken over (epoch E is not current)"), the
  // deadline passed (DEADLINE_EXCEEDED) or a cancel was requested (CANCELLED: the commit is a stage
  // boundary too; the worker then calls mark_cancelled), it returns the error and writes nothing,
  // so commit_version rolls back and takes no number.
  //
  // `store_tx` must be a transaction of this queue's own database (FAILED_PRECONDITION "the
  // version store and the queue are in different databases" otherwise). Like every guard, the
  // callback may run more than once (a retried transaction): these fences write only into
  // `store_tx`, so a rolled-back attempt leaves nothing behind.
  virtual Status succeed_in_transaction(StoreTx& store_tx, std::string_view id, std::int64_t epoch,
                                        const BuildOutcome& outcome) = 0;

  // The end of a draft build (BuildKind::kDraft): SUCCEEDED with the image's digests and no
  // version (outcome.version must be 0). Fenced like a commit, in a transaction of its own since
  // nothing else is recorded with it: past the deadline the build fails (DEADLINE_EXCEEDED), a
  // requested cancel cancels it (CANCELLED). FAILED_PRECONDITION for a version build, which only
  // succeeds with its version (succeed_in_transaction). Returns the build as recorded.
  virtual Result<BuildRecord> succeed_draft(std::string_view id, std::int64_t epoch,
                                            const BuildOutcome& outcome) = 0;

  // With a registry the commit is two short transactions around the registry's tag, which no
  // transaction may span (docs/publish-lock.md); these two replace succeed_in_transaction there.
  //
  // The first's fence, called in the version store's transaction that takes N and records the
  // intent (VersionStore::record_intent), before the tag is set: the same checks and refusals as
  // succeed_in_transaction (lease, deadline, cancel; nothing written on a refusal, so no number
  // is taken). It records only an event, "publishing <app>:vN (digest)": from then on the build
  // is committed to publishing vN, and neither a cancel nor the deadline stops it any more (the
  // tag may be set; a version whose tag is set is recorded, never abandoned).
  virtual Status publishing_in_transaction(StoreTx& store_tx, std::string_view id,
                                           std::int64_t epoch, const BuildOutcome& outcome) = 0;
  // The second: records the build SUCCEEDED with `outcome` in the transaction that records the
  // version from its intent (VersionStore::commit_intent), whoever does it: the build's own
  // worker, or the next publisher of the app rolling forward the intent of a worker that stopped.
  // No epoch is shown: that transaction is fenced by the app's publish lock and the intent, which
  // only one worker can hold, and the version is a fact once it commits. An unfinished build
  // (RUNNING under any epoch, or QUEUED again after a lost lease) becomes SUCCEEDED, so a worker
  // that took it over stops at its next fenced call (ABORTED) and publishes nothing; a finished
  // one is left as it is (OK: the triggers forbid changing it, and the version stands).
  virtual Status succeed_published_in_transaction(StoreTx& store_tx, std::string_view id,
                                                  const BuildOutcome& outcome) = 0;

 protected:
  BuildQueue() = default;
  BuildQueue(const BuildQueue&) = default;
  BuildQueue(BuildQueue&&) = default;
  BuildQueue& operator=(const BuildQueue&) = default;
  BuildQueue& operator=(BuildQueue&&) = default;
};

}  // namespace ignite::store
