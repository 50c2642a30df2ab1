// parse_dpkg_status (spdx_sbom.h): the installed packages of a base image, from dpkg's own
// database (/var/lib/dpkg/status, deb822: one block of fields a package).
#include <algorithm>
#include <tuple>

#include "builder/attest/spdx_sbom.h"
#include "builder/util/header_fields.h"
#include "builder/util/quote.h"

namespace ignite::attest {
namespace {

// "Status: <want> <error> <state>" (dpkg(1)). The files are on disk for the state "installed",
// whatever the selection: "install ok installed" and a held "hold ok installed" both count;
// "deinstall ok config-files" (only conffiles left) and "purge ok not-installed" do not.
bool is_installed(std::string_view status) {
  const std::size_t last = status.rfind(' ');
  return last != std::string_view::npos && status.substr(last + 1) == "installed" &&
         status.find(" ok ") != std::string_view::npos;
}

std::string value_of(const std::vector<HeaderField>& fields, std::string_view name) {
  const HeaderField* f = find_header(fields, name);
  return f == nullptr ? std::string() : f->value;
}

}  // namespace

Result<std::vector<SbomDebianPackage>> parse_dpkg_status(std::string_view text) {
  std::vector<SbomDebianPackage> packages;
  for (const HeaderBlock& block : read_header_blocks(text)) {
    const std::string where = "dpkg status line " + std::to_string(block.first_line);
    const std::string name = value_of(block.fields, "Package");
    if (name.empty()) return invalid_argument(where + ": a stanza with no Package field");
    if (!is_installed(value_of(block.fields, "Status"))) continue;
    SbomDebianPackage package{name, value_of(block.fields, "Version"),
                              value_of(block.fields, "Architecture"),
                              value_of(block.fields, "Maintainer")};
    if (package.version.empty()) {
      return invalid_argument(where + ": installed package " + quote_text(name) +
                              " has no Version field");
    }
    packages.push_back(std::move(package));
  }
  std::sort(packages.begin(), packages.end(), [](const auto& a, const auto& b) {
    return std::tie(a.name, a.architecture, a.version) <
           std::tie(b.name, b.architecture, b.version);
  });
  return packages;
}

}  // namespace ignite::attest
