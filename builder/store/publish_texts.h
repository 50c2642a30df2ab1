// What both version-store backends say about a publication (sqlite_version_store.cc,
// postgres/pg_version_store.cc): one text each, so the backends cannot drift apart in the
// messages callers and tests match on.
#pragma once

#include <optional>
#include <string>

#include "builder/store/app_id.h"
#include "builder/store/version_store.h"
#include "builder/util/status.h"

namespace ignite::store {

// "version N of ORG/APP (sha256:…) is being published to registry HOST by build B (publish
// lock holder H)".
std::string intent_in_flight_text(const PublishIntent& intent, const AppId& app);

// ABORTED "lease lost: the publish lock of ORG/APP was taken over [by H (epoch E)]; holder …
// with epoch … may no longer publish": `current` is the lock's holder now, if any.
Status publish_lock_taken_over(const AppId& app, const PublishLockLease& ours,
                               const std::optional<PublishLockLease>& current);

// OK when `current` is still `intent` (number, digest, registry); else ABORTED "lease lost: the
// intent to publish version N of ORG/APP is gone (another holder … rolled it forward)".
Status check_intent_still_there(const AppId& app, const PublishIntent& intent,
                                const std::optional<PublishIntent>& current);

}  // namespace ignite::store
