// The SPDX 2.3 SBOM: its exact bytes for a small input, its structure for a larger one (what an
// SPDX validator checks of a document), SPDXIDs, and reading it back.
#include "builder/attest/spdx_sbom.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <regex>
#include <set>

#include "builder/util/rfc3339.h"
#include "tests/attest/attest_testing.h"

namespace ignite::attest {
namespace {

using Json = nlohmann::json;

using testing::mutate_json;
using testing::repeat_text;

const std::string kManifest = "sha256:" + repeat_text("e1", 32);

SbomInputs small_inputs() {
  SbomInputs in;
  in.image_name = "acme-corp/greet";
  in.manifest_digest = kManifest;
  in.created = "2023-11-14T22:13:20Z";
  in.builder_version = "0.1.0";
  in.python.push_back({"six", "1.17.0", "six-1.17.0-py2.py3-none-any.whl", repeat_text("ab", 32),
                       "https://files.example/six-1.17.0-py2.py3-none-any.whl", "MIT"});
  in.debian.push_back(
      {"libc6", "2.36-9+deb12u4", "amd64", "GNU Libc Maintainers <debian-glibc@lists.debian.org>"});
  return in;
}

// small_inputs()'s document, written out by hand from spdx_sbom.h: keys sorted, no whitespace.
const std::string kSmallGolden =
    R"({"SPDXID":"SPDXRef-DOCUMENT",)"
    R"("creationInfo":{"created":"2023-11-14T22:13:20Z","creators":["Tool: ignite-builder-0.1.0"]},)"
    R"("dataLicense":"CC0-1.0",)"
    R"("documentNamespace":"https://ignite-compute.dev/ignite-builder/spdx/acme-corp/greet/)" +
    kManifest + R"(",)" + R"("name":"acme-corp/greet@)" + kManifest + R"(",)" +
    R"("packages":[)"
    R"({"SPDXID":"SPDXRef-Image","checksums":[{"algorithm":"SHA256","checksumValue":")" +
    repeat_text("e1", 32) +
    R"("}],"copyrightText":"NOASSERTION","downloadLocation":"NOASSERTION",)"
    R"("filesAnalyzed":false,"licenseConcluded":"NOASSERTION","licenseDeclared":"NOASSERTION",)"
    R"("name":"acme-corp/greet","primaryPackagePurpose":"CONTAINER","versionInfo":")" +
    kManifest + R"("},)" +
    R"({"SPDXID":"SPDXRef-Python-six","checksums":[{"algorithm":"SHA256","checksumValue":")" +
    repeat_text("ab", 32) +
    R"("}],"copyrightText":"NOASSERTION",)"
    R"("downloadLocation":"https://files.example/six-1.17.0-py2.py3-none-any.whl",)"
    R"("externalRefs":[{"referenceCategory":"PACKAGE-MANAGER",)"
    R"("referenceLocator":"pkg:pypi/six@1.17.0","referenceType":"purl"}],)"
    R"("filesAnalyzed":false,"licenseConcluded":"NOASSERTION","licenseDeclared":"MIT",)"
    R"("name":"six","packageFileName":"six-1.17.0-py2.py3-none-any.whl",)"
    R"("primaryPackagePurpose":"LIBRARY","versionInfo":"1.17.0"},)"
    R"({"SPDXID":"SPDXRef-Deb-libc6-amd64","copyrightText":"NOASSERTION",)"
    R"("downloadLocation":"NOASSERTION","externalRefs":[{"referenceCategory":"PACKAGE-MANAGER",)"
    R"("referenceLocator":"pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64",)"
    R"("referenceType":"purl"}],"filesAnalyzed":false,"licenseConcluded":"NOASSERTION",)"
    R"("licenseDeclared":"NOASSERTION","name":"libc6",)"
    R"("supplier":"Organization: GNU Libc Maintainers <debian-glibc@lists.debian.org>",)"
    R"("versionInfo":"2.36-9+deb12u4"}],)"
    R"("relationships":[)"
    R"({"relatedSpdxElement":"SPDXRef-Image","relationshipType":"DESCRIBES",)"
    R"("spdxElementId":"SPDXRef-DOCUMENT"},)"
    R"({"relatedSpdxElement":"SPDXRef-Python-six","relationshipType":"CONTAINS",)"
    R"("spdxElementId":"SPDXRef-Image"},)"
    R"({"relatedSpdxElement":"SPDXRef-Deb-libc6-amd64","relationshipType":"CONTAINS",)"
    R"("spdxElementId":"SPDXRef-Image"}],)"
    R"("spdxVersion":"SPDX-2.3"})"
    "\n";

// A larger input in no particular order: names needing sanitizing, clashing SPDXIDs, a
// multi-arch library, an epoch in a version, a find-links wheel (no URL), no license.
SbomInputs large_inputs() {
  SbomInputs in = small_inputs();
  in.python = {
      {"a_b", "1.0", "a_b-1.0-py3-none-any.whl", repeat_text("01", 32), "", "NOASSERTION"},
      {"requests", "2.34.2", "requests-2.34.2-py3-none-any.whl", repeat_text("02", 32),
       "https://files.example/requests.whl", "Apache-2.0"},
      {"a-b", "2.0", "a_b-2.0-py3-none-any.whl", repeat_text("03", 32), "", "MIT"},
      {"a-b-2", "1.0+local.1", "a_b_2-1.0+local.1-py3-none-any.whl", repeat_text("04", 32), "", ""},
      {"cryptography", "48.0.0", "cryptography-48.0.0-cp311-abi3-manylinux_2_34_x86_64.whl",
       repeat_text("05", 32), "https://files.example/c.whl", "Apache-2.0 OR BSD-3-Clause"},
  };
  in.debian = {
      {"libstdc++6", "12.2.0-14", "amd64", "Debian GCC Maintainers <debian-gcc@lists.debian.org>"},
      {"libc6", "2.36-9+deb12u4", "i386", "GNU Libc Maintainers <debian-glibc@lists.debian.org>"},
      {"libc6", "2.36-9+deb12u4", "amd64", "GNU Libc Maintainers <debian-glibc@lists.debian.org>"},
      {"base-files", "12.4+deb12u5", "amd64", "Santiago Vila <sanvila@debian.org>"},
      {"libattr1", "1:2.5.1-4", "amd64", ""},
  };
  return in;
}

TEST(SpdxSbomTest, WritesTheDocumentedDocument) {
  EXPECT_EQ(write_spdx_sbom(small_inputs()), kSmallGolden);
}

TEST(SpdxSbomTest, TheSameInputsInAnyOrderAreTheSameBytes) {
  const SbomInputs in = large_inputs();
  const std::string first = write_spdx_sbom(in);
  std::mt19937 shuffle(7);
  for (int i = 0; i < 5; ++i) {
    SbomInputs shuffled = in;
    std::shuffle(shuffled.python.begin(), shuffled.python.end(), shuffle);
    std::shuffle(shuffled.debian.begin(), shuffled.debian.end(), shuffle);
    EXPECT_EQ(write_spdx_sbom(shuffled), first);
  }
}

// The SPDXIDs of the document's packages, in order, with their names.
std::vector<std::pair<std::string, std::string>> ids_and_names(const std::string& json) {
  std::vector<std::pair<std::string, std::string>> out;
  const Json doc = Json::parse(json);
  for (const Json& p : doc["packages"]) {
    out.emplace_back(p["SPDXID"],
                     p["name"].get<std::string>() +
                         (p.contains("externalRefs")
                              ? " " + p["externalRefs"][0]["referenceLocator"].get<std::string>()
                              : ""));
  }
  return out;
}

TEST(SpdxSbomTest, PackagesAreSortedAndSpdxIdsSanitizedWithClashesNumbered) {
  const auto packages = ids_and_names(write_spdx_sbom(large_inputs()));
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"SPDXRef-Image", "acme-corp/greet"},
      {"SPDXRef-Python-a-b", "a-b pkg:pypi/a-b@2.0"},
      {"SPDXRef-Python-a-b-2", "a-b-2 pkg:pypi/a-b-2@1.0%2Blocal.1"},
      // "a_b" sanitizes to "a-b", taken; then "a-b-2", taken by the package of that name.
      {"SPDXRef-Python-a-b-3", "a_b pkg:pypi/a_b@1.0"},
      {"SPDXRef-Python-cryptography", "cryptography pkg:pypi/cryptography@48.0.0"},
      {"SPDXRef-Python-requests", "requests pkg:pypi/requests@2.34.2"},
      {"SPDXRef-Deb-base-files-amd64",
       "base-files pkg:deb/debian/base-files@12.4%2Bdeb12u5?arch=amd64"},
      {"SPDXRef-Deb-libattr1-amd64", "libattr1 pkg:deb/debian/libattr1@1:2.5.1-4?arch=amd64"},
      {"SPDXRef-Deb-libc6-amd64", "libc6 pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64"},
      {"SPDXRef-Deb-libc6-i386", "libc6 pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=i386"},
      {"SPDXRef-Deb-libstdc--6-amd64",
       "libstdc++6 pkg:deb/debian/libstdc%2B%2B6@12.2.0-14?arch=amd64"},
  };
  EXPECT_EQ(packages, expected);
}

// What an SPDX 2.3 validator checks of a document's structure (the spec's required fields,
// SPDXID syntax and uniqueness, relationships closing over the packages), checked here since
// no validator for SPDX JSON is available offline.
void expect_valid_spdx_23(const std::string& text) {
  ASSERT_TRUE(text.ends_with("}\n"));
  const Json doc = Json::parse(text);
  EXPECT_EQ(doc["spdxVersion"], "SPDX-2.3");
  EXPECT_EQ(doc["dataLicense"], "CC0-1.0");
  EXPECT_EQ(doc["SPDXID"], "SPDXRef-DOCUMENT");
  ASSERT_TRUE(doc["name"].is_string());
  const std::string ns = doc["documentNamespace"];
  EXPECT_TRUE(ns.starts_with("https://")) << ns;
  EXPECT_EQ(ns.find('#'), std::string::npos) << ns;
  EXPECT_TRUE(parse_rfc3339_utc(doc["creationInfo"]["created"].get<std::string>()).has_value());
  ASSERT_FALSE(doc["creationInfo"]["creators"].empty());
  for (const Json& creator : doc["creationInfo"]["creators"]) {
    EXPECT_TRUE(
        std::regex_match(creator.get<std::string>(), std::regex("(Tool|Organization|Person): .+")))
        << creator;
  }

  const std::regex spdx_id("SPDXRef-[A-Za-z0-9.-]+");
  const std::regex sha256("[0-9a-f]{64}");
  std::set<std::string> ids;
  for (const Json& p : doc["packages"]) {
    const std::string id = p["SPDXID"];
    EXPECT_TRUE(std::regex_match(id, spdx_id)) << id;
    EXPECT_TRUE(ids.insert(id).second) << "duplicate " << id;
    for (const char* required : {"name", "downloadLocation", "versionInfo", "licenseConcluded",
                                 "licenseDeclared", "copyrightText"}) {
      EXPECT_TRUE(p.contains(required) && p[required].is_string()) << id << " " << required;
    }
    ASSERT_TRUE(p["filesAnalyzed"].is_boolean());
    EXPECT_FALSE(p["filesAnalyzed"].get<bool>()) << id;  // so no packageVerificationCode
    for (const Json& c : p.value("checksums", Json::array())) {
      EXPECT_EQ(c["algorithm"], "SHA256") << id;
      EXPECT_TRUE(std::regex_match(c["checksumValue"].get<std::string>(), sha256)) << id;
    }
    for (const Json& r : p.value("externalRefs", Json::array())) {
      EXPECT_EQ(r["referenceCategory"], "PACKAGE-MANAGER");
      EXPECT_EQ(r["referenceType"], "purl");
      EXPECT_TRUE(r["referenceLocator"].get<std::string>().starts_with("pkg:")) << id;
    }
    if (p.contains("supplier") && p["supplier"] != "NOASSERTION") {
      EXPECT_TRUE(p["supplier"].get<std::string>().starts_with("Organization: ")) << id;
    }
  }
  std::set<std::string> related;
  for (const Json& r : doc["relationships"]) {
    const std::string from = r["spdxElementId"];
    const std::string to = r["relatedSpdxElement"];
    EXPECT_TRUE(from == "SPDXRef-DOCUMENT" || ids.contains(from)) << from;
    EXPECT_TRUE(ids.contains(to)) << to;
    if (from == "SPDXRef-DOCUMENT") {
      EXPECT_EQ(r["relationshipType"], "DESCRIBES");
    }
    related.insert(to);
  }
  EXPECT_EQ(related, ids) << "every package is described or contained";
}

TEST(SpdxSbomTest, IsAValidSpdx23Document) {
  expect_valid_spdx_23(write_spdx_sbom(small_inputs()));
  expect_valid_spdx_23(write_spdx_sbom(large_inputs()));
  SbomInputs empty = small_inputs();
  empty.python.clear();
  empty.debian.clear();
  expect_valid_spdx_23(write_spdx_sbom(empty));
}

TEST(SpdxSbomTest, ReadsBackWhatItWrote) {
  const SbomInputs in = large_inputs();
  auto back = read_spdx_sbom(write_spdx_sbom(in), "sbom");
  ASSERT_TRUE(back.ok()) << back.status().to_string();
  EXPECT_EQ(back->image_name, in.image_name);
  EXPECT_EQ(back->manifest_digest, in.manifest_digest);
  EXPECT_EQ(back->created, in.created);
  EXPECT_EQ(back->builder_version, in.builder_version);

  // In the written (sorted) order; an empty license is written, and read, as NOASSERTION.
  std::map<std::string, SbomPythonPackage> python;
  for (const auto& p : in.python) python[p.name] = p;
  ASSERT_EQ(back->python.size(), in.python.size());
  std::vector<std::string> names;
  for (const SbomPythonPackage& p : back->python) {
    names.push_back(p.name);
    const SbomPythonPackage& wrote = python.at(p.name);
    EXPECT_EQ(p.version, wrote.version);
    EXPECT_EQ(p.wheel, wrote.wheel);
    EXPECT_EQ(p.sha256, wrote.sha256);
    EXPECT_EQ(p.download_location, wrote.download_location);
    EXPECT_EQ(p.license, wrote.license.empty() ? "NOASSERTION" : wrote.license);
  }
  EXPECT_EQ(names, (std::vector<std::string>{"a-b", "a-b-2", "a_b", "cryptography", "requests"}));

  ASSERT_EQ(back->debian.size(), in.debian.size());
  std::vector<std::string> debs;
  for (const SbomDebianPackage& d : back->debian) {
    debs.push_back(d.name + ":" + d.architecture + "=" + d.version + " " + d.maintainer);
  }
  EXPECT_EQ(debs, (std::vector<std::string>{
                      "base-files:amd64=12.4+deb12u5 Santiago Vila <sanvila@debian.org>",
                      "libattr1:amd64=1:2.5.1-4 ",
                      "libc6:amd64=2.36-9+deb12u4 GNU Libc Maintainers "
                      "<debian-glibc@lists.debian.org>",
                      "libc6:i386=2.36-9+deb12u4 GNU Libc Maintainers "
                      "<debian-glibc@lists.debian.org>",
                      "libstdc++6:amd64=12.2.0-14 Debian GCC Maintainers "
                      "<debian-gcc@lists.debian.org>"}));
  // And written again, the same bytes.
  EXPECT_EQ(write_spdx_sbom(*back), write_spdx_sbom(in));
}

TEST(SpdxSbomTest, ReadingIgnoresPackagesOfOtherKinds) {
  Json doc = Json::parse(write_spdx_sbom(small_inputs()));
  doc["packages"].push_back({{"SPDXID", "SPDXRef-Other"}, {"name", "x"}});
  auto back = read_spdx_sbom(doc.dump(), "sbom");
  ASSERT_TRUE(back.ok()) << back.status().to_string();
  EXPECT_EQ(back->python.size(), 1u);
  EXPECT_EQ(back->debian.size(), 1u);
}

struct ReadError {
  const char* name;
  const char* pointer;
  Json value;  // null: remove
  const char* message;
};

class SpdxReadErrorTest : public ::testing::TestWithParam<ReadError> {};

TEST_P(SpdxReadErrorTest, NamesWhatIsWrong) {
  Json doc = Json::parse(write_spdx_sbom(small_inputs()));
  mutate_json(doc, GetParam().pointer, GetParam().value);
  auto back = read_spdx_sbom(doc.dump(), "sbom s.json");
  ASSERT_FALSE(back.ok());
  EXPECT_EQ(back.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(back.status().message(), std::string("sbom s.json: ") + GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    Fields, SpdxReadErrorTest,
    ::testing::Values(
        ReadError{"OtherVersion", "/spdxVersion", "SPDX-2.2",
                  "field \"spdxVersion\" is \"SPDX-2.2\", not SPDX-2.3"},
        ReadError{"NoCreationInfo", "/creationInfo", nullptr, "field \"creationInfo\" is missing"},
        ReadError{"NoCreated", "/creationInfo/created", nullptr,
                  "creationInfo: field \"created\" is missing"},
        ReadError{"NoPackages", "/packages", nullptr, "field \"packages\" is missing"},
        ReadError{"NoImage", "/packages/0", nullptr, "no package is SPDXRef-Image (the image)"},
        ReadError{"PackageNotObject", "/packages/1", "six", "packages[1] is not an object"},
        ReadError{"NoSpdxId", "/packages/1/SPDXID", nullptr,
                  "packages[1]: field \"SPDXID\" is missing"},
        ReadError{"NoImageVersion", "/packages/0/versionInfo", nullptr,
                  "packages[0]: field \"versionInfo\" is missing"},
        ReadError{"NoWheel", "/packages/1/packageFileName", nullptr,
                  "packages[1]: field \"packageFileName\" is missing"},
        ReadError{"NoWheelChecksum", "/packages/1/checksums/0/algorithm", "SHA1",
                  "packages[1]: field \"checksums\" has no SHA256 entry"},
        ReadError{"NoLicense", "/packages/1/licenseDeclared", nullptr,
                  "packages[1]: field \"licenseDeclared\" is missing"},
        ReadError{"NoDebVersion", "/packages/2/versionInfo", nullptr,
                  "packages[2]: field \"versionInfo\" is missing"},
        ReadError{"NoDebPurl", "/packages/2/externalRefs", Json::array(),
                  "packages[2]: field \"externalRefs\" has no purl with an arch qualifier"},
        ReadError{"SupplierNotString", "/packages/2/supplier", 3,
                  "packages[2]: field \"supplier\" is not a string"}),
    [](const auto& p) { return std::string(p.param.name); });

TEST(SpdxSbomTest, RefusesWhatIsNotJson) {
  EXPECT_EQ(read_spdx_sbom("<spdx/>", "sbom s.json").status().message(),
            "sbom s.json: not valid JSON");
}

}  // namespace
}  // namespace ignite::attest
