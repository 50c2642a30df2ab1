#include "builder/attest/spdx_sbom.h"

#include <algorithm>
#include <set>
#include <tuple>

#include "builder/util/ascii.h"
#include "builder/util/json_codec.h"

namespace ignite::attest {
namespace {

constexpr std::string_view kSpdxVersion = "SPDX-2.3";
constexpr std::string_view kNoAssertion = "NOASSERTION";
constexpr std::string_view kDocumentId = "SPDXRef-DOCUMENT";
constexpr std::string_view kImageId = "SPDXRef-Image";
constexpr std::string_view kPythonPrefix = "SPDXRef-Python-";
constexpr std::string_view kDebianPrefix = "SPDXRef-Deb-";
constexpr std::string_view kToolPrefix = "Tool: ignite-builder-";
constexpr std::string_view kSupplierPrefix = "Organization: ";
constexpr std::string_view kNamespacePrefix = "https://ignite-compute.dev/ignite-builder/spdx/";
constexpr std::string_view kArchQualifier = "?arch=";

std::string or_no_assertion(const std::string& value) {
  return value.empty() ? std::string(kNoAssertion) : value;
}
std::string unless_no_assertion(const std::string& value) {
  return value == kNoAssertion ? std::string() : value;
}

// An SPDXID's idstring holds only letters, digits, '.' and '-' (SPDX 2.3 §3.2).
std::string id_part(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (!is_ascii_alnum(c) && c != '.' && c != '-') c = '-';
  }
  return out;
}

// A purl component: everything but unreserved characters and ':' percent-encoded (as the
// reference implementation, packageurl-python, writes versions such as Debian's "1:2.3+b1").
std::string purl_escape(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : text) {
    if (is_ascii_alnum(c) || c == '.' || c == '-' || c == '_' || c == '~' || c == ':') {
      out += c;
    } else {
      const auto b = static_cast<unsigned char>(c);
      out += '%';
      out += kHex[b >> 4];
      out += kHex[b & 15];
    }
  }
  return out;
}

Json purl_ref(const std::string& purl) {
  return Json::array({{{"referenceCategory", "PACKAGE-MANAGER"},
                       {"referenceType", "purl"},
                       {"referenceLocator", purl}}});
}

Json sha256_checksums(std::string_view hex) {
  return Json::array({{{"algorithm", "SHA256"}, {"checksumValue", std::string(hex)}}});
}

// The fields every package here shares: nothing analysed file by file, no license concluded
// (the builder reads declarations, it does not audit license texts).
Json package(std::string spdx_id, const std::string& name, const std::string& version) {
  return {{"SPDXID", std::move(spdx_id)},
          {"name", name},
          {"versionInfo", version},
          {"downloadLocation", std::string(kNoAssertion)},
          {"filesAnalyzed", false},
          {"licenseConcluded", std::string(kNoAssertion)},
          {"licenseDeclared", std::string(kNoAssertion)},
          {"copyrightText", std::string(kNoAssertion)}};
}

// SPDXIDs in the order packages are written: a clash with an earlier one gets "-2", "-3"…
class IdAllocator {
 public:
  std::string take(const std::string& base) {
    std::string id = base;
    for (int n = 2; !used_.insert(id).second; ++n) id = base + "-" + std::to_string(n);
    return id;
  }

 private:
  std::set<std::string> used_{std::string(kDocumentId), std::string(kImageId)};
};

// The SHA256 entry of a package's checksums.
Result<std::string> sha256_checksum(const Json& p, const std::string& what) {
  IGNITE_ASSIGN_OR_RETURN(const Json* checksums, json_array(p, "checksums", what));
  for (const Json& c : *checksums) {
    if (!c.is_object() || !c.contains("algorithm") || c["algorithm"] != "SHA256") continue;
    return json_string(c, "checksumValue", what + ": checksums");
  }
  return invalid_argument(what + ": field \"checksums\" has no SHA256 entry");
}

// The architecture from a Debian package's purl ("…?arch=amd64"), as written.
Result<std::string> purl_architecture(const Json& p, const std::string& what) {
  IGNITE_ASSIGN_OR_RETURN(const Json* refs, json_array(p, "externalRefs", what));
  for (const Json& r : *refs) {
    if (!r.is_object() || !r.contains("referenceType") || r["referenceType"] != "purl") continue;
    IGNITE_ASSIGN_OR_RETURN(std::string purl,
                            json_string(r, "referenceLocator", what + ": externalRefs"));
    const std::size_t at = purl.find(kArchQualifier);
    if (at == std::string::npos) break;
    const std::size_t from = at + kArchQualifier.size();
    return purl.substr(from, purl.find_first_of("&#", from) - from);
  }
  return invalid_argument(what + ": field \"externalRefs\" has no purl with an arch qualifier");
}

Json relationship(std::string_view from, std::string_view type, std::string_view to) {
  return {{"spdxElementId", std::string(from)},
          {"relationshipType", std::string(type)},
          {"relatedSpdxElement", std::string(to)}};
}

}  // namespace

std::string write_spdx_sbom(const SbomInputs& in) {
  std::vector<SbomPythonPackage> python = in.python;
  std::sort(python.begin(), python.end(), [](const auto& a, const auto& b) {
    return std::tie(a.name, a.version, a.wheel) < std::tie(b.name, b.version, b.wheel);
  });
  std::vector<SbomDebianPackage> debian = in.debian;
  std::sort(debian.begin(), debian.end(), [](const auto& a, const auto& b) {
    return std::tie(a.name, a.architecture, a.version) <
           std::tie(b.name, b.architecture, b.version);
  });

  const std::string manifest_hex =
      in.manifest_digest.starts_with("sha256:") ? in.manifest_digest.substr(7) : in.manifest_digest;
  Json image = package(std::string(kImageId), in.image_name, in.manifest_digest);
  image["checksums"] = sha256_checksums(manifest_hex);
  image["primaryPackagePurpose"] = "CONTAINER";
  Json packages = Json::array({std::move(image)});
  Json relationships = Json::array({relationship(kDocumentId, "DESCRIBES", kImageId)});

  IdAllocator ids;
  for (const SbomPythonPackage& p : python) {
    const std::string id = ids.take(std::string(kPythonPrefix) + id_part(p.name));
    Json j = package(id, p.name, p.version);
    j["packageFileName"] = p.wheel;
    j["downloadLocation"] = or_no_assertion(p.download_location);
    j["checksums"] = sha256_checksums(p.sha256);
    j["licenseDeclared"] = or_no_assertion(p.license);
    j["externalRefs"] = purl_ref("pkg:pypi/" + purl_escape(p.name) + "@" + purl_escape(p.version));
    j["primaryPackagePurpose"] = "LIBRARY";
    packages.push_back(std::move(j));
    relationships.push_back(relationship(kImageId, "CONTAINS", id));
  }
  for (const SbomDebianPackage& d : debian) {
    const std::string id =
        ids.take(std::string(kDebianPrefix) + id_part(d.name) + "-" + id_part(d.architecture));
    Json j = package(id, d.name, d.version);
    j["supplier"] = d.maintainer.empty() ? std::string(kNoAssertion)
                                         : std::string(kSupplierPrefix) + d.maintainer;
    j["externalRefs"] =
        purl_ref("pkg:deb/debian/" + purl_escape(d.name) + "@" + purl_escape(d.version) +
                 std::string(kArchQualifier) + purl_escape(d.architecture));
    packages.push_back(std::move(j));
    relationships.push_back(relationship(kImageId, "CONTAINS", id));
  }

  const Json document = {
      {"spdxVersion", std::string(kSpdxVersion)},
      {"dataLicense", "CC0-1.0"},
      {"SPDXID", std::string(kDocumentId)},
      {"name", in.image_name + "@" + in.manifest_digest},
      {"documentNamespace",
       std::string(kNamespacePrefix) + in.image_name + "/" + in.manifest_digest},
      {"creationInfo",
       {{"created", in.created},
        {"creators", Json::array({std::string(kToolPrefix) + in.builder_version})}}},
      {"packages", std::move(packages)},
      {"relationships", std::move(relationships)}};
  return canonical_json_lossy(document) + "\n";
}

Result<SbomInputs> read_spdx_sbom(std::string_view json, std::string_view origin) {
  const std::string where(origin);
  IGNITE_ASSIGN_OR_RETURN(Json j, parse_json_object(json, where));
  IGNITE_RETURN_IF_ERROR(json_expect_string(j, "spdxVersion", kSpdxVersion, where));
  SbomInputs in;
  IGNITE_ASSIGN_OR_RETURN(const Json* creation, json_object(j, "creationInfo", where));
  IGNITE_ASSIGN_OR_RETURN(in.created, json_string(*creation, "created", where + ": creationInfo"));
  IGNITE_ASSIGN_OR_RETURN(std::vector<std::string> creators,
                          json_optional_strings(*creation, "creators", where + ": creationInfo"));
  for (const std::string& creator : creators) {
    if (creator.starts_with(kToolPrefix)) in.builder_version = creator.substr(kToolPrefix.size());
  }

  bool image = false;
  IGNITE_ASSIGN_OR_RETURN(const Json* packages, json_array(j, "packages", where));
  for (std::size_t i = 0; i < packages->size(); ++i) {
    const Json& p = (*packages)[i];
    const std::string what = where + ": packages[" + std::to_string(i) + "]";
    if (!p.is_object()) return invalid_argument(what + " is not an object");
    IGNITE_ASSIGN_OR_RETURN(std::string id, json_string(p, "SPDXID", what));
    if (id == kImageId) {
      IGNITE_ASSIGN_OR_RETURN(in.image_name, json_string(p, "name", what));
      IGNITE_ASSIGN_OR_RETURN(in.manifest_digest, json_string(p, "versionInfo", what));
      image = true;
    } else if (id.starts_with(kPythonPrefix)) {
      SbomPythonPackage py;
      IGNITE_ASSIGN_OR_RETURN(py.name, json_string(p, "name", what));
      IGNITE_ASSIGN_OR_RETURN(py.version, json_string(p, "versionInfo", what));
      IGNITE_ASSIGN_OR_RETURN(py.wheel, json_string(p, "packageFileName", what));
      IGNITE_ASSIGN_OR_RETURN(py.sha256, sha256_checksum(p, what));
      IGNITE_ASSIGN_OR_RETURN(std::string location, json_string(p, "downloadLocation", what));
      py.download_location = unless_no_assertion(location);
      IGNITE_ASSIGN_OR_RETURN(py.license, json_string(p, "licenseDeclared", what));
      in.python.push_back(std::move(py));
    } else if (id.starts_with(kDebianPrefix)) {
      SbomDebianPackage deb;
      IGNITE_ASSIGN_OR_RETURN(deb.name, json_string(p, "name", what));
      IGNITE_ASSIGN_OR_RETURN(deb.version, json_string(p, "versionInfo", what));
      IGNITE_ASSIGN_OR_RETURN(deb.architecture, purl_architecture(p, what));
      IGNITE_ASSIGN_OR_RETURN(std::string supplier, json_optional_string(p, "supplier", what));
      if (supplier.starts_with(kSupplierPrefix)) supplier.erase(0, kSupplierPrefix.size());
      deb.maintainer = unless_no_assertion(supplier);
      in.debian.push_back(std::move(deb));
    }
  }
  if (!image) {
    return invalid_argument(where + ": no package is " + std::string(kImageId) + " (the image)");
  }
  return in;
}

}  // namespace ignite::attest
