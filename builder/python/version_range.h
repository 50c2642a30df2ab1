// Sets of versions as sorted lists of half-open ranges [lower, upper) between "cuts".
//
// PEP 440 versions are dense: above any version V there is no next one (V+0a, V+00a, ...
// all sit just above it), and above the last post-release of a final release there is no
// first next release (1.0.0.1 > 1.0.0.0.1 > ...). So a range bound is not always a
// version; it is a cut in the version order, one of:
//   before(V)        the versions below are those < V
//   after(V)         the versions below are those <= V
//   after_release(V) the versions below are those whose epoch and release are <= V's
//   top              every version is below
// Every other bound a specifier needs reduces to these: "the end of V's local versions" is
// before(the next version after V's family), e.g. 1.0 -> before(1.0.post0.dev0). Because
// each cut has one spelling, two cuts compare as the sets of versions below them, and a
// range is empty exactly when lower >= upper: set algebra (intersection, complement,
// subset, disjointness) is then plain interval arithmetic.
#pragma once

#include <compare>
#include <optional>
#include <vector>

#include "builder/python/version.h"

namespace ignite::python {

class VersionCut {
 public:
  static VersionCut before(Version v) { return VersionCut(Kind::kBefore, std::move(v)); }
  static VersionCut after(Version v) { return VersionCut(Kind::kAfter, std::move(v)); }
  static VersionCut after_release(Version v) { return VersionCut(Kind::kAfterRelease, v.base()); }
  static VersionCut top() { return VersionCut(Kind::kTop, std::nullopt); }
  // before(0.dev0): the smallest version, so nothing is below it.
  static VersionCut bottom();

  // Above V and every V+local, below the next public version: before(V.devN+1), or
  // before(V.postN+1.dev0), or before(V.post0.dev0). V's own local part is ignored.
  static VersionCut after_locals(const Version& v);
  // Above V, V+local and every V.postN (">V" per PEP 440; V has no dev or post part):
  // before(V.aN+1.dev0) for a pre-release, after_release(V) for a final release.
  static VersionCut after_posts(const Version& v);

  // Whether v lies below the cut.
  bool below(const Version& v) const;

  // The smallest version at or above the cut that is not a pre-release, when the cut has
  // a smallest version above it; nullopt when the final releases above come arbitrarily
  // close (after(final V), after_release) or for top.
  std::optional<Version> least_final_above() const;

  friend std::strong_ordering operator<=>(const VersionCut& a, const VersionCut& b);
  friend bool operator==(const VersionCut& a, const VersionCut& b) {
    return (a <=> b) == std::strong_ordering::equal;
  }

 private:
  enum class Kind { kBefore, kAfter, kAfterRelease, kTop };
  VersionCut(Kind kind, std::optional<Version> v) : kind_(kind), v_(std::move(v)) {}

  Kind kind_;
  std::optional<Version> v_;  // absent for top
};

struct VersionRange {
  VersionCut lower;
  VersionCut upper;

  bool empty() const { return lower >= upper; }
  bool contains(const Version& v) const { return !lower.below(v) && upper.below(v); }
  // Whether some version in the range is not a pre-release.
  bool has_final() const;
};

// Sorted, disjoint, non-empty ranges.
using VersionRanges = std::vector<VersionRange>;

VersionRanges all_versions();
bool ranges_contain(const VersionRanges& ranges, const Version& v);
VersionRanges intersect(const VersionRanges& a, const VersionRanges& b);
VersionRanges complement(const VersionRanges& ranges);
// Whether every version in the ranges is a pre-release (true when there are none).
bool ranges_are_prerelease_only(const VersionRanges& ranges);

}  // namespace ignite::python
