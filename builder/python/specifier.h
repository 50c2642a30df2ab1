// PEP 440 version specifiers ("~=1.4", "==1.3.*", "!=2.0", "<3", "===foo") and sets of
// them (">=1.0,!=1.3.*,<2"), with the pre-release rules of pypa/packaging 26:
//
// - A specifier's `prereleases` is explicit when given; otherwise "!=" and "==X.*" say
//   no, "===" with an unparsable version is unknown, and every other operator says yes
//   when its own version is a pre-release.
// - contains(v): a pre-release v is refused only when pre-releases are explicitly off
//   (by the argument, else the specifier's explicit setting); with the default rules a
//   single version has no alternative, so a pre-release that matches is accepted.
// - filter(vs): with the default rules, pre-releases are dropped only when some final
//   release in the input matches; explicitly on keeps them, explicitly off drops them.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "builder/python/version.h"
#include "builder/python/version_range.h"
#include "builder/util/status.h"

namespace ignite::python {

enum class SpecifierOp {
  kCompatible,    // ~=
  kEqual,         // ==   (also "==X.*")
  kNotEqual,      // !=   (also "!=X.*")
  kLessEqual,     // <=
  kGreaterEqual,  // >=
  kLess,          // <
  kGreater,       // >
  kArbitrary,     // ===  (string comparison, no PEP 440 meaning)
};

// "~=", "==", ... as written in a specifier.
std::string_view op_symbol(SpecifierOp op);

// An item for filter(): its text, which "===" compares, and its version when the text is
// one. For a Version the text is its normalized form, as str(Version) is in packaging.
struct Candidate {
  std::string text;
  std::optional<Version> version;

  static Candidate of(std::string_view text);
  static Candidate of(const Version& v) { return Candidate{v.to_string(), v}; }
};

class Specifier {
 public:
  // One clause, e.g. " >= 1.0 ". INVALID_ARGUMENT "invalid specifier '<text>': <reason>".
  // `prereleases` is the explicit setting (nullopt: the default rules above).
  static Result<Specifier> parse(std::string_view text,
                                 std::optional<bool> prereleases = std::nullopt);

  // "<op><version>" with the version as written (whitespace removed), e.g. ">=1.0".
  std::string to_string() const;

  SpecifierOp op() const { return op_; }
  // The version text as written (after the operator, trimmed), e.g. "1.3.*" or "1.0a1".
  const std::string& version_text() const { return version_text_; }
  bool is_wildcard() const { return wildcard_; }

  // The effective pre-release setting (explicit, else derived; nullopt = unknown).
  std::optional<bool> prereleases() const;
  std::optional<bool> explicit_prereleases() const { return prereleases_; }
  void set_prereleases(std::optional<bool> value) { prereleases_ = value; }

  // Whether the candidate matches the operator, pre-release policy aside: "===" compares
  // the text case-insensitively; every other operator needs a valid version.
  bool matches(const Candidate& c) const;

  bool contains(const Version& v, std::optional<bool> prereleases = std::nullopt) const;
  bool contains(std::string_view text, std::optional<bool> prereleases = std::nullopt) const;
  bool contains_candidate(const Candidate& c, std::optional<bool> prereleases = std::nullopt) const;

  // The items that the specifier contains, in input order, per the filter rules above.
  std::vector<std::string> filter(const std::vector<std::string>& versions,
                                  std::optional<bool> prereleases = std::nullopt) const;
  std::vector<Version> filter_versions(const std::vector<Version>& versions,
                                       std::optional<bool> prereleases = std::nullopt) const;
  // The indices of the candidates that pass, in input order.
  std::vector<std::size_t> select(const std::vector<Candidate>& candidates,
                                  std::optional<bool> prereleases = std::nullopt) const;

  // The versions the clause admits, pre-release policy aside ("===": all of them).
  const VersionRanges& ranges() const { return ranges_; }
  // The clause's version (the prefix for "==X.*"); nullopt for "===" with text that is no
  // version.
  const std::optional<Version>& version() const { return version_; }

  // Equal when the operator matches and the versions are equal after
  // canonicalize_version (trailing zeros kept for ~=); prereleases is ignored.
  friend bool operator==(const Specifier& a, const Specifier& b);

 private:
  Specifier() = default;
  // The pre-release setting a call uses: the argument, else the explicit setting, else
  // true when prereleases() says so, else the default rules (nullopt).
  std::optional<bool> resolve_prereleases(std::optional<bool> requested) const;

  SpecifierOp op_ = SpecifierOp::kEqual;
  std::string version_text_;
  bool wildcard_ = false;
  std::optional<Version> version_;  // parsed version (prefix for wildcards); absent for "==="
  std::optional<bool> prereleases_;
  VersionRanges ranges_;
};

// The ranges one clause admits: op applied to v ("==X.*"/"!=X.*" when wildcard).
VersionRanges specifier_ranges(SpecifierOp op, const Version& v, bool wildcard);

// The pre-release step of filter(), over the indices of the candidates that matched:
// true keeps everything; false drops pre-releases; nullopt (PEP 440's default) drops them
// only when some final release matched. Text that is no version (let through by "===" or
// an empty set) is never a pre-release.
std::vector<std::size_t> apply_prerelease_policy(const std::vector<Candidate>& candidates,
                                                 std::vector<std::size_t> matched,
                                                 std::optional<bool> prereleases);

// Whether the version being checked is already installed (packaging's installed=True).
enum class Installed { kNo, kYes };

class SpecifierSet {
 public:
  // Comma-separated clauses, possibly none (""), whitespace around each allowed.
  static Result<SpecifierSet> parse(std::string_view text,
                                    std::optional<bool> prereleases = std::nullopt);
  // The empty set: matches every version (pre-releases per the default rules).
  static SpecifierSet any() { return SpecifierSet(); }

  // Clauses sorted by their text and joined with ',', e.g. "<2,>=1.0" (packaging's str()).
  std::string to_string() const;

  const std::vector<Specifier>& specifiers() const { return specs_; }
  bool empty() const { return specs_.empty(); }

  std::optional<bool> prereleases() const;
  std::optional<bool> explicit_prereleases() const { return prereleases_; }
  void set_prereleases(std::optional<bool> value) { prereleases_ = value; }

  // Whether v matches every clause, per packaging 26's SpecifierSet.contains: a
  // pre-release is refused only when pre-releases are off (the argument, else the set's
  // explicit setting); Installed::kYes accepts an installed pre-release regardless.
  // The text overload compares "===" clauses with the text as given; the empty set
  // contains even text that is no version, as packaging's does.
  bool contains(const Version& v, std::optional<bool> prereleases = std::nullopt,
                Installed installed = Installed::kNo) const;
  bool contains(std::string_view text, std::optional<bool> prereleases = std::nullopt,
                Installed installed = Installed::kNo) const;
  bool contains_candidate(const Candidate& c, std::optional<bool> prereleases = std::nullopt,
                          Installed installed = Installed::kNo) const;
  // Whether the candidate passes every clause, pre-release policy aside.
  bool matches(const Candidate& c) const;

  std::vector<std::string> filter(const std::vector<std::string>& versions,
                                  std::optional<bool> prereleases = std::nullopt) const;
  std::vector<Version> filter_versions(const std::vector<Version>& versions,
                                       std::optional<bool> prereleases = std::nullopt) const;
  std::vector<std::size_t> select(const std::vector<Candidate>& candidates,
                                  std::optional<bool> prereleases = std::nullopt) const;

  // The versions every clause admits, pre-release policy aside ("===" clauses admit all;
  // the empty set admits every version).
  const VersionRanges& ranges() const { return ranges_; }

  // True when no version can satisfy the set (packaging 26.1's is_unsatisfiable): the
  // clauses' ranges do not meet, "===" clauses disagree with each other or with the rest,
  // or pre-releases are explicitly off and only pre-releases remain.
  bool is_unsatisfiable() const;
  // Set relations between the versions two sets admit (pre-release policy aside; an
  // unsatisfiable set is a subset of every set and disjoint from every set).
  bool is_subset_of(const SpecifierSet& other) const;
  bool is_superset_of(const SpecifierSet& other) const { return other.is_subset_of(*this); }
  bool is_disjoint_from(const SpecifierSet& other) const;

  // The intersection (packaging's a & b): the clauses of both. INVALID_ARGUMENT when one
  // set explicitly allows pre-releases and the other explicitly refuses them.
  Result<SpecifierSet> combine(const SpecifierSet& other) const;

  // Equal when the sorted, de-duplicated clauses are pairwise equal; prereleases ignored.
  friend bool operator==(const SpecifierSet& a, const SpecifierSet& b);

 private:
  SpecifierSet() : ranges_(all_versions()) {}
  // The clauses sorted by their text, duplicates dropped.
  std::vector<Specifier> canonical_specs() const;
  bool has_arbitrary() const;
  // For a set with "===" clauses: the one text they all accept, if they agree.
  std::optional<std::string> arbitrary_text() const;
  bool arbitrary_unsatisfiable() const;

  std::vector<Specifier> specs_;
  std::optional<bool> prereleases_;
  VersionRanges ranges_;
};

namespace detail {

// filter() for strings and for versions: the items whose candidates select() keeps.
template <typename Spec, typename Item>
std::vector<Item> filter_items(const Spec& spec, const std::vector<Item>& items,
                               std::optional<bool> prereleases) {
  std::vector<Candidate> candidates;
  candidates.reserve(items.size());
  for (const Item& item : items) candidates.push_back(Candidate::of(item));
  std::vector<Item> out;
  for (std::size_t i : spec.select(candidates, prereleases)) out.push_back(items[i]);
  return out;
}

}  // namespace detail
}  // namespace ignite::python
