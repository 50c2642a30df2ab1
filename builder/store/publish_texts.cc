#include "builder/store/publish_texts.h"

namespace ignite::store {

std::string intent_in_flight_text(const PublishIntent& i, const AppId& app) {
  return "version " + std::to_string(i.record.number) + " of " + app.to_string() + " (" +
         i.record.manifest_digest + ") is being published to registry " + i.registry +
         (i.build_id.empty() ? "" : " by build " + i.build_id) + " (publish lock holder " +
         i.holder + ")";
}

Status publish_lock_taken_over(const AppId& app, const PublishLockLease& ours,
                               const std::optional<PublishLockLease>& current) {
  return aborted("lease lost: the publish lock of " + app.to_string() + " was taken over" +
                 (current
                      ? " by " + current->holder + " (epoch " + std::to_string(current->epoch) + ")"
                      : "") +
                 "; holder " + ours.holder + " with epoch " + std::to_string(ours.epoch) +
                 " may no longer publish");
}

Status check_intent_still_there(const AppId& app, const PublishIntent& intent,
                                const std::optional<PublishIntent>& current) {
  if (current && current->record.number == intent.record.number &&
      current->record.manifest_digest == intent.record.manifest_digest &&
      current->registry == intent.registry) {
    return ok_status();
  }
  return aborted("lease lost: the intent to publish version " +
                 std::to_string(intent.record.number) + " of " + app.to_string() +
                 " is gone (another holder of its publish lock rolled it forward)");
}

}  // namespace ignite::store
