#include "builder/python/version_range.h"

#include <algorithm>
#include <cassert>
#include <utility>

namespace ignite::python {
namespace {

// Builds a version from parts known to be valid (numbers derived from a parsed version).
Version build(VersionParts parts) {
  Result<Version> v = Version::from_parts(std::move(parts));
  assert(v.ok());
  return std::move(v).value();
}

// The smallest final release at or above v: v itself when final; otherwise its release
// (for a pre-release: 1.0a1.post1 -> 1.0) or v without .devN (1.0.post1.dev2 -> 1.0.post1).
Version least_final_at_or_above(const Version& v) {
  if (!v.is_prerelease()) return v;
  if (v.pre()) return v.base();
  VersionParts p = v.parts();
  p.dev.reset();
  p.local.clear();
  return build(std::move(p));
}

}  // namespace

VersionCut VersionCut::bottom() {
  static const Version kMin = Version::parse("0.dev0").value();
  return before(kMin);
}

VersionCut VersionCut::after_locals(const Version& v) {
  VersionParts p = v.parts();
  p.local.clear();
  if (p.dev) {
    p.dev = increment_digits(*p.dev);
  } else {
    p.post = p.post ? increment_digits(*p.post) : "0";
    p.dev = "0";
  }
  return before(build(std::move(p)));
}

VersionCut VersionCut::after_posts(const Version& v) {
  if (v.dev() || v.post()) return after_locals(v);
  if (!v.pre()) return after_release(v);
  VersionParts p = v.parts();
  p.local.clear();
  p.pre->number = increment_digits(p.pre->number);
  p.dev = "0";
  return before(build(std::move(p)));
}

bool VersionCut::below(const Version& v) const {
  switch (kind_) {
    case Kind::kBefore:
      return v < *v_;
    case Kind::kAfter:
      return v <= *v_;
    case Kind::kAfterRelease:
      return v.base() <= *v_;
    case Kind::kTop:
      return true;
  }
  return true;
}

std::optional<Version> VersionCut::least_final_above() const {
  switch (kind_) {
    case Kind::kBefore:
      return least_final_at_or_above(*v_);
    case Kind::kAfter:
      // Above a final V come V+0a... arbitrarily close: no least one.
      if (!v_->is_prerelease()) return std::nullopt;
      return least_final_at_or_above(*v_);
    case Kind::kAfterRelease:
    case Kind::kTop:
      return std::nullopt;
  }
  return std::nullopt;
}

std::strong_ordering operator<=>(const VersionCut& a, const VersionCut& b) {
  using Kind = VersionCut::Kind;
  using std::strong_ordering;
  bool a_top = a.kind_ == Kind::kTop, b_top = b.kind_ == Kind::kTop;
  if (a_top || b_top) return a_top <=> b_top;
  if (a.kind_ == b.kind_) return *a.v_ <=> *b.v_;  // after_release holds the base version
  // Cuts of different kinds never coincide (see the header), so the answer is < or >.
  const Version& av = *a.v_;
  const Version& bv = *b.v_;
  auto flip = [](strong_ordering o) { return 0 <=> o; };
  if (a.kind_ == Kind::kBefore && b.kind_ == Kind::kAfter) {
    return av <= bv ? strong_ordering::less : strong_ordering::greater;
  }
  if (a.kind_ == Kind::kAfter && b.kind_ == Kind::kBefore) return flip(b <=> a);
  if (a.kind_ == Kind::kAfterRelease) {
    // after_release(R) against before(V) or after(V): it lies below V's cut exactly when
    // V's release is above R.
    return bv.base() > av ? strong_ordering::less : strong_ordering::greater;
  }
  return flip(b <=> a);
}

bool VersionRange::has_final() const {
  if (empty()) return false;
  if (std::optional<Version> f = lower.least_final_above()) return upper.below(*f);
  // No least final above the lower cut: finals come arbitrarily close above it, and the
  // range is not empty, so one of them lies inside.
  return true;
}

VersionRanges all_versions() { return {VersionRange{VersionCut::bottom(), VersionCut::top()}}; }

bool ranges_contain(const VersionRanges& ranges, const Version& v) {
  for (const VersionRange& r : ranges) {
    if (r.contains(v)) return true;
  }
  return false;
}

VersionRanges intersect(const VersionRanges& a, const VersionRanges& b) {
  VersionRanges out;
  std::size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    VersionRange r{std::max(a[i].lower, b[j].lower), std::min(a[i].upper, b[j].upper)};
    if (!r.empty()) out.push_back(std::move(r));
    if (a[i].upper < b[j].upper) {
      ++i;
    } else {
      ++j;
    }
  }
  return out;
}

VersionRanges complement(const VersionRanges& ranges) {
  VersionRanges out;
  VersionCut cur = VersionCut::bottom();
  for (const VersionRange& r : ranges) {
    if (cur < r.lower) out.push_back(VersionRange{cur, r.lower});
    cur = r.upper;
  }
  if (cur < VersionCut::top()) out.push_back(VersionRange{cur, VersionCut::top()});
  return out;
}

bool ranges_are_prerelease_only(const VersionRanges& ranges) {
  return std::none_of(ranges.begin(), ranges.end(),
                      [](const VersionRange& r) { return r.has_final(); });
}

}  // namespace ignite::python
