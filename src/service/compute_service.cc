#include "src/service/compute_service.h"

#include "src/service/build_service.h"
#include "src/service/grpc_caller.h"

namespace ignite::service {
namespace {

template <typename Message>
grpc::Status reply(Result<Message> result, Message* out) {
  if (!result.ok()) return to_grpc(result.status());
  *out = std::move(*result);
  return grpc::Status::OK;
}

}  // namespace

grpc::Status ComputeServiceImpl::CreateApp(grpc::ServerContext* context,
                                           const dodil::ignite::v1::CreateAppRequest* req,
                                           dodil::ignite::v1::CreateAppResponse* out) {
  return with_caller(auth_, context, [&](const auth::Caller& caller) {
    return reply(compute_.create_app(caller, *req), out);
  });
}

grpc::Status ComputeServiceImpl::SaveDraft(grpc::ServerContext* context,
                                           const dodil::ignite::v1::SaveDraftRequest* req,
                                           dodil::ignite::v1::SaveDraftResponse* out) {
  return with_caller(auth_, context, [&](const auth::Caller& caller) {
    return reply(compute_.save_draft(caller, *req), out);
  });
}

grpc::Status ComputeServiceImpl::PublishDraft(grpc::ServerContext* context,
                                              const dodil::ignite::v1::PublishDraftRequest* req,
                                              dodil::ignite::v1::PublishDraftResponse* out) {
  return with_caller(auth_, context, [&](const auth::Caller& caller) {
    return reply(compute_.publish_draft(caller, *req, [context] { return context->IsCancelled(); }),
                 out);
  });
}

}  // namespace ignite::service
