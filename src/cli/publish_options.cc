#include "src/cli/publish_options.h"

#include <unistd.h>

#include <cstdlib>
#include <istream>
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

namespace {

// The password for --registry-user: one line of stdin (its line end dropped), or the
// environment. Never echoed, never in a message.
Result<std::string> registry_password(const Args& args, std::istream& in) {
  if (args.has("--registry-password-stdin")) {
    std::string password;
    std::getline(in, password);
    while (!password.empty() && (password.back() == '\n' || password.back() == '\r')) password.pop_back();
    if (password.empty()) return invalid_argument("--registry-password-stdin: stdin gave no password");
    return password;
  }
  if (const char* env = std::getenv("IGNITE_REGISTRY_PASSWORD"); env != nullptr && *env != '\0') {
    std::string password(env);
    // Not for the children this process runs (debootstrap, credential helpers).
    ::unsetenv("IGNITE_REGISTRY_PASSWORD");
    return password;
  }
  return invalid_argument(
      "--registry-user needs a password: pipe it to --registry-password-stdin, or set "
      "IGNITE_REGISTRY_PASSWORD");
}

}  // namespace

Result<std::optional<pipeline::RegistryTarget>> registry_target_from(const Args& args, std::istream& in) {
  auto host = args.value("--registry");
  if (!host) {
    if (args.has("--registry-ca") || args.has("--plain-http") || args.has("--registry-user") ||
        args.has("--registry-password-stdin")) {
      return invalid_argument(
          "--registry-ca, --plain-http, --registry-user and --registry-password-stdin go with "
          "--registry");
    }
    return std::optional<pipeline::RegistryTarget>();
  }
  pipeline::RegistryTarget target{
      *host, args.value_or("--registry-ca", ""),
      args.has("--plain-http") ? pipeline::PlainHttp::kAllowed : pipeline::PlainHttp::kLoopbackOnly,
      std::nullopt};
  if (auto user = args.value("--registry-user")) {
    if (user->empty()) return invalid_argument("--registry-user: empty user name");
    IGNITE_ASSIGN_OR_RETURN(std::string password, registry_password(args, in));
    target.credentials = registry::Credentials{*user, std::move(password)};
  } else if (args.has("--registry-password-stdin")) {
    return invalid_argument("--registry-password-stdin goes with --registry-user");
  }
  return std::optional<pipeline::RegistryTarget>(std::move(target));
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
