#include "src/cli/signing_flags.h"

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <ostream>

namespace ignite::cli {

Result<pipeline::AttestOptions> attest_options_from(const Args& args) {
  pipeline::AttestOptions options;
  std::optional<std::string> path = args.value(kSigningKeyFlag.name);
  std::string origin = "--signing-key";
  if (!path) {
    const char* env = std::getenv("IGNITE_SIGNING_KEY");
    if (env == nullptr || *env == '\0') return options;
    path = env;
    origin = "IGNITE_SIGNING_KEY";
  }
  if (path->empty()) return invalid_argument(origin + " needs a key file");
  auto key = attest::SigningKey::load_pem_file(*path);
  if (!key.ok()) return key.status().with_context(origin);
  options.signing_key = std::move(*key);
  return options;
}

nlohmann::json attestations_json(const pipeline::VersionAttestations& a) {
  nlohmann::json j = {{"sbom", nullptr}, {"provenance", nullptr}};
  if (a.sbom) {
    j["sbom"] = {{"digest", a.sbom->manifest.digest.to_string()},
                 {"pythonPackages", a.python_packages},
                 {"debianPackages", a.debian_packages}};
  }
  if (a.provenance) {
    j["provenance"] = {{"digest", a.provenance->manifest.digest.to_string()},
                       {"signedBy", a.signed_by}};
  }
  return j;
}

void print_attestations_text(std::ostream& out, const pipeline::VersionAttestations& a) {
  if (a.sbom) {
    out << "sbom       " << a.sbom->manifest.digest.to_string() << " (" << a.python_packages
        << " Python, " << a.debian_packages << " Debian packages)\n";
  }
  if (a.provenance) {
    out << "provenance " << a.provenance->manifest.digest.to_string() << " (signed by "
        << a.signed_by << ")\n";
  } else {
    out << "provenance none (no --signing-key)\n";
  }
}

}  // namespace ignite::cli
