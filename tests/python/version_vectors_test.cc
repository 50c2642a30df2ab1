// versions.json and invalid_versions.json (packaging's tests/test_version.py) against
// ignite::python::Version.
#include <gtest/gtest.h>

#include "builder/python/version.h"
#include "tests/python/vector_cases.h"

namespace ignite::python {
namespace {

using nlohmann::json;
using testing::CaseTally;
using testing::show;

TEST(VersionVectors, OrderedValidIsStrictlyAscending) {
  IGNITE_LOAD_VECTORS_OR_SKIP(vectors, "versions.json");
  const json& list = vectors.at("ordered_valid");
  CaseTally tally("versions.json", "ordered_valid (every pair, <,<=,==,!=,>=,>)");
  std::vector<std::optional<Version>> versions;
  for (const json& text : list) {
    Result<Version> v = Version::parse(text.get<std::string>());
    tally.check(v.ok(), show(text) + " parses", v.ok() ? "" : v.status().to_string());
    versions.push_back(v.ok() ? std::optional<Version>(*v) : std::nullopt);
  }
  for (std::size_t i = 0; i < versions.size(); ++i) {
    for (std::size_t j = 0; j < versions.size(); ++j) {
      if (!versions[i] || !versions[j]) continue;
      const Version& a = *versions[i];
      const Version& b = *versions[j];
      bool ok = (a < b) == (i < j) && (a <= b) == (i <= j) && (a == b) == (i == j) &&
                (a != b) == (i != j) && (a >= b) == (i >= j) && (a > b) == (i > j);
      if (i == j) ok = ok && a.hash() == b.hash();
      tally.check(ok, show(list[i]) + " vs " + show(list[j]));
    }
  }
}

TEST(VersionVectors, InvalidVersionsAreRefused) {
  IGNITE_LOAD_VECTORS_OR_SKIP(vectors, "versions.json");
  CaseTally tally("versions.json", "invalid");
  for (const json& text : vectors.at("invalid")) {
    Result<Version> v = Version::parse(text.get<std::string>());
    bool ok = !v.ok() && v.status().code() == Code::kInvalidArgument &&
              v.status().message().starts_with("invalid version '");
    tally.check(ok, show(text), v.ok() ? "parsed as " + v->to_string() : v.status().to_string());
  }
}

TEST(VersionVectors, InvalidVersionsFileIsRefused) {
  IGNITE_LOAD_VECTORS_OR_SKIP(vectors, "invalid_versions.json");
  CaseTally tally("invalid_versions.json", "all");
  for (const json& text : vectors) {
    Result<Version> v = Version::parse(text.get<std::string>());
    bool ok = !v.ok() && v.status().code() == Code::kInvalidArgument;
    tally.check(ok, show(text), v.ok() ? "parsed as " + v->to_string() : "");
  }
}

TEST(VersionVectors, NormalizedAndStrForms) {
  IGNITE_LOAD_VECTORS_OR_SKIP(vectors, "versions.json");
  for (const char* section : {"normalized", "str"}) {
    CaseTally tally("versions.json", section);
    for (const json& pair : vectors.at(section)) {
      Result<Version> v = Version::parse(pair[0].get<std::string>());
      std::string expected = pair[1].get<std::string>();
      bool ok = v.ok() && v->to_string() == expected;
      // The normal form is a fixed point: it parses back to an equal version.
      if (ok) {
        Result<Version> again = Version::parse(v->to_string());
        ok = again.ok() && *again == *v && again->to_string() == expected;
      }
      tally.check(ok, show(pair), v.ok() ? "got " + v->to_string() : v.status().to_string());
    }
  }
}

// The value of one attribute of a parsed version, as JSON, for comparison.
json attribute(const Version& v, const std::string& name) {
  auto number = [](const std::optional<std::string>& n) -> json {
    return n ? json::parse(*n) : json(nullptr);
  };
  if (name == "public") return v.public_version();
  if (name == "base_version") return v.base_version();
  if (name == "epoch") return json::parse(v.epoch());
  if (name == "release") {
    json out = json::array();
    for (const std::string& n : v.release()) out.push_back(json::parse(n));
    return out;
  }
  if (name == "local") return v.local() ? json(*v.local()) : json(nullptr);
  if (name == "pre") {
    if (!v.pre()) return nullptr;
    return json::array({v.pre()->label, json::parse(v.pre()->number)});
  }
  if (name == "dev") return number(v.dev());
  if (name == "post") return number(v.post());
  if (name == "is_prerelease") return v.is_prerelease();
  if (name == "is_devrelease") return v.is_devrelease();
  if (name == "is_postrelease") return v.is_postrelease();
  return "<unknown attribute " + name + ">";
}

TEST(VersionVectors, Attributes) {
  IGNITE_LOAD_VECTORS_OR_SKIP(vectors, "versions.json");
  for (const auto& [name, cases] : vectors.at("attributes").items()) {
    CaseTally tally("versions.json", "attributes." + name);
    for (const json& pair : cases) {
      Result<Version> v = Version::parse(pair[0].get<std::string>());
      json got = v.ok() ? attribute(*v, name) : json("<" + v.status().to_string() + ">");
      tally.check(got == pair[1], show(pair), "got " + show(got));
    }
  }
}

}  // namespace
}  // namespace ignite::python
