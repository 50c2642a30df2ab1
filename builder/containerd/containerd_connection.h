// A connection to one containerd (1.6) over its gRPC socket, in one namespace: the stubs of the
// services the builder calls (content, images, leases) and the metadata every call carries.
//
// containerd scopes everything by the `containerd-namespace` header and protects what a client
// writes from its garbage collector by the `containerd-lease` header (docs/containerd.md).
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include <grpcpp/grpcpp.h>

#include "builder/util/status.h"
#include "github.com/containerd/containerd/api/services/content/v1/content.grpc.pb.h"
#include "github.com/containerd/containerd/api/services/images/v1/images.grpc.pb.h"
#include "github.com/containerd/containerd/api/services/leases/v1/leases.grpc.pb.h"

namespace ignite::containerd {

inline constexpr const char* kDefaultNamespace = "default";  // ctr's default too

struct ContainerdTarget {
  std::string socket;                       // the path of containerd's gRPC socket
  std::string ns = kDefaultNamespace;       // containerd namespace
  std::chrono::seconds call_timeout{30};    // each unary call
  std::chrono::seconds write_timeout{600};  // one blob's Content.Write stream
};

// OK for a containerd namespace name (letters and digits, with single '.', '_' or '-' between,
// at most 76 characters); INVALID_ARGUMENT saying what is wrong otherwise.
Status check_namespace(std::string_view ns);

class ContainerdConnection {
 public:
  // Connects and asks containerd's version: UNAVAILABLE naming the socket when nothing answers
  // there (no socket file, nobody listening, not containerd), INVALID_ARGUMENT for a bad
  // namespace.
  static Result<ContainerdConnection> connect(const ContainerdTarget& target);

  const ContainerdTarget& target() const { return target_; }
  const std::string& server_version() const { return server_version_; }

  // A context for one call: the namespace header, the lease header when `lease` is not empty,
  // and a deadline `timeout` from now.
  std::unique_ptr<grpc::ClientContext> context(std::string_view lease,
                                               std::chrono::seconds timeout) const;
  std::unique_ptr<grpc::ClientContext> call_context(std::string_view lease = "") const {
    return context(lease, target_.call_timeout);
  }

  ::containerd::services::content::v1::Content::Stub& content() { return *content_; }
  ::containerd::services::images::v1::Images::Stub& images() { return *images_; }
  ::containerd::services::leases::v1::Leases::Stub& leases() { return *leases_; }

  // containerd's answer as a Status with the same code: "containerd at SOCKET: WHAT: message".
  Status error(const grpc::Status& status, std::string_view what) const;

 private:
  ContainerdConnection() = default;
  ContainerdTarget target_;
  std::string server_version_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<::containerd::services::content::v1::Content::Stub> content_;
  std::unique_ptr<::containerd::services::images::v1::Images::Stub> images_;
  std::unique_ptr<::containerd::services::leases::v1::Leases::Stub> leases_;
};

}  // namespace ignite::containerd
