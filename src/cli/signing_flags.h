// --signing-key FILE, taken by `build`, `worker` and `serve`: the key that signs every
// version's provenance (docs/attestations.md). Without the flag, the IGNITE_SIGNING_KEY
// environment variable names the file; without either, versions get an SBOM and no provenance.
#pragma once

#include <iosfwd>
#include <nlohmann/json_fwd.hpp>

#include "builder/pipeline/attestations.h"
#include "src/cli/args.h"

namespace ignite::cli {

inline const FlagSpec kSigningKeyFlag{"--signing-key", "", true};

inline constexpr const char* kSigningKeyUsage =
    "  --signing-key FILE  sign each version's SLSA provenance with this Ed25519 or ECDSA P-256\n"
    "                      private key (PEM, unencrypted; default: $IGNITE_SIGNING_KEY; without\n"
    "                      either a version gets its SBOM and no provenance)\n";

// The attestation options of the flags: the key read and checked now, so a bad key stops the
// command before any build (INVALID_ARGUMENT / NOT_FOUND naming the file and what is wrong).
Result<pipeline::AttestOptions> attest_options_from(const Args& args);

// A build's attestations in -o json ("attestations": {"sbom": {"digest", "pythonPackages",
// "debianPackages"}, "provenance": {"digest", "signedBy"} or null}) and as text lines.
nlohmann::json attestations_json(const pipeline::VersionAttestations& a);
void print_attestations_text(std::ostream& out, const pipeline::VersionAttestations& a);

}  // namespace ignite::cli
