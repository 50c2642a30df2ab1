// The queue's records as the API's messages (proto/dodil/ignite/builder/v1/build.proto): one
// place for what a Build and a BuildEvent say, used by the BuildService, WatchBuild and the event
// delivery to the control plane alike (docs/events.md), so that they never disagree.
#pragma once

#include "builder/store/app_id.h"
#include "builder/store/build_queue.h"
#include "dodil/ignite/builder/v1/build.pb.h"

namespace ignite::api {

dodil::ignite::builder::v1::BuildState to_proto(store::BuildState state);
void to_proto(const store::BuildRecord& build, dodil::ignite::builder::v1::Build* out);
// The event of a build of `app`, with its eventId "<build_id>:<sequence>".
void to_proto(const store::AppId& app, const store::BuildEvent& event,
              dodil::ignite::builder::v1::BuildEvent* out);

}  // namespace ignite::api
