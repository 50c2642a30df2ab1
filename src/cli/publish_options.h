// What `build` and `publish-image` share: the app (--org/--app), the registry flags, the
// progress choice, and how a registry publication is reported.
#pragma once

#include <iosfwd>
#include <memory>
#include <optional>

#include <nlohmann/json_fwd.hpp>

#include "builder/pipeline/build_function.h"
#include "builder/pipeline/progress.h"
#include "builder/pipeline/registry_publish.h"
#include "builder/store/app_id.h"
#include "src/cli/args.h"

namespace ignite::cli {

inline const FlagSpec kOrgFlag{"--org", "", true};
inline const FlagSpec kAppFlag{"--app", "", true};
inline const FlagSpec kRegistryFlag{"--registry", "", true};
inline const FlagSpec kRegistryCaFlag{"--registry-ca", "", true};
inline const FlagSpec kPlainHttpFlag{"--plain-http", "", false};
inline const FlagSpec kRegistryUserFlag{"--registry-user", "", true};
inline const FlagSpec kPasswordStdinFlag{"--registry-password-stdin", "", false};

// The usage lines of the registry flags, shared by the commands that take them.
inline constexpr const char* kRegistryFlagsUsage =
    "  --registry-ca FILE      trust this CA for the registry; --plain-http allows plain HTTP\n"
    "                          beyond loopback\n"
    "  --registry-user USER    log in as USER, the password read from stdin with\n"
    "                          --registry-password-stdin, else from $IGNITE_REGISTRY_PASSWORD;\n"
    "                          without it, credentials come from ~/.docker/config.json (auths,\n"
    "                          credHelpers, credsStore)\n";
inline const FlagSpec kProgressFlag{"--progress", "", false};
inline const FlagSpec kQuietFlag{"--quiet", "-q", false};

// --org ORG --app APP, or --app ORG/APP (ORG:APP) alone.
Result<store::AppId> app_from(const Args& args);

// --registry HOST [--registry-ca FILE] [--plain-http] [--registry-user USER
// [--registry-password-stdin]]; nullopt without --registry. INVALID_ARGUMENT when the others
// come without it, or a user without a password. `in` is read for --registry-password-stdin.
Result<std::optional<pipeline::RegistryTarget>> registry_target_from(const Args& args, std::istream& in);

// Stages on stderr when it is a terminal or with --progress; never with --quiet.
class ProgressChoice {
 public:
  ProgressChoice(const Args& args, std::ostream& err);
  pipeline::Progress& progress() { return shown_ ? static_cast<pipeline::Progress&>(stream_) : silent_; }
  bool shown() const { return shown_; }

 private:
  bool shown_;
  pipeline::StreamProgress stream_;
  pipeline::NullProgress silent_;
};

// The "registry" object of -o json, and the text lines.
nlohmann::json registry_json(const pipeline::RegistryOutcome& outcome);
void print_registry_text(std::ostream& out, const pipeline::RegistryOutcome& outcome);

}  // namespace ignite::cli
