// SpecifierSet: comma-separated clauses, the intersection of their ranges, and the
// pre-release rules of packaging 26 for a set's contains() and filter().
#include <algorithm>

#include "builder/python/ascii_text.h"
#include "builder/python/specifier.h"

namespace ignite::python {

Result<SpecifierSet> SpecifierSet::parse(std::string_view text, std::optional<bool> prereleases) {
  SpecifierSet set;
  set.prereleases_ = prereleases;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t comma = text.find(',', start);
    if (comma == std::string_view::npos) comma = text.size();
    std::string_view clause = trim_python_whitespace(text.substr(start, comma - start));
    start = comma + 1;
    if (clause.empty()) continue;  // packaging skips empty items (">=1,,<2")
    Result<Specifier> spec = Specifier::parse(clause);
    if (!spec.ok()) {
      return spec.status().with_context("in specifier set " + quote_text(text));
    }
    set.ranges_ = intersect(set.ranges_, spec->ranges());
    set.specs_.push_back(std::move(spec).value());
  }
  return set;
}

std::vector<Specifier> SpecifierSet::canonical_specs() const {
  std::vector<Specifier> specs = specs_;
  std::stable_sort(specs.begin(), specs.end(), [](const Specifier& a, const Specifier& b) {
    return a.to_string() < b.to_string();
  });
  std::vector<Specifier> unique;
  for (Specifier& s : specs) {
    if (std::find(unique.begin(), unique.end(), s) == unique.end()) unique.push_back(s);
  }
  return unique;
}

std::string SpecifierSet::to_string() const {
  std::string out;
  for (const Specifier& s : canonical_specs()) {
    if (!out.empty()) out += ',';
    out += s.to_string();
  }
  return out;
}

std::optional<bool> SpecifierSet::prereleases() const {
  if (prereleases_) return prereleases_;
  if (specs_.empty()) return std::nullopt;
  for (const Specifier& s : specs_) {
    if (s.prereleases() == true) return true;
  }
  return std::nullopt;
}

bool SpecifierSet::has_arbitrary() const {
  return std::any_of(specs_.begin(), specs_.end(),
                     [](const Specifier& s) { return s.op() == SpecifierOp::kArbitrary; });
}

bool SpecifierSet::matches(const Candidate& c) const {
  if (has_arbitrary()) {
    return std::all_of(specs_.begin(), specs_.end(),
                       [&](const Specifier& s) { return s.matches(c); });
  }
  if (specs_.empty()) return true;  // packaging lets any text through an empty set
  return c.version && ranges_contain(ranges_, *c.version);
}

bool SpecifierSet::contains(const Version& v, std::optional<bool> prereleases,
                            Installed installed) const {
  if (has_arbitrary()) return contains_candidate(Candidate::of(v), prereleases, installed);
  // The common case, without building a candidate (resolvers call this a lot).
  if (installed == Installed::kYes && v.is_prerelease()) prereleases = true;
  std::optional<bool> effective = prereleases ? prereleases : this->prereleases();
  if (effective == false && v.is_prerelease()) return false;
  return ranges_contain(ranges_, v);
}

bool SpecifierSet::contains(std::string_view text, std::optional<bool> prereleases,
                            Installed installed) const {
  // "===" clauses compare the text as given, not its normalized form.
  return contains_candidate(Candidate::of(text), prereleases, installed);
}

bool SpecifierSet::contains_candidate(const Candidate& c, std::optional<bool> prereleases,
                                      Installed installed) const {
  bool pre = c.version && c.version->is_prerelease();
  if (installed == Installed::kYes && pre) prereleases = true;
  std::optional<bool> effective = prereleases ? prereleases : this->prereleases();
  if (effective == false && pre) return false;
  return matches(c);
}

std::vector<std::size_t> SpecifierSet::select(const std::vector<Candidate>& candidates,
                                              std::optional<bool> prereleases) const {
  std::vector<std::size_t> matched;
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    if (matches(candidates[i])) matched.push_back(i);
  }
  return apply_prerelease_policy(candidates, std::move(matched),
                                 prereleases ? prereleases : this->prereleases());
}

std::vector<std::string> SpecifierSet::filter(const std::vector<std::string>& versions,
                                              std::optional<bool> prereleases) const {
  return detail::filter_items(*this, versions, prereleases);
}

std::vector<Version> SpecifierSet::filter_versions(const std::vector<Version>& versions,
                                                   std::optional<bool> prereleases) const {
  return detail::filter_items(*this, versions, prereleases);
}

std::optional<std::string> SpecifierSet::arbitrary_text() const {
  std::optional<std::string> text;
  for (const Specifier& s : specs_) {
    if (s.op() != SpecifierOp::kArbitrary) continue;
    std::string lower = ascii_lower(s.version_text());
    if (text && ascii_lower(*text) != lower) return std::nullopt;
    if (!text) text = s.version_text();
  }
  return text;
}

bool SpecifierSet::arbitrary_unsatisfiable() const {
  if (!has_arbitrary()) return false;
  // "===" compares text, so the only candidate is the clauses' common text.
  std::optional<std::string> text = arbitrary_text();
  if (!text) return true;
  Result<Version> candidate = Version::parse(*text);
  if (prereleases() == false && candidate.ok() && candidate->is_prerelease()) return true;
  for (const Specifier& s : specs_) {
    if (s.op() == SpecifierOp::kArbitrary) continue;
    if (!candidate.ok() || !s.contains(*candidate)) return true;
  }
  return false;
}

bool SpecifierSet::is_unsatisfiable() const {
  if (specs_.empty()) return false;
  if (ranges_.empty() || arbitrary_unsatisfiable()) return true;
  return prereleases() == false && ranges_are_prerelease_only(ranges_);
}

bool SpecifierSet::is_subset_of(const SpecifierSet& other) const {
  if (is_unsatisfiable()) return true;
  if (has_arbitrary()) {
    // This set admits exactly its "===" text.
    return other.matches(Candidate::of(*arbitrary_text()));
  }
  if (other.has_arbitrary()) return false;  // a text match cannot cover a range
  return intersect(ranges_, complement(other.ranges_)).empty();
}

bool SpecifierSet::is_disjoint_from(const SpecifierSet& other) const {
  if (is_unsatisfiable() || other.is_unsatisfiable()) return true;
  if (has_arbitrary()) return !other.matches(Candidate::of(*arbitrary_text()));
  if (other.has_arbitrary()) return other.is_disjoint_from(*this);
  return intersect(ranges_, other.ranges_).empty();
}

Result<SpecifierSet> SpecifierSet::combine(const SpecifierSet& other) const {
  SpecifierSet out;
  if (!prereleases_ || prereleases_ == other.prereleases_) {
    out.prereleases_ = other.prereleases_;
  } else if (!other.prereleases_) {
    out.prereleases_ = prereleases_;
  } else {
    return invalid_argument("combining specifier sets " + quote_text(to_string()) + " and " +
                            quote_text(other.to_string()) +
                            ": one allows pre-releases and the other refuses them");
  }
  out.specs_ = specs_;
  out.specs_.insert(out.specs_.end(), other.specs_.begin(), other.specs_.end());
  out.ranges_ = intersect(ranges_, other.ranges_);
  return out;
}

bool operator==(const SpecifierSet& a, const SpecifierSet& b) {
  return a.canonical_specs() == b.canonical_specs();
}

}  // namespace ignite::python
