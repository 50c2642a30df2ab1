// The store's record of apps and versions: the one authority for version numbers.
//
// Without a registry, a number is taken in the same database transaction that records the
// version, under the database's write lock (BEGIN IMMEDIATE), so concurrent builds get 1, 2, 3...
// without gaps and a failed build uses no number (commit_version).
//
// With a registry the tag vN must be set between taking N and recording it, and a registry may be
// slow: so no transaction spans it (docs/publish-lock.md). The holder of the app's publish lock
// (a lease row) records an intent with N in one short transaction (record_intent), sets the tag
// outside any, and records the version in a second one (commit_intent), or drops the intent when
// the tag was refused (drop_intent). Other builds of the app wait for the lock, so N stays the
// next number throughout, and a refused tag leaves no gap. An intent left by a holder that
// stopped is rolled forward by the next holder (commit_intent), never dropped.
// The layout's ref follows the commit (builder/pipeline/version_commit.h, docs/store.md).
//
// VersionStore is the interface; SqliteVersionStore (sqlite_version_store.h) fills it for the
// embedded store. Its transactional methods hand their guard the StoreTx of the transaction they
// run (store_tx.h), through which the queue's fences join it.
#pragma once

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

// What a version records. `inputs` is a JSON object of everything that fixes the digest.
struct VersionRecord {
  std::int64_t number = 0;  // assigned by commit_version
  std::string manifest_digest;
  std::string code_hash;
  std::string lock_hash;
  std::string base_digest;
  std::string inputs;
  std::int64_t created_at = 0;  // assigned by commit_version
  // HOST[:PORT] where the tag vN was set with the commit (sorted when read back). A version
  // published to a registry may keep some layers only there (docs/store.md).
  std::vector<std::string> registries;
  // The artifact manifests attached to the image (docs/attestations.md): its SBOM and its
  // signed provenance; "" when there is none (a version recorded before schema 4, an image
  // draft, a build without a signing key).
  std::string sbom_digest;
  std::string provenance_digest;
};

// A publication in flight or left behind (pending_tags with a number): version `record.number`
// of the app, whose tag is being set in `registry` (record.registries holds it too).
struct PublishIntent {
  VersionRecord record;
  std::string registry;
  std::string build_id;  // the queue's build that made it; "" for `ignite-builder build`
  std::string holder;    // the publish lock it was made under
  std::int64_t lock_epoch = 0;
};

// A held publish lock: every step of a publication shows it.
struct PublishLockLease {
  std::string holder;
  std::int64_t epoch = 0;
};

// Run inside a publication's transactions, after the lock and the intent were checked, with
// that transaction (`tx`): an error rolls it back (the queue's fences). A guard may run more
// than once for one call (a backend may retry a transaction that met a concurrent one, and runs
// the guard again in the new one), so it must have no effect outside the transaction: it reads
// and writes only through `tx` (or reads what does not change, like the layout's refs).
using IntentGuard = std::function<Status(StoreTx& tx, const PublishIntent& intent)>;

// commit_version's guard: `number` is the one the transaction `tx` takes. The same rules as an
// IntentGuard: it may run more than once, and has no effect outside `tx`.
using VersionGuard = std::function<Status(StoreTx& tx, std::int64_t number)>;

struct AppVersions {
  AppId app;
  std::vector<VersionRecord> versions;  // ascending by number
};

class VersionStore {
 public:
  virtual ~VersionStore() = default;

  // Records `record` as the app's next version. `publish(tx, number)` is called inside the
  // transaction, `tx` (and may be called again in a retried one); when it fails, nothing is
  // recorded and the number stays free. The pending tags of `record` (its digest in each of
  // record.registries) are forgotten in the same transaction. While a publication of the app holds
  // an intent (the next number is spoken for), it takes no number and returns UNAVAILABLE "… is
  // being published …"; `publish_intent` tells it apart from a busy database.
  virtual Result<VersionRecord> commit_version(const AppId& app, VersionRecord record,
                                               const VersionGuard& publish) = 0;

  // The app's publish lock (publish_locks), times in `now_ms` (the caller's clock, milliseconds
  // since the Unix epoch). take: when the lock is free or its lease expired, `holder` gets it
  // with the next epoch until now + lease; nullopt while another holder's lease runs, with that
  // holder and its expiry in *busy; a lease of `gone_holder` (a holder known to have stopped)
  // is taken even before it expires. renew: ABORTED "lease lost: …" unless (holder, epoch) still
  // holds it (an expired lease that nobody took yet is still honored). release: frees it when
  // still held by (holder, epoch); a no-op otherwise.
  struct LockBusy {
    std::string holder;
    std::int64_t expires_ms = 0;
  };
  virtual Result<std::optional<PublishLockLease>> take_publish_lock(
      const AppId& app, std::string_view holder, std::int64_t now_ms, std::int64_t lease_ms,
      LockBusy* busy = nullptr, std::string_view gone_holder = {}) = 0;
  virtual Status renew_publish_lock(const AppId& app, const PublishLockLease& lock,
                                    std::int64_t now_ms, std::int64_t lease_ms) = 0;
  virtual Status release_publish_lock(const AppId& app, const PublishLockLease& lock) = 0;

  // The app's numbered intent, if any (at most one: publications of an app are serial).
  virtual Result<std::optional<PublishIntent>> publish_intent(const AppId& app) = 0;

  // Transaction A (needs `lock`): N = the highest recorded number + 1; `guard` (the build's
  // fence) runs with the intent; the intent to tag `record` as vN in `registry` is recorded.
  // FAILED_PRECONDITION when the app already has an intent (roll it forward first). Returns the
  // intent, its record numbered.
  virtual Result<PublishIntent> record_intent(const AppId& app, VersionRecord record,
                                              std::string_view registry, std::string_view build_id,
                                              const PublishLockLease& lock,
                                              const IntentGuard& guard = nullptr) = 0;
  // Transaction B (needs `lock`), for the intent's own holder or for the next holder rolling a
  // left one forward: the intent must still be there (number, digest and registry as `intent`);
  // version N is recorded as intent.record with its registry tag, `guard` runs (the queue's
  // success), the intent goes. ABORTED "lease lost: …" when the lock is another's, or the intent
  // was rolled forward by one.
  virtual Result<VersionRecord> commit_intent(const AppId& app, const PublishIntent& intent,
                                              const PublishLockLease& lock,
                                              const IntentGuard& guard = nullptr) = 0;
  // Transaction C (needs `lock`): the tag was refused, so version N was never published; the
  // intent goes and N stays free (no other build of the app can have taken N + 1: it waits for
  // the lock). ABORTED when the lock is another's (the intent is then theirs to roll forward).
  virtual Status drop_intent(const AppId& app, const PublishIntent& intent,
                             const PublishLockLease& lock) = 0;

  // All versions of one app (NOT_FOUND if the app has none).
  virtual Result<std::vector<VersionRecord>> versions(const AppId& app) = 0;
  // Every app with its versions, ordered by org and app.
  virtual Result<std::vector<AppVersions>> all_versions() = 0;
  // The highest committed number of an app, 0 if none.
  virtual Result<std::int64_t> latest_number(const AppId& app) = 0;
  // The numbers of the app's versions whose tag this store set in `registry`.
  virtual Result<std::vector<std::int64_t>> registry_tagged_numbers(const AppId& app,
                                                                    std::string_view registry) = 0;
  // Another app tagged in `registry` whose latest such version has base `base_digest`: its
  // repository holds the base's layers, so a new app can mount them from there.
  virtual Result<std::optional<AppId>> app_in_registry_with_base(std::string_view registry,
                                                                 std::string_view base_digest,
                                                                 const AppId& except) = 0;

  // Another app tagged in `registry` whose latest such version has lock `lock_hash`: its
  // repository holds the dependency layer of that lock.
  virtual Result<std::optional<AppId>> app_in_registry_with_lock(std::string_view registry,
                                                                 std::string_view lock_hash,
                                                                 const AppId& except) = 0;

  // A pending registry tag of schema 2 (schema.sql, pending_tags, number 0), made before the
  // number was known and left by a process that stopped: looked up by the digest a tag names.
  virtual Result<std::optional<VersionRecord>> pending_tag(const AppId& app,
                                                           std::string_view registry,
                                                           std::string_view manifest_digest) = 0;
  // Drops such a tag once its version is recorded.
  virtual Status forget_pending_tag(const AppId& app, std::string_view registry,
                                    std::string_view manifest_digest) = 0;

 protected:
  VersionStore() = default;
  VersionStore(const VersionStore&) = default;
  VersionStore(VersionStore&&) = default;
  VersionStore& operator=(const VersionStore&) = default;
  VersionStore& operator=(VersionStore&&) = default;
};

}  // namespace ignite::store
