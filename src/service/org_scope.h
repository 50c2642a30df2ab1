// What a caller may touch (docs/auth.md): its own org's apps, builds and versions. Another org's
// answer exactly as missing ones would (NOT_FOUND, the same message), so a token of one org
// learns nothing of what another has; those checks sit where each NOT_FOUND is made. Making
// something in another org (CreateApp, SubmitBuild) is refused here, before anything is looked
// up, so its answer does not depend on what exists either.
#pragma once

#include "builder/store/app_id.h"
#include "builder/util/status.h"
#include "src/auth/caller.h"

namespace ignite::service {

// PERMISSION_DENIED unless `caller` may make things in `app`'s org.
Status check_may_create(const auth::Caller& caller, const store::AppId& app);

}  // namespace ignite::service
