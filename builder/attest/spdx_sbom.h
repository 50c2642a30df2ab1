// The SBOM of a version: an SPDX 2.3 JSON document of the Python packages in its dependency
// layer and the Debian packages of its base, written by one canonical writer
// (docs/attestations.md). The same inputs give the same bytes: packages sorted, the creation
// time the image's epoch, the namespace derived from the image's manifest digest.
//
//   SPDXRef-DOCUMENT DESCRIBES SPDXRef-Image ("<org>/<app>", versionInfo the manifest digest,
//                    checksum SHA256 of the manifest)
//   SPDXRef-Image CONTAINS SPDXRef-Python-<name>     name, versionInfo, downloadLocation (the
//                    lock's URL, or NOASSERTION), checksums [SHA256 of the wheel],
//                    licenseDeclared (wheel_license), licenseConcluded NOASSERTION,
//                    externalRefs purl pkg:pypi/<name>@<version>
//   SPDXRef-Image CONTAINS SPDXRef-Deb-<name>-<arch>   name, versionInfo, supplier
//                    ("Organization: <Maintainer>" or NOASSERTION), licenses NOASSERTION,
//                    externalRefs purl pkg:deb/debian/<name>@<version>?arch=<arch>
//
// SPDXIDs hold only [A-Za-z0-9.-]; any other character of a name becomes "-", and a clash gets
// "-2", "-3"… in sorted order.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "builder/util/status.h"

namespace ignite::attest {

// The media type of the SBOM blob and the artifactType of its OCI artifact.
inline constexpr std::string_view kSpdxMediaType = "application/spdx+json";

struct SbomPythonPackage {
  std::string name;     // canonical (PEP 503)
  std::string version;  // normalized
  std::string wheel;    // the wheel's file name
  std::string sha256;   // lowercase hex of the wheel
  std::string download_location;  // the lock's URL; "" for a find-links path (NOASSERTION)
  std::string license;  // an SPDX license expression, or "NOASSERTION"
};

struct SbomDebianPackage {
  std::string name;
  std::string version;
  std::string architecture;
  std::string maintainer;  // "" when dpkg has none
};

struct SbomInputs {
  std::string image_name;       // "<org>/<app>"
  std::string manifest_digest;  // "sha256:…"
  std::string created;          // RFC 3339 (the image's epoch)
  std::string builder_version;  // creators: "Tool: ignite-builder-<version>"
  std::vector<SbomPythonPackage> python;
  std::vector<SbomDebianPackage> debian;
};

std::string write_spdx_sbom(const SbomInputs& inputs);

// What verify reads back: the image's digest and the packages (licenses and maintainers as
// written). INVALID_ARGUMENT "<origin>: …" when it is not SPDX 2.3 JSON or a package lacks a
// field above; a package of neither kind is ignored.
Result<SbomInputs> read_spdx_sbom(std::string_view json, std::string_view origin);

// The installed packages of a dpkg status file (/var/lib/dpkg/status): stanzas whose Status
// ends in the state "installed" ("install ok installed", or a held "hold ok installed"), sorted
// by name and architecture. INVALID_ARGUMENT naming the line when a stanza has no Package, or an
// installed one no Version.
Result<std::vector<SbomDebianPackage>> parse_dpkg_status(std::string_view text);

// The declared license of a wheel from its METADATA (core metadata), by PEP 639's rules for
// what a tool may infer (docs/attestations.md): License-Expression when present (metadata 2.4)
// and a well-formed SPDX expression without LicenseRefs; else a License field that is an SPDX id
// of this list, or several joined by AND/OR: MIT, BSD-2-Clause, BSD-3-Clause, Apache-2.0, ISC,
// MPL-2.0, PSF-2.0, LGPL/GPL variants ("-only", "-or-later"), Unlicense; else the one license
// that the "License :: …" classifiers name unambiguously (MIT, ISC, MPL 2.0, PSF, Unlicense,
// GPLv2+/GPLv3+/LGPLv3+; never "BSD License" or "Apache Software License", which do not say
// which license, nor several classifiers, whose AND or OR is unknown); else "NOASSERTION".
// Never fails.
std::string wheel_license(std::string_view metadata);

}  // namespace ignite::attest
