#include "builder/containerd/containerd_connection.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "github.com/containerd/containerd/api/services/version/v1/version.grpc.pb.h"

namespace ignite::containerd {
namespace {

namespace version_api = ::containerd::services::version::v1;

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

}  // namespace

// containerd's identifiers.Validate: ^[A-Za-z0-9]+(?:[._-](?:[A-Za-z0-9]+))*$, 76 at most.
Status check_namespace(std::string_view ns) {
  const std::string quoted = "containerd namespace \"" + std::string(ns) + "\"";
  if (ns.empty()) return invalid_argument("containerd namespace is empty");
  if (ns.size() > 76) return invalid_argument(quoted + " is longer than 76 characters");
  bool after_separator = true;  // the first character must be a letter or digit
  for (char c : ns) {
    if (is_alnum(c)) {
      after_separator = false;
    } else if (c == '.' || c == '_' || c == '-') {
      if (after_separator) {
        return invalid_argument(quoted + ": '" + std::string(1, c) +
                                "' must come between letters or digits");
      }
      after_separator = true;
    } else {
      return invalid_argument(quoted +
                              ": only letters, digits and single '.', '_' or '-' "
                              "between them are allowed");
    }
  }
  if (after_separator) return invalid_argument(quoted + " must end with a letter or digit");
  return ok_status();
}

Result<ContainerdConnection> ContainerdConnection::connect(const ContainerdTarget& target) {
  IGNITE_RETURN_IF_ERROR(check_namespace(target.ns));
  if (target.socket.empty()) return invalid_argument("no containerd socket given");
  std::error_code ec;
  const std::string socket = std::filesystem::absolute(target.socket, ec).string();
  struct stat st {};
  if (::stat(socket.c_str(), &st) != 0) {
    if (errno == ENOENT) {
      return unavailable("containerd at " + target.socket +
                         ": no such socket (is containerd running, and is this its "
                         "grpc.address?)");
    }
    return unavailable("containerd at " + target.socket + ": " + std::strerror(errno));
  }
  if (!S_ISSOCK(st.st_mode)) {
    return unavailable("containerd at " + target.socket + ": not a socket");
  }

  ContainerdConnection c;
  c.target_ = target;
  grpc::ChannelArguments args;
  // A blob is written in 1 MiB messages; containerd answers with small ones.
  args.SetMaxSendMessageSize(4 << 20);
  c.channel_ =
      grpc::CreateCustomChannel("unix://" + socket, grpc::InsecureChannelCredentials(), args);
  c.content_ = ::containerd::services::content::v1::Content::NewStub(c.channel_);
  c.images_ = ::containerd::services::images::v1::Images::NewStub(c.channel_);
  c.leases_ = ::containerd::services::leases::v1::Leases::NewStub(c.channel_);

  auto version_stub = version_api::Version::NewStub(c.channel_);
  google::protobuf::Empty request;
  version_api::VersionResponse response;
  auto ctx = c.call_context();
  grpc::Status s = version_stub->Version(ctx.get(), request, &response);
  if (!s.ok()) return c.error(s, "version");
  c.server_version_ = response.version();
  return c;
}

std::unique_ptr<grpc::ClientContext> ContainerdConnection::context(
    std::string_view lease, std::chrono::seconds timeout) const {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->AddMetadata("containerd-namespace", target_.ns);
  if (!lease.empty()) ctx->AddMetadata("containerd-lease", std::string(lease));
  ctx->set_deadline(std::chrono::system_clock::now() + timeout);
  return ctx;
}

Status ContainerdConnection::error(const grpc::Status& status, std::string_view what) const {
  std::string message = status.error_message();
  if (message.empty()) message = "failed";
  return Status(static_cast<Code>(status.error_code()),
                "containerd at " + target_.socket + ": " + std::string(what) + ": " + message);
}

}  // namespace ignite::containerd
