#include "src/cli/events_flags.h"

#include <cstdlib>

#include "builder/util/file_io.h"
#include "src/cli/worker_flags.h"

namespace ignite::cli {

std::vector<FlagSpec> events_flags() {
  return {
      {"--events-url", "", true}, {"--events-secret-file", "", true}, {"--events-ca", "", true}};
}

const char* const kEventsUsage =
    "  --events-url URL  POST every build event to URL, signed (docs/events.md); from the first\n"
    "                    run with it, the store keeps every event until it is delivered\n"
    "  --events-secret-file FILE  the HMAC secret that signs them (default: the\n"
    "                    IGNITE_EVENTS_SECRET environment variable)\n"
    "  --events-ca FILE  PEM CAs to trust for an https:// events URL\n";

Result<std::optional<events::EventDeliveryOptions>> event_delivery_options(const Args& args) {
  const std::optional<std::string> url = args.value("--events-url");
  if (!url) {
    if (args.has("--events-secret-file") || args.has("--events-ca")) {
      return invalid_argument("--events-secret-file and --events-ca need --events-url");
    }
    return std::optional<events::EventDeliveryOptions>();
  }
  events::EventDeliveryOptions options;
  options.url = *url;
  options.ca_file = args.value_or("--events-ca", "");
  options.owner = host_and_pid();
  if (const std::optional<std::string> file = args.value("--events-secret-file")) {
    auto secret = read_file(*file);
    if (!secret.ok()) return secret.status().with_context("--events-secret-file");
    options.secret = std::move(*secret);
    while (!options.secret.empty() &&
           (options.secret.back() == '\n' || options.secret.back() == '\r')) {
      options.secret.pop_back();
    }
    if (options.secret.empty()) {
      return invalid_argument("--events-secret-file " + *file + " is empty");
    }
  } else if (const char* env = std::getenv("IGNITE_EVENTS_SECRET"); env && *env) {
    options.secret = env;
  } else {
    return invalid_argument(
        "--events-url needs the secret that signs events: --events-secret-file FILE, or "
        "IGNITE_EVENTS_SECRET in the environment");
  }
  return std::optional<events::EventDeliveryOptions>(std::move(options));
}

}  // namespace ignite::cli
