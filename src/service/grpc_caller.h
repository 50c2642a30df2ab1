// Who makes a gRPC call: its "authorization" metadata ("Bearer <JWT>") through the service's
// one Authenticator, as the HTTP gateway does with its Authorization header.
#pragma once

#include <grpcpp/grpcpp.h>

#include "builder/util/status.h"
#include "src/auth/authenticator.h"

namespace ignite::service {

Result<auth::Caller> grpc_caller(const auth::Authenticator& auth,
                                 const grpc::ServerContext* context);

// `call(caller)` for the call's caller; its error (UNAUTHENTICATED) without running it when
// there is none.
template <typename Call>
grpc::Status with_caller(const auth::Authenticator& auth, const grpc::ServerContext* context,
                         Call&& call) {
  auto caller = grpc_caller(auth, context);
  if (!caller.ok()) {
    return grpc::Status(static_cast<grpc::StatusCode>(caller.status().code()),
                        caller.status().message());
  }
  return call(*caller);
}

}  // namespace ignite::service
