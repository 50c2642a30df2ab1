// The versions each PEP 440 operator admits, as ranges of cuts (version_range.h).
// The rules follow the spec's wording as packaging 26 reads it:
//   ==V      V and V+anything (unless V has a local part: then exactly V)
//   ==V.*    [V.dev0, next-prefix.dev0), e.g. ==1.2.* is [1.2.dev0, 1.3.dev0)
//   ~=V.N    [V.N, V+1.dev0), e.g. ~=1.4.2 is [1.4.2, 1.5.dev0)
//   <=V      up to and including V+anything
//   <V       below V.dev0 when V is final (no pre-release of V), below V otherwise
//   >V       above V's family: V+local and every V.postN are out, unless V is itself a
//            post- or dev-release (then the next real one, V.postN+1.dev0 or V.devN+1)
//   !=       the complement of the matching ==
#include <cassert>

#include "builder/python/specifier.h"

namespace ignite::python {
namespace {

Version build(VersionParts parts) {
  Result<Version> v = Version::from_parts(std::move(parts));
  assert(v.ok());
  return std::move(v).value();
}

// E.dev0 of V's epoch and release: 1!1.2 -> 1!1.2.dev0.
Version release_dev0(const Version& v, std::vector<std::string> release) {
  VersionParts p;
  p.epoch = v.epoch();
  p.release = std::move(release);
  p.dev = "0";
  return build(std::move(p));
}

// The first version of the next prefix: release 1.2 -> 1.3.dev0.
Version next_prefix_dev0(const Version& v, std::vector<std::string> release) {
  release.back() = increment_digits(release.back());
  return release_dev0(v, std::move(release));
}

VersionRanges one_range(VersionCut lower, VersionCut upper) {
  VersionRange r{std::move(lower), std::move(upper)};
  if (r.empty()) return {};
  return {std::move(r)};
}

}  // namespace

VersionRanges specifier_ranges(SpecifierOp op, const Version& v, bool wildcard) {
  const VersionCut bottom = VersionCut::bottom();
  const VersionCut top = VersionCut::top();
  if (wildcard) {
    VersionRanges eq = one_range(VersionCut::before(release_dev0(v, v.release())),
                                 VersionCut::before(next_prefix_dev0(v, v.release())));
    return op == SpecifierOp::kNotEqual ? complement(eq) : eq;
  }
  switch (op) {
    case SpecifierOp::kArbitrary:
      return all_versions();
    case SpecifierOp::kGreaterEqual:
      return one_range(VersionCut::before(v), top);
    case SpecifierOp::kLessEqual:
      return one_range(bottom, VersionCut::after_locals(v));
    case SpecifierOp::kGreater:
      return one_range(VersionCut::after_posts(v), top);
    case SpecifierOp::kLess: {
      if (v.is_prerelease()) return one_range(bottom, VersionCut::before(v));
      VersionParts p = v.parts();
      p.dev = "0";
      p.local.clear();
      return one_range(bottom, VersionCut::before(build(std::move(p))));
    }
    case SpecifierOp::kEqual:
    case SpecifierOp::kNotEqual: {
      VersionCut upper = v.has_local() ? VersionCut::after(v) : VersionCut::after_locals(v);
      VersionRanges eq = one_range(VersionCut::before(v), std::move(upper));
      return op == SpecifierOp::kNotEqual ? complement(eq) : eq;
    }
    case SpecifierOp::kCompatible: {
      std::vector<std::string> prefix = v.release();
      prefix.pop_back();
      return one_range(VersionCut::before(v), VersionCut::before(next_prefix_dev0(v, prefix)));
    }
  }
  return {};
}

}  // namespace ignite::python
