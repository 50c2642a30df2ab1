// The last step of every way a version is made (build, publish-image).
//
// Without a registry: one store transaction takes N and records the version (commit); then the
// ref "<org>/<app>:v<N>" is set in the image layout.
//
// With a registry (docs/publish-lock.md), no transaction spans the registry's I/O:
//   the app's publish lock       taken (waiting while another publication of the app holds it)
//   roll forward                 an intent a stopped holder left: its tag, then its version
//   transaction A                N, the build's fence, the intent (N, digest, build)   "intent"
//   the tag vN                   outside any transaction (tag guard: never moved)      "tag"
//   transaction B                the fence again, version N, the intent dropped         "commit"
//   (a refused tag: transaction C drops the intent; N was never used, so no gap)
//   the lock released, the ref                                                          "ref"
//
// The ref comes after the commit, so a ref only ever names a recorded version and is never
// replaced: a process killed between the commit and the ref leaves version N recorded without
// its ref, and the next commit of the app (or `store check`'s note until then) sets it from the
// record. The registry tag goes before the commit so that a registry refusing it records nothing
// and takes no number; one killed between intent and commit leaves an intent that the next
// publication of the app rolls forward (tags are never moved, so it never discards it).
//
// Fault points (IGNITE_FAULT=kill-after:<stage>): "intent" after transaction A (registry only),
// "tag" just before the commit, "commit" after it, "ref" after the ref.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "builder/oci/descriptor.h"
#include "builder/pipeline/function_store.h"
#include "builder/pipeline/publish_lock.h"
#include "builder/pipeline/registry_publish.h"
#include "builder/store/app_id.h"
#include "builder/store/version_store.h"

namespace ignite::pipeline {

// What every way of making a version reports (BuildResult and PublishImageResult extend it).
struct CommittedVersion {
  std::int64_t version = 0;
  std::string reference;  // "acme-corp/greet:v3"
  std::optional<RegistryOutcome>
      registry;  // with a publication: "HOST/acme-corp/greet:v3", bytes moved
  // What went wrong after the commit (a ref that could not be set): the version is recorded
  // all the same, so these are warnings, not a failure.
  std::vector<std::string> warnings;
};

// Run first inside the transaction `tx` that takes the version number (see BuildHooks): an error
// rolls it back and no number is taken. It may run more than once (a retried transaction) and
// must have no effect outside `tx` (store::VersionGuard).
using CommitGuard = std::function<Status(store::StoreTx& tx, const store::VersionRecord& record,
                                         std::int64_t number)>;

// How a queue's build fences its commit (BuildHooks); all unset for `ignite-builder build`.
struct CommitFences {
  // Without a registry: first inside the one transaction.
  CommitGuard guard;
  // With a registry: first in transaction A (the build's fence before its tag is set).
  store::IntentGuard before_intent;
  // With a registry: in transaction B, with the intent recorded as a version: this build's own,
  // or one a stopped publication left and this one rolled forward (intent.build_id names it).
  store::IntentGuard on_published;
  std::string build_id;  // recorded in the intent
  PublishLockOptions lock{};
};

// `manifest` and its config must be in the store's layout already. Without a publication the
// version lives only in the layout, so every layer must be there too (FAILED_PRECONDITION
// naming the first missing one).
Result<CommittedVersion> commit_version_with_ref(FunctionStore& store, const store::AppId& app,
                                                 store::VersionRecord record,
                                                 const oci::Descriptor& manifest,
                                                 RegistryPublication* publication,
                                                 const CommitFences& fences = {});

// Sets the ref of every recorded version of `app` that has none (its process stopped between
// commit and ref), from the recorded digest. Never moves a ref. Returns what it could not do
// (one line per version; `store check` reports those versions too).
std::vector<std::string> set_missing_refs(FunctionStore& store, const store::AppId& app);

// The descriptor of a manifest stored in the layout under `digest` ("sha256:…"; media type from
// its "mediaType", the OCI manifest type when it has none).
Result<oci::Descriptor> stored_manifest_descriptor(const oci::OciLayout& layout,
                                                   std::string_view digest);

}  // namespace ignite::pipeline
