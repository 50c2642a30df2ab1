// dodil.ignite.v1.ComputeService over gRPC: each method authenticates its call (grpc_caller.h),
// then is Compute's (compute.h) for that caller, its error the gRPC status with the same code.
#pragma once

#include "dodil/ignite/v1/compute.grpc.pb.h"
#include "src/auth/authenticator.h"
#include "src/service/compute.h"

namespace ignite::service {

class ComputeServiceImpl final : public dodil::ignite::v1::ComputeService::Service {
 public:
  ComputeServiceImpl(Compute& compute, const auth::Authenticator& auth)
      : compute_(compute), auth_(auth) {}

  grpc::Status CreateApp(grpc::ServerContext*, const dodil::ignite::v1::CreateAppRequest*,
                         dodil::ignite::v1::CreateAppResponse*) override;
  grpc::Status SaveDraft(grpc::ServerContext*, const dodil::ignite::v1::SaveDraftRequest*,
                         dodil::ignite::v1::SaveDraftResponse*) override;
  grpc::Status PublishDraft(grpc::ServerContext*, const dodil::ignite::v1::PublishDraftRequest*,
                            dodil::ignite::v1::PublishDraftResponse*) override;

 private:
  Compute& compute_;
  const auth::Authenticator& auth_;
};

}  // namespace ignite::service
