// Fuzzes the attestation readers, which read what anyone may have written (an envelope pulled
// from a registry, a base image's dpkg status, a wheel's METADATA): none may crash, and what
// reads back must write back to the same reading.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "builder/attest/dsse.h"
#include "builder/attest/provenance.h"
#include "builder/attest/spdx_sbom.h"

using namespace ignite::attest;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  auto envelope = parse_envelope(text, "fuzz");
  if (envelope.ok()) {
    auto again = parse_envelope(envelope_json(*envelope), "fuzz");
    if (!again.ok() || envelope_json(*again) != envelope_json(*envelope)) __builtin_trap();
  }
  auto claims = read_provenance_statement(text, "fuzz");
  if (claims.ok()) {
    const std::string written = write_provenance_statement(*claims);
    auto again = read_provenance_statement(written, "fuzz");
    if (!again.ok() || write_provenance_statement(*again) != written) __builtin_trap();
  }
  auto sbom = read_spdx_sbom(text, "fuzz");
  if (sbom.ok()) (void)write_spdx_sbom(*sbom);
  auto packages = parse_dpkg_status(text);
  if (packages.ok()) {
    for (const SbomDebianPackage& p : *packages) {
      if (p.name.empty() || p.version.empty()) __builtin_trap();
    }
  }
  if (wheel_license(text).empty()) __builtin_trap();
  return 0;
}
