#include "src/cli/publish_options.h"

#include <unistd.h>

#include <nlohmann/json.hpp>
#include <ostream>

namespace ignite::cli {

Result<store::AppId> app_from(const Args& args) {
  auto org = args.value("--org");
  auto app = args.value("--app");
  if (!app) return invalid_argument("--app is required");
  if (!org) return store::AppId::parse(*app);
  return store::AppId::from_parts(*org, *app);
}

Result<std::optional<pipeline::RegistryTarget>> registry_target_from(const Args& args) {
  auto host = args.value("--registry");
  if (!host) {
    if (args.has("--registry-ca") || args.has("--plain-http")) {
      return invalid_argument("--registry-ca and --plain-http go with --registry");
    }
    return std::optional<pipeline::RegistryTarget>();
  }
  return std::optional<pipeline::RegistryTarget>(pipeline::RegistryTarget{
      *host, args.value_or("--registry-ca", ""),
      args.has("--plain-http") ? pipeline::PlainHttp::kAllowed : pipeline::PlainHttp::kLoopbackOnly});
}

ProgressChoice::ProgressChoice(const Args& args, std::ostream& err)
    : shown_(!args.has("--quiet") && (args.has("--progress") || ::isatty(2))), stream_(err) {}

nlohmann::json registry_json(const pipeline::RegistryOutcome& r) {
  return {{"reference", r.reference},
          {"bytesUploaded", r.transfer.bytes_uploaded},
          {"blobsUploaded", r.transfer.blobs_uploaded},
          {"bytesSkipped", r.transfer.bytes_skipped},
          {"blobsSkipped", r.transfer.blobs_skipped},
          {"bytesMounted", r.transfer.bytes_mounted},
          {"blobsMounted", r.transfer.blobs_mounted},
          {"retries", r.transfer.retries}};
}

void print_registry_text(std::ostream& out, const pipeline::RegistryOutcome& r) {
  const auto& t = r.transfer;
  out << "registry   " << r.reference << "\n"
      << "           uploaded " << t.bytes_uploaded << " bytes (" << t.blobs_uploaded
      << " blobs), skipped " << t.bytes_skipped << " bytes (" << t.blobs_skipped
      << " blobs the registry had), mounted " << t.bytes_mounted << " bytes (" << t.blobs_mounted
      << " blobs)\n";
}

}  // namespace ignite::cli
