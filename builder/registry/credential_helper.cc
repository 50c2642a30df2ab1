#include "builder/registry/credential_helper.h"

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "builder/util/subprocess.h"

namespace ignite::registry {
namespace {

// Runs `program get` with `input` on its stdin, collecting its stdout (killed beyond
// kCredentialHelperMaxOutput or at kCredentialHelperTimeout). stderr goes to /dev/null: helpers
// print prompts and noise there.
Result<SubprocessResult> run_get(const std::string& program, std::string_view input) {
  SubprocessOptions options;
  options.stdin_data = std::string(input) + "\n";
  options.stdout_to = SubprocessOutput::capture_or_kill(kCredentialHelperMaxOutput);
  options.stderr_to = SubprocessOutput::discard();
  options.timeout = kCredentialHelperTimeout;
  return run_subprocess({program, "get"}, options);
}

std::string first_line(const std::string& text) {
  std::string line = text.substr(0, text.find('\n'));
  if (line.size() > 200) line = line.substr(0, 200) + "...";
  return line;
}

}  // namespace

Result<Credentials> run_credential_helper(std::string_view helper, std::string_view server) {
  const std::string program = "docker-credential-" + std::string(helper);
  const std::string what = "getting credentials for " + std::string(server) + " from " + program;
  if (helper.empty() || helper.find('/') != std::string_view::npos) {
    return invalid_argument(what + ": not a helper name");
  }
  auto ran = run_get(program, server);
  if (!ran.ok()) {
    if (ran.status().code() == Code::kNotFound) {
      return unavailable(what + ": the program is not in PATH");
    }
    return unavailable(what + ": " + ran.status().message());
  }
  const SubprocessResult& run = *ran;
  if (run.timed_out) {
    return unavailable(what + ": no answer within " +
                       std::to_string(kCredentialHelperTimeout.count()) + " s");
  }
  if (run.out_truncated) return unavailable(what + ": answer too long");
  const nlohmann::json doc = nlohmann::json::parse(run.out, nullptr, /*allow_exceptions=*/false);
  if (run.exit_code != 0 || doc.is_discarded() || !doc.is_object()) {
    if (run.out.find("credentials not found") != std::string::npos) {
      return not_found(what + ": the helper has none");
    }
    // Text with no JSON in it is the helper's own explanation, not a secret it returned.
    const bool plain_text = run.out.find('{') == std::string::npos;
    return unavailable(what + ": exit code " + std::to_string(run.exit_code) + ": " +
                       (plain_text ? first_line(run.out) : "(output not shown)"));
  }
  auto field = [&](const char* name) {
    auto it = doc.find(name);
    return it != doc.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  Credentials c{field("Username"), field("Secret")};
  if (c.username == "<token>") {
    return failed_precondition(what +
                               ": the helper returned an identity token (OAuth refresh token), "
                               "which ignite-builder does not support");
  }
  if (c.username.empty() && c.password.empty()) return not_found(what + ": the helper has none");
  return c;
}

}  // namespace ignite::registry
