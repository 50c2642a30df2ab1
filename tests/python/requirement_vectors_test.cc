// requirements.json (packaging's tests/test_requirements.py) against
// ignite::python::Requirement. Every case runs. Where a case pins packaging's error text
// ("packaging.requirements.InvalidRequirement: <text>"), the message must be
// "invalid requirement: <text>" exactly: the same text under the project's prefix.
#include <gtest/gtest.h>

#include <algorithm>

#include "builder/python/requirement.h"
#include "tests/python/vector_cases.h"

namespace ignite::python {
namespace {

using nlohmann::json;
using testing::CaseTally;
using testing::show;

constexpr std::string_view kPackagingPrefix = "packaging.requirements.InvalidRequirement: ";

// Why the parsed parts differ from the case's expectations, or "" when they match.
std::string parts_mismatch(const Requirement& r, const json& c) {
  if (r.name() != c.at("name").get<std::string>()) return "name " + r.name();
  auto extras = c.at("extras").get<std::vector<std::string>>();
  std::sort(extras.begin(), extras.end());
  if (r.extras() != extras) return "extras differ";
  const json& url = c.at("url");
  if (url.is_null() != !r.url().has_value()) return "url presence differs";
  if (!url.is_null() && *r.url() != url.get<std::string>()) return "url " + *r.url();
  Result<SpecifierSet> spec = SpecifierSet::parse(c.at("specifier").get<std::string>());
  if (!spec.ok() || !(r.specifier() == *spec)) return "specifier " + r.specifier().to_string();
  const json& marker = c.at("marker");
  if (marker.is_null() != !r.marker().has_value()) return "marker presence differs";
  if (!marker.is_null()) {
    Result<Marker> m = Marker::parse(marker.get<std::string>());
    if (!m.ok() || !(*r.marker() == *m)) return "marker " + r.marker()->to_string();
  }
  // The printed form reads back to an equal requirement.
  Result<Requirement> again = Requirement::parse(r.to_string());
  if (!again.ok() || !(*again == r)) return "printed as " + r.to_string() + ", not read back";
  return "";
}

TEST(RequirementVectors, ValidParseIntoTheirParts) {
  IGNITE_LOAD_VECTORS_OR_SKIP(vectors, "requirements.json");
  CaseTally tally("requirements.json", "valid");
  for (const json& c : vectors.at("valid")) {
    Result<Requirement> r = Requirement::parse(c.at("input").get<std::string>());
    std::string why = r.ok() ? parts_mismatch(*r, c) : r.status().to_string();
    tally.check(why.empty(), show(c.at("input")), why);
  }
}

TEST(RequirementVectors, MarkersAndFileUrlsInRequirements) {
  IGNITE_LOAD_VECTORS_OR_SKIP(vectors, "requirements.json");
  {
    CaseTally tally("requirements.json", "valid_markers_in_requirement");
    for (const json& c : vectors.at("valid_markers_in_requirement")) {
      Result<Requirement> r = Requirement::parse(c.get<std::string>());
      tally.check(r.ok() && r->marker().has_value(), show(c), r.ok() ? "" : r.status().to_string());
    }
  }
  CaseTally tally("requirements.json", "file_urls");
  for (const json& c : vectors.at("file_urls")) {
    std::string text = c.get<std::string>();
    Result<Requirement> r = Requirement::parse(text);
    bool ok = r.ok() && r->url() == text.substr(text.find("@ ") + 2);
    tally.check(ok, show(c), r.ok() ? "" : r.status().to_string());
  }
}

TEST(RequirementVectors, InvalidAreRefusedWithPackagingsMessage) {
  IGNITE_LOAD_VECTORS_OR_SKIP(vectors, "requirements.json");
  CaseTally tally("requirements.json", "invalid");
  for (const json& c : vectors.at("invalid")) {
    Result<Requirement> r = Requirement::parse(c.at("input").get<std::string>());
    if (r.ok()) {
      tally.check(false, show(c.at("input")), "parsed as " + r->to_string());
      continue;
    }
    bool ok = r.status().code() == Code::kInvalidArgument &&
              r.status().message().starts_with("invalid requirement: ");
    const json& expected = c.at("error_message");
    if (ok && !expected.is_null()) {
      std::string text = expected.get<std::string>();
      if (text.starts_with(kPackagingPrefix)) text.erase(0, kPackagingPrefix.size());
      ok = r.status().message() == "invalid requirement: " + text;
    }
    tally.check(ok, show(c.at("input")), "got " + show(r.status().message()));
  }
}

TEST(RequirementVectors, EqualityAndHash) {
  IGNITE_LOAD_VECTORS_OR_SKIP(vectors, "requirements.json");
  for (const char* section : {"equal_pairs", "equivalent_pairs", "different_pairs"}) {
    CaseTally tally("requirements.json", section);
    std::string_view kind = section;
    for (const json& pair : vectors.at(section)) {
      Result<Requirement> a = Requirement::parse(pair[0].get<std::string>());
      Result<Requirement> b = Requirement::parse(pair[1].get<std::string>());
      if (!a.ok() || !b.ok()) {
        tally.check(false, show(pair), (a.ok() ? b : a).status().to_string());
        continue;
      }
      bool ok;
      if (kind == "different_pairs") {
        ok = !(*a == *b);
      } else {
        ok = *a == *b && a->hash() == b->hash();
        if (kind == "equal_pairs") ok = ok && a->to_string() == b->to_string();
      }
      tally.check(ok, show(pair), a->to_string() + " vs " + b->to_string());
    }
  }
}

TEST(RequirementVectors, NormalizedStr) {
  IGNITE_LOAD_VECTORS_OR_SKIP(vectors, "requirements.json");
  CaseTally tally("requirements.json", "normalized_str");
  for (const json& pair : vectors.at("normalized_str")) {
    Result<Requirement> r = Requirement::parse(pair[0].get<std::string>());
    bool ok = r.ok() && r->to_string() == pair[1].get<std::string>();
    tally.check(ok, show(pair), r.ok() ? "printed as " + r->to_string() : r.status().to_string());
  }
}

}  // namespace
}  // namespace ignite::python
