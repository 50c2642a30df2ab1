#include "src/service/grpc_caller.h"

namespace ignite::service {

Result<auth::Caller> grpc_caller(const auth::Authenticator& auth,
                                 const grpc::ServerContext* context) {
  std::optional<std::string_view> authorization;
  if (context != nullptr) {
    // gRPC lowercases metadata keys; a second "authorization" is ignored, as HTTP takes one.
    const auto& metadata = context->client_metadata();
    if (auto it = metadata.find("authorization"); it != metadata.end()) {
      authorization = std::string_view(it->second.data(), it->second.size());
    }
  }
  return auth.authenticate(authorization);
}

}  // namespace ignite::service
