#include "src/cli/containerd_flags.h"

#include <nlohmann/json.hpp>
#include <ostream>

namespace ignite::cli {

Result<std::optional<containerd::ContainerdTarget>> containerd_target_from(const Args& args) {
  if (!args.has(kContainerdFlag.name)) {
    if (args.has(kNamespaceFlag.name))
      return invalid_argument("--namespace goes with --containerd");
    return std::optional<containerd::ContainerdTarget>();
  }
  containerd::ContainerdTarget target;
  target.socket = *args.value(kContainerdFlag.name);
  if (target.socket.empty()) return invalid_argument("--containerd needs a socket path");
  target.ns = args.value_or(kNamespaceFlag.name, containerd::kDefaultNamespace);
  IGNITE_RETURN_IF_ERROR(containerd::check_namespace(target.ns));
  return std::optional<containerd::ContainerdTarget>(target);
}

nlohmann::json containerd_json(const containerd::ContainerdTarget& target,
                               const containerd::ImportResult& result) {
  return {{"name", result.name},
          {"digest", result.manifest.digest.to_string()},
          {"socket", target.socket},
          {"namespace", target.ns},
          {"image", result.record == containerd::ImageRecord::kCreated ? "created" : "unchanged"},
          {"blobs", result.blobs},
          {"blobsWritten", result.blobs_written},
          {"bytes", result.bytes_total},
          {"bytesWritten", result.bytes_sent}};
}

void print_containerd_text(std::ostream& out, const containerd::ImportResult& result) {
  out << "containerd "
      << (result.record == containerd::ImageRecord::kCreated ? "created" : "unchanged") << ", "
      << result.blobs_written << " of " << result.blobs << " blobs written, " << result.bytes_sent
      << " bytes\n";
}

}  // namespace ignite::cli
