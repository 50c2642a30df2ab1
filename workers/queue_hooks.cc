#include "workers/queue_hooks.h"

#include <utility>

namespace ignite::workers {

store::BuildOutcome committed_outcome(const store::VersionRecord& record, std::int64_t number,
                                      std::string source_commit) {
  store::BuildOutcome outcome;
  outcome.version = number;
  outcome.manifest_digest = record.manifest_digest;
  outcome.lock_hash = record.lock_hash;
  outcome.code_hash = record.code_hash;
  outcome.source_commit = std::move(source_commit);
  outcome.sbom_digest = record.sbom_digest;
  outcome.provenance_digest = record.provenance_digest;
  return outcome;
}

pipeline::BuildHooks queue_hooks(store::BuildQueue& queue, const std::string& id,
                                 std::int64_t epoch, const std::string& commit) {
  pipeline::BuildHooks hooks;
  hooks.enter_stage = [&queue, id, epoch](std::string_view stage) {
    return queue.set_stage(id, epoch, stage);
  };
  hooks.before_commit = [&queue, id, epoch, commit](store::StoreTx& tx,
                                                    const store::VersionRecord& record,
                                                    std::int64_t number) {
    return queue.succeed_in_transaction(tx, id, epoch, committed_outcome(record, number, commit));
  };
  // With --registry: the fence before the tag, and the success with the version (of this
  // build, or of an earlier one whose worker stopped after its tag: its intent names it).
  hooks.build_id = id;
  hooks.before_intent = [&queue, id, epoch, commit](store::StoreTx& tx,
                                                    const store::PublishIntent& intent) {
    return queue.publishing_in_transaction(
        tx, id, epoch, committed_outcome(intent.record, intent.record.number, commit));
  };
  // A rolled-forward intent may be another build's: its commit is in the version's inputs, and
  // only this build's own is known here. Its SBOM and provenance are in the intent's record.
  hooks.on_published = [&queue, id, commit](store::StoreTx& tx,
                                            const store::PublishIntent& intent) {
    if (intent.build_id.empty()) return ok_status();  // an `ignite-builder build`'s
    return queue.succeed_published_in_transaction(
        tx, intent.build_id,
        committed_outcome(intent.record, intent.record.number,
                          intent.build_id == id ? commit : std::string()));
  };
  return hooks;
}

}  // namespace ignite::workers
