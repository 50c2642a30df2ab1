// The platform's deploy flow (dodil.ignite.v1.ComputeService, docs/compute.md), apart from any
// transport: the gRPC service (compute_service.h) and the HTTP/JSON gateway (http_gateway.h)
// both call these, so the two cannot differ in what a call does or which error it gives.
//
//   CreateApp     records the app in the catalog.
//   SaveDraft     checks the draft (intake, codeHash; or an image's reference), keeps its
//                 bytes, queues a draft build (its image only: no version), and replaces the
//                 app's draft; durable when it returns. Saving the draft that is already there
//                 starts no second build.
//   PublishDraft  takes the draft as it is when the call comes, waits for its draft build, then
//                 queues a publish-priority build of the same bytes, which finds every layer
//                 made and takes the next version, and waits for that.
//
// Every call is made for a caller (src/auth/caller.h) and sees only the caller's org: another
// org's app answers NOT_FOUND as a missing one does, and CreateApp in another org is
// PERMISSION_DENIED (src/service/org_scope.h).
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "builder/store/build_queue.h"
#include "builder/store/store_backend.h"
#include "builder/util/status.h"
#include "dodil/ignite/v1/compute.pb.h"
#include "src/auth/caller.h"
#include "src/service/build_waiter.h"

namespace ignite::service {

struct ComputeOptions {
  // PublishDraft's wait when the request sets no timeout, and the most it may ask for.
  std::chrono::milliseconds default_publish_timeout = std::chrono::seconds(120);
  std::chrono::milliseconds max_publish_timeout = std::chrono::minutes(15);
  // Attempts and deadline of the builds these calls queue.
  store::SubmitOptions submit{};
};

class Compute {
 public:
  // `on_submit` is called after each queued build (the pool's notify); `waiter` is notified by
  // the pool's workers when a turn ends.
  Compute(store::StoreBackend store, std::function<void()> on_submit, BuildWaiter& waiter,
          ComputeOptions options = {});

  Result<dodil::ignite::v1::CreateAppResponse> create_app(
      const auth::Caller& caller, const dodil::ignite::v1::CreateAppRequest& request);
  Result<dodil::ignite::v1::SaveDraftResponse> save_draft(
      const auth::Caller& caller, const dodil::ignite::v1::SaveDraftRequest& request);
  // `abandoned` tells whether the caller went away (it then stops waiting; the builds go on).
  Result<dodil::ignite::v1::PublishDraftResponse> publish_draft(
      const auth::Caller& caller, const dodil::ignite::v1::PublishDraftRequest& request,
      const std::function<bool()>& abandoned = nullptr);

 private:
  store::StoreBackend store_;
  std::function<void()> on_submit_;
  BuildWaiter& waiter_;
  ComputeOptions options_;
};

}  // namespace ignite::service
