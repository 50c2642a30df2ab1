// Specifier: parsing one PEP 440 clause, its version ranges, and the pre-release rules of
// packaging 26 for contains() and filter().
#include "builder/python/specifier.h"

#include <algorithm>
#include <cassert>

#include "builder/python/ascii_text.h"

namespace ignite::python {

std::string_view op_symbol(SpecifierOp op) {
  switch (op) {
    case SpecifierOp::kCompatible:
      return "~=";
    case SpecifierOp::kEqual:
      return "==";
    case SpecifierOp::kNotEqual:
      return "!=";
    case SpecifierOp::kLessEqual:
      return "<=";
    case SpecifierOp::kGreaterEqual:
      return ">=";
    case SpecifierOp::kLess:
      return "<";
    case SpecifierOp::kGreater:
      return ">";
    case SpecifierOp::kArbitrary:
      return "===";
  }
  return "?";
}

namespace {

// The operator at the start of `text` (longest first), and its length; 0 when none.
std::size_t match_operator(std::string_view text, SpecifierOp* op) {
  static constexpr std::pair<std::string_view, SpecifierOp> kOps[] = {
      {"===", SpecifierOp::kArbitrary}, {"~=", SpecifierOp::kCompatible},
      {"==", SpecifierOp::kEqual},      {"!=", SpecifierOp::kNotEqual},
      {"<=", SpecifierOp::kLessEqual},  {">=", SpecifierOp::kGreaterEqual},
      {"<", SpecifierOp::kLess},        {">", SpecifierOp::kGreater},
  };
  for (const auto& [symbol, value] : kOps) {
    if (text.starts_with(symbol)) {
      *op = value;
      return symbol.size();
    }
  }
  return 0;
}

bool has_python_whitespace(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (python_whitespace_length(text.substr(i)) > 0) return true;
  }
  return false;
}

// "v?(N!)?N(.N)*": what may stand before ".*" in a wildcard clause.
bool is_release_prefix(std::string_view text) {
  if (!text.empty() && (text[0] == 'v' || text[0] == 'V')) text.remove_prefix(1);
  if (std::size_t bang = text.find('!'); bang != std::string_view::npos) {
    if (!is_all_digits(text.substr(0, bang))) return false;
    text.remove_prefix(bang + 1);
  }
  std::size_t start = 0;
  while (true) {
    std::size_t dot = text.find('.', start);
    std::string_view seg = text.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (!is_all_digits(seg)) return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

}  // namespace

Result<Specifier> Specifier::parse(std::string_view text, std::optional<bool> prereleases) {
  auto fail = [&](std::string why) {
    return invalid_argument("invalid specifier " + quote_text(text) + ": " + why);
  };
  std::string_view clause = trim_python_whitespace(text);
  Specifier spec;
  spec.prereleases_ = prereleases;
  std::size_t op_len = match_operator(clause, &spec.op_);
  if (op_len == 0) {
    return fail("expected an operator (~=, ==, !=, <=, >=, <, >, ===) before the version");
  }
  std::string_view version = trim_python_whitespace(clause.substr(op_len));
  spec.version_text_ = std::string(version);
  std::string op(op_symbol(spec.op_));

  if (spec.op_ == SpecifierOp::kArbitrary) {
    // "===" takes any string without whitespace, ';' or ')' (it is compared as text).
    if (has_python_whitespace(version) || version.find_first_of(";)") != std::string::npos) {
      return fail("the version after === may not hold whitespace, ';' or ')'");
    }
    Result<Version> parsed = Version::parse(version);
    if (parsed.ok()) spec.version_ = std::move(parsed).value();
    spec.ranges_ = all_versions();
    return spec;
  }

  if (version.empty()) return fail("missing version after '" + op + "'");
  if (version.ends_with(".*")) {
    if (spec.op_ != SpecifierOp::kEqual && spec.op_ != SpecifierOp::kNotEqual) {
      return fail("a wildcard (.*) is only allowed with == and !=");
    }
    std::string_view prefix = version.substr(0, version.size() - 2);
    if (!is_release_prefix(prefix)) {
      return fail("a wildcard (.*) may only follow a release number, as in ==1.4.*");
    }
    spec.wildcard_ = true;
    spec.version_ = Version::parse(prefix).value();
  } else {
    Result<Version> parsed = Version::parse(version);
    if (!parsed.ok()) return fail(parsed.status().message());
    spec.version_ = std::move(parsed).value();
    bool equality = spec.op_ == SpecifierOp::kEqual || spec.op_ == SpecifierOp::kNotEqual;
    if (spec.version_->has_local() && !equality) {
      return fail("a local version (+...) is only allowed with == and !=");
    }
    if (spec.op_ == SpecifierOp::kCompatible && spec.version_->release().size() < 2) {
      return fail("~= needs a release of at least two numbers, as in ~=1.4");
    }
  }
  spec.ranges_ = specifier_ranges(spec.op_, *spec.version_, spec.wildcard_);
  return spec;
}

std::string Specifier::to_string() const { return std::string(op_symbol(op_)) + version_text_; }

std::optional<bool> Specifier::prereleases() const {
  if (prereleases_) return prereleases_;
  if (op_ == SpecifierOp::kNotEqual) return false;
  if (op_ == SpecifierOp::kEqual && wildcard_) return false;
  if (!version_) return std::nullopt;  // "===" with text that is no version
  return version_->is_prerelease();
}

std::optional<bool> Specifier::resolve_prereleases(std::optional<bool> requested) const {
  if (requested) return requested;
  if (prereleases_) return prereleases_;
  if (prereleases() == true) return true;
  return std::nullopt;
}

Candidate Candidate::of(std::string_view text) {
  Result<Version> v = Version::parse(text);
  return Candidate{std::string(text),
                   v.ok() ? std::optional<Version>(std::move(v).value()) : std::nullopt};
}

bool Specifier::matches(const Candidate& c) const {
  if (op_ == SpecifierOp::kArbitrary) return ascii_lower(c.text) == ascii_lower(version_text_);
  return c.version && ranges_contain(ranges_, *c.version);
}

bool Specifier::contains(const Version& v, std::optional<bool> prereleases) const {
  if (op_ == SpecifierOp::kArbitrary) return contains_candidate(Candidate::of(v), prereleases);
  // The common case, without building a candidate (resolvers call this a lot).
  if (resolve_prereleases(prereleases) == false && v.is_prerelease()) return false;
  return ranges_contain(ranges_, v);
}

bool Specifier::contains(std::string_view text, std::optional<bool> prereleases) const {
  // "===" compares the text as given, not its normalized form.
  return contains_candidate(Candidate::of(text), prereleases);
}

bool Specifier::contains_candidate(const Candidate& c, std::optional<bool> prereleases) const {
  if (resolve_prereleases(prereleases) == false && c.version && c.version->is_prerelease()) {
    return false;
  }
  return matches(c);
}

std::vector<std::size_t> Specifier::select(const std::vector<Candidate>& candidates,
                                           std::optional<bool> prereleases) const {
  std::vector<std::size_t> matched;
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    if (matches(candidates[i])) matched.push_back(i);
  }
  return apply_prerelease_policy(candidates, std::move(matched), resolve_prereleases(prereleases));
}

std::vector<std::string> Specifier::filter(const std::vector<std::string>& versions,
                                           std::optional<bool> prereleases) const {
  return detail::filter_items(*this, versions, prereleases);
}

std::vector<Version> Specifier::filter_versions(const std::vector<Version>& versions,
                                                std::optional<bool> prereleases) const {
  return detail::filter_items(*this, versions, prereleases);
}

bool operator==(const Specifier& a, const Specifier& b) {
  if (a.op_ != b.op_) return false;
  if (a.op_ == SpecifierOp::kArbitrary || a.wildcard_ || b.wildcard_) {
    return a.version_text_ == b.version_text_;
  }
  // "==1.0" equals "==1.0.0"; "~=1.0" differs from "~=1.0.0" (it means something else).
  TrailingZeros zeros =
      a.op_ == SpecifierOp::kCompatible ? TrailingZeros::kKeep : TrailingZeros::kStrip;
  return canonicalize_version(*a.version_, zeros) == canonicalize_version(*b.version_, zeros);
}

std::vector<std::size_t> apply_prerelease_policy(const std::vector<Candidate>& candidates,
                                                 std::vector<std::size_t> matched,
                                                 std::optional<bool> prereleases) {
  if (prereleases == true) return matched;
  auto is_pre = [&](std::size_t i) {
    return candidates[i].version && candidates[i].version->is_prerelease();
  };
  if (!prereleases) {
    // PEP 440's default: pre-releases only when no final release matched.
    bool any_final = std::any_of(matched.begin(), matched.end(), [&](std::size_t i) {
      return candidates[i].version && !is_pre(i);
    });
    if (!any_final) return matched;
  }
  std::erase_if(matched, is_pre);
  return matched;
}

}  // namespace ignite::python
