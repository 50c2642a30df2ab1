// build: a draft's source -> codeHash -> layers -> image -> the app's next version.
//
// Stages, each followed by a fault point (IGNITE_FAULT=kill-after:<stage>, builder/util/fault.h):
//   intake  read and check the source; its codeHash
//   lock    requirements.txt resolved into a lock (or the source's pylock.toml, or the cached
//           lock of the same requirements): builder/index/lock_requirements.h
//   base    the base image (the store's default, made once, or --base: build_base.h)
//   deps    the lock's wheels as the dependency layer (deps_layer.h; cached by what it installs)
//   layers  runtime host and app layers written as blobs
//   image   config and manifest written as blobs
//   push    with --registry: every blob and the manifest pushed by digest (registry_publish.h)
//   intent  with --registry: under the app's publish lock, N taken and the intent recorded
//   tag     with --registry: the tag vN in the registry, outside any store transaction (the
//           fault point fires without a registry too, just before the commit)
//   commit  the version recorded
//   ref     the ref "<org>/<app>:v<N>" set in the layout (version_commit.h)
// Blobs go before the commit and the ref after it, so a crash anywhere leaves either no trace but
// unreferenced blobs, or a recorded version whose ref the next build of the app sets; with
// --registry, also possibly a tag on a complete image that the app's next build publishing to
// that registry records (docs/store.md).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "builder/index/lock_requirements.h"
#include "builder/pipeline/attestations.h"
#include "builder/pipeline/deps_layer.h"
#include "builder/pipeline/function_store.h"
#include "builder/pipeline/progress.h"
#include "builder/pipeline/registry_publish.h"
#include "builder/pipeline/source_origin.h"
#include "builder/pipeline/version_commit.h"
#include "builder/source/intake.h"
#include "builder/store/app_id.h"
#include "builder/util/digest.h"

namespace ignite::pipeline {

// For a build that a queue runs (workers/worker.h); both unset for `ignite-builder build`.
struct BuildHooks {
  // Called as the build enters each stage (intake, lock, deps, layers, image, push, commit),
  // before the stage's work: an error stops the build there (the queue's CANCELLED for a
  // requested cancel, ABORTED for a lost lease).
  std::function<Status(std::string_view stage)> enter_stage;
  // Without a registry: called first inside the transaction that takes the version number,
  // with that transaction, the record and its number: an error rolls the transaction back and
  // no number is taken (the queue's fenced commit, BuildQueue::succeed_in_transaction). Like
  // every guard, these may run more than once (a retried transaction) and must have no effect
  // outside the transaction they are given.
  CommitGuard before_commit;
  // With a registry (docs/publish-lock.md): first in the transaction that takes N and records
  // the intent, before the tag is set (BuildQueue::publishing_in_transaction); an error there
  // takes no number. After it the build is committed to publishing vN.
  store::IntentGuard before_intent;
  // With a registry: in the transaction that records a version from an intent, this build's or
  // one whose publication stopped (intent.build_id; BuildQueue::succeed_published_in_transaction).
  store::IntentGuard on_published;
  std::string build_id;  // the queue's build id, kept in the intent
};

struct BuildRequest {
  std::string source;  // a file, directory or archive path
  store::AppId app;
  std::optional<std::string>
      base{};  // a registry or OCI layout image (build_base.h); default: kPythonBaseRef
  std::optional<std::string> source_date_epoch{};  // SOURCE_DATE_EPOCH's value, if set
  IntakeOptions intake{};
  std::optional<RegistryTarget> registry{};  // also publish HOST/<org>/<app>:vN there
  // Where requirements.txt's packages come from (pip's --index-url, --find-links, --no-index)
  // and whether a cached lock may be reused.
  index::SourceOptions sources{};
  index::Refresh refresh = index::Refresh::kNo;
  // A lock to use as it is instead of locking requirements.txt (index::LockRequest's
  // given_lock): verify --rebuild's recorded lock.
  std::optional<std::string> given_lock{};
  wheel::RecordPolicy record = wheel::RecordPolicy::kStrict;
  Bytecode bytecode = Bytecode::kCompile;
  BuildHooks hooks{};
  // false: a draft build (SaveDraft): stops after the image stage, with the image's blobs in the
  // store's layout; nothing is pushed, no number is taken and no ref is set (the result's
  // version is 0). The publish build of the same draft then finds every layer made.
  bool make_version = true;
  PublishLockOptions publish_lock{};  // with --registry: the app's publish lock
  // Where `source` came from (a git commit's tree fetched into a scratch directory): recorded
  // in the version's inputs ("source") and as the image's org.opencontainers.image.source and
  // .revision labels. Unset, neither appears, and the image's digest is what it always was.
  std::optional<SourceOrigin> origin{};
  // The version's SBOM, and its provenance when a signing key is given (attestations.h).
  // Not made for a draft build (make_version false).
  AttestOptions attest{};
};

// The function's dependencies as built: empty `lock_hash` for a function without any.
struct BuildDependencies {
  std::string lock_hash;  // "sha256:…" of the pylock.toml
  index::LockOrigin lock_origin = index::LockOrigin::kNoRequirements;
  std::string lock_sources;        // where packages were looked for (credential-free)
  double lock_ms = 0;              // reading, resolving or finding the lock
  std::optional<DepsLayer> layer;  // none when the lock installs nothing on the target
};

struct BuildResult : CommittedVersion {
  Digest code_hash;
  Digest manifest_digest;
  std::string base_digest;
  std::string inputs;  // the JSON recorded with the version
  BuildDependencies dependencies;
  std::optional<VersionAttestations> attestations;  // a version's; none for a draft build
};

Result<BuildResult> build_function(FunctionStore& store, const BuildRequest& request,
                                   Progress& progress);

}  // namespace ignite::pipeline
