// specifiers.json (packaging's tests/test_specifiers.py) against Specifier and
// SpecifierSet, including the pre-release rules of packaging 26 (see the file's notes).
#include <gtest/gtest.h>

#include "builder/python/specifier.h"
#include "tests/python/vector_cases.h"

namespace ignite::python {
namespace {

using nlohmann::json;
using testing::CaseTally;
using testing::optional_bool;
using testing::show;

std::string show_pre(std::optional<bool> b) { return b ? (*b ? "True" : "False") : "None"; }

TEST(SpecifierVectors, ValidAndInvalid) {
  IGNITE_LOAD_VECTORS_OR_SKIP(vectors, "specifiers.json");
  {
    CaseTally tally("specifiers.json", "valid");
    for (const json& text : vectors.at("valid")) {
      Result<Specifier> s = Specifier::parse(text.get<std::string>());
      tally.check(s.ok(), show(text), s.ok() ? "" : s.status().to_string());
    }
  }
  CaseTally tally("specifiers.json", "invalid");
  for (const json& text : vectors.at("invalid")) {
    Result<Specifier> s = Specifier::parse(text.get<std::string>());
    bool ok = !s.ok() && s.status().code() == Code::kInvalidArgument &&
              s.status().message().starts_with("invalid specifier '");
    tally.check(ok, show(text), s.ok() ? "parsed as " + s->to_string() : s.status().to_string());
  }
}

TEST(SpecifierVectors, StrForms) {
  IGNITE_LOAD_VECTORS_OR_SKIP(vectors, "specifiers.json");
  {
    CaseTally tally("specifiers.json", "str");
    for (const json& pair : vectors.at("str")) {
      Result<Specifier> s = Specifier::parse(pair[0].get<std::string>());
      tally.check(s.ok() && s->to_string() == pair[1], show(pair),
                  s.ok() ? "got " + s->to_string() : s.status().to_string());
    }
  }
  CaseTally tally("specifiers.json", "set_str");
  for (const json& pair : vectors.at("set_str")) {
    Result<SpecifierSet> s = SpecifierSet::parse(pair[0].get<std::string>());
    tally.check(s.ok() && s->to_string() == pair[1], show(pair),
                s.ok() ? "got " + s->to_string() : s.status().to_string());
  }
}

TEST(SpecifierVectors, PrereleasesProperty) {
  IGNITE_LOAD_VECTORS_OR_SKIP(vectors, "specifiers.json");
  CaseTally tally("specifiers.json", "prereleases_property");
  for (const json& pair : vectors.at("prereleases_property")) {
    Result<Specifier> s = Specifier::parse(pair[0].get<std::string>());
    // Compared as text: gcc 12 misreads optional<bool> == optional<bool> here
    // (-Wmaybe-uninitialized).
    std::string got = s.ok() ? show_pre(s->prereleases()) : s.status().to_string();
    tally.check(got == show_pre(optional_bool(pair[1])), show(pair), "got " + got);
  }
}

TEST(SpecifierVectors, SpecifierContains) {
  IGNITE_LOAD_VECTORS_OR_SKIP(vectors, "specifiers.json");
  CaseTally tally("specifiers.json", "contains");
  for (const json& c : vectors.at("contains")) {
    Result<Specifier> s =
        Specifier::parse(c.at("spec").get<std::string>(), optional_bool(c.at("spec_prereleases")));
    std::string text = c.at("version").get<std::string>();
    std::optional<bool> pre = optional_bool(c.at("contains_prereleases"));
    bool got = s.ok() && s->contains(text, pre);
    // The Version overload answers the same where the text is the normal form or the
    // operator looks at versions only.
    Result<Version> v = Version::parse(text);
    bool same = !s.ok() || !v.ok() ||
                (s->op() == SpecifierOp::kArbitrary && v->to_string() != text) ||
                s->contains(*v, pre) == got;
    tally.check(s.ok() && got == c.at("expected").get<bool>() && same, show(c),
                s.ok() ? "got " + show_pre(got) + (same ? "" : ", and the Version overload differs")
                       : s.status().to_string());
  }
}

TEST(SpecifierVectors, ContainsCompact) {
  IGNITE_LOAD_VECTORS_OR_SKIP(vectors, "specifiers.json");
  CaseTally tally("specifiers.json", "contains_compact");
  for (const json& c : vectors.at("contains_compact")) {
    Result<Specifier> s = Specifier::parse(c[0].get<std::string>(), optional_bool(c[3]));
    bool got = s.ok() && s->contains(c[1].get<std::string>());
    tally.check(s.ok() && got == c[2].get<bool>(), show(c), "got " + show_pre(got));
  }
}

TEST(SpecifierVectors, SetContains) {
  IGNITE_LOAD_VECTORS_OR_SKIP(vectors, "specifiers.json");
  CaseTally tally("specifiers.json", "specifier_set_contains");
  for (const json& c : vectors.at("specifier_set_contains")) {
    std::string source = c.at("source").get<std::string>();
    std::optional<bool> spec_pre = optional_bool(c.at("spec_prereleases"));
    // "(after setting prereleases)": built without, then set through the setter.
    bool set_after = source.find("after setting") != std::string::npos;
    Result<SpecifierSet> s =
        SpecifierSet::parse(c.at("spec").get<std::string>(), set_after ? std::nullopt : spec_pre);
    if (s.ok() && set_after) s->set_prereleases(spec_pre);
    Installed installed =
        optional_bool(c.at("installed")) == true ? Installed::kYes : Installed::kNo;
    std::string text = c.at("version").get<std::string>();
    std::optional<bool> pre = optional_bool(c.at("contains_prereleases"));
    bool got = s.ok() && s->contains(text, pre, installed);
    Result<Version> v = Version::parse(text);
    bool arbitrary = c.at("spec").get<std::string>().find("===") != std::string::npos;
    bool same = !s.ok() || !v.ok() || (arbitrary && v->to_string() != text) ||
                s->contains(*v, pre, installed) == got;
    tally.check(s.ok() && got == c.at("expected").get<bool>() && same, show(c),
                s.ok() ? "got " + show_pre(got) + (same ? "" : ", and the Version overload differs")
                       : s.status().to_string());
  }
}

// A filter input item: a string, or {"$version": "x"} for a Version object.
Candidate candidate(const json& item) {
  if (item.is_object())
    return Candidate::of(Version::parse(item.at("$version").get<std::string>()).value());
  return Candidate::of(item.get<std::string>());
}

template <typename Spec>
void check_filter(CaseTally& tally, const Spec& spec, const json& c) {
  std::vector<Candidate> candidates;
  for (const json& item : c.at("input")) candidates.push_back(candidate(item));
  json got = json::array();
  for (std::size_t i : spec.select(candidates, optional_bool(c.at("filter_prereleases")))) {
    got.push_back(c.at("input")[i]);
  }
  tally.check(got == c.at("expected"), show(c), "got " + show(got));
}

TEST(SpecifierVectors, Filter) {
  IGNITE_LOAD_VECTORS_OR_SKIP(vectors, "specifiers.json");
  {
    CaseTally tally("specifiers.json", "filter");
    for (const json& c : vectors.at("filter")) {
      Result<Specifier> s = Specifier::parse(c.at("spec").get<std::string>(),
                                             optional_bool(c.at("spec_prereleases")));
      if (!s.ok()) {
        tally.check(false, show(c), s.status().to_string());
        continue;
      }
      check_filter(tally, *s, c);
    }
  }
  CaseTally tally("specifiers.json", "set_filter");
  for (const json& c : vectors.at("set_filter")) {
    Result<SpecifierSet> s = SpecifierSet::parse(c.at("spec").get<std::string>(),
                                                 optional_bool(c.at("spec_prereleases")));
    if (!s.ok()) {
      tally.check(false, show(c), s.status().to_string());
      continue;
    }
    check_filter(tally, *s, c);
  }
}

TEST(SpecifierVectors, SetAlgebra) {
  IGNITE_LOAD_VECTORS_OR_SKIP(vectors, "specifiers.json");
  auto set = [](const json& text, std::optional<bool> pre = std::nullopt) {
    return SpecifierSet::parse(text.get<std::string>(), pre).value();
  };
  {
    CaseTally tally("specifiers.json", "set_combine");
    for (const json& c : vectors.at("set_combine")) {
      Result<SpecifierSet> combined = set(c[0]).combine(set(c[1]));
      tally.check(combined.ok() && *combined == set(c[2]), show(c),
                  combined.ok() ? "got " + combined->to_string() : combined.status().to_string());
    }
  }
  struct Relation {
    const char* section;
    bool (*holds)(const SpecifierSet&, const SpecifierSet&);
  };
  for (Relation r :
       {Relation{"set_is_subset",
                 [](const SpecifierSet&a, const SpecifierSet&b) { return a.is_subset_of(b); }},
        Relation{"set_is_superset",
                 [](const SpecifierSet&a, const SpecifierSet&b) { return a.is_superset_of(b); }},
        Relation{"set_is_disjoint", [](const SpecifierSet&a, const SpecifierSet&b) {
                   return a.is_disjoint_from(b);
                 }}}) {
    CaseTally tally("specifiers.json", r.section);
    for (const json& c : vectors.at(r.section)) {
      bool got = r.holds(set(c[0]), set(c[1]));
      tally.check(got == c[2].get<bool>(), show(c), "got " + show_pre(got));
    }
  }
  struct Satisfiability {
    const char* section;
    bool unsatisfiable;
    std::optional<bool> prereleases;
  };
  for (Satisfiability s : {Satisfiability{"set_unsatisfiable", true, std::nullopt},
                           Satisfiability{"set_satisfiable", false, std::nullopt},
                           Satisfiability{"set_unsatisfiable_prereleases_false", true, false},
                           Satisfiability{"set_satisfiable_prereleases_false", false, false}}) {
    CaseTally tally("specifiers.json", s.section);
    for (const json& text : vectors.at(s.section)) {
      bool got = set(text, s.prereleases).is_unsatisfiable();
      tally.check(got == s.unsatisfiable, show(text), "is_unsatisfiable() = " + show_pre(got));
    }
  }
}

}  // namespace
}  // namespace ignite::python
