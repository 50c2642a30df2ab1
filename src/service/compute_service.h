// dodil.ignite.v1.ComputeService over gRPC: each method is Compute's (compute.h), its error the
// gRPC status with the same code.
#pragma once

#include "dodil/ignite/v1/compute.grpc.pb.h"
#include "src/service/compute.h"

namespace ignite::service {

class ComputeServiceImpl final : public dodil::ignite::v1::ComputeService::Service {
 public:
  explicit ComputeServiceImpl(Compute& compute) : compute_(compute) {}

  grpc::Status CreateApp(grpc::ServerContext*, const dodil::ignite::v1::CreateAppRequest*,
                         dodil::ignite::v1::CreateAppResponse*) override;
  grpc::Status SaveDraft(grpc::ServerContext*, const dodil::ignite::v1::SaveDraftRequest*,
                         dodil::ignite::v1::SaveDraftResponse*) override;
  grpc::Status PublishDraft(grpc::ServerContext*, const dodil::ignite::v1::PublishDraftRequest*,
                            dodil::ignite::v1::PublishDraftResponse*) override;

 private:
  Compute& compute_;
};

}  // namespace ignite::service
