// Version: normalized form, accessors and the PEP 440 total order.
#include "builder/python/version.h"

#include "builder/python/ascii_text.h"

namespace ignite::python {

std::strong_ordering compare_digits(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return a.size() <=> b.size();
  int c = a.compare(b);
  return c < 0 ? std::strong_ordering::less
               : (c > 0 ? std::strong_ordering::greater : std::strong_ordering::equal);
}

std::string increment_digits(std::string_view n) {
  std::string out(n);
  for (std::size_t i = out.size(); i-- > 0;) {
    if (out[i] != '9') {
      ++out[i];
      return out;
    }
    out[i] = '0';
  }
  return "1" + out;
}

namespace {

// Release segments with trailing zeros dropped (at least one segment kept): "1.0.0" and
// "1" are the same release.
std::size_t trimmed_release_size(const std::vector<std::string>& release) {
  std::size_t n = release.size();
  while (n > 1 && release[n - 1] == "0") --n;
  return n;
}

std::strong_ordering compare_releases(const std::vector<std::string>& a,
                                      const std::vector<std::string>& b) {
  std::size_t na = trimmed_release_size(a), nb = trimmed_release_size(b);
  for (std::size_t i = 0; i < na && i < nb; ++i) {
    if (auto c = compare_digits(a[i], b[i]); c != 0) return c;
  }
  return na <=> nb;
}

// An optional number that sorts as -infinity or +infinity when absent.
std::strong_ordering compare_optional_digits(const std::optional<std::string>& a,
                                             const std::optional<std::string>& b,
                                             bool absent_is_high) {
  if (a && b) return compare_digits(*a, *b);
  if (!a && !b) return std::strong_ordering::equal;
  std::strong_ordering absent =
      absent_is_high ? std::strong_ordering::greater : std::strong_ordering::less;
  return a ? 0 <=> absent : absent;
}

int label_rank(std::string_view label) { return label == "a" ? 0 : (label == "b" ? 1 : 2); }

// packaging's _cmpkey pre part: a dev-only release (no pre, no post) sorts before every
// pre-release of its release (-1); no pre-release sorts after them all (+1).
std::strong_ordering compare_pre(const Version& a, const Version& b) {
  auto rank = [](const Version& v) {
    if (v.pre()) return 0;
    if (!v.post() && v.dev()) return -1;
    return 1;
  };
  int ra = rank(a), rb = rank(b);
  if (ra != rb || ra != 0) return ra <=> rb;
  if (auto c = label_rank(a.pre()->label) <=> label_rank(b.pre()->label); c != 0) return c;
  return compare_digits(a.pre()->number, b.pre()->number);
}

// Local segments: numeric ones sort above alphanumeric ones, numbers numerically, strings
// lexically; a shorter run that is a prefix of a longer one sorts first.
std::strong_ordering compare_local(const std::vector<std::string>& a,
                                   const std::vector<std::string>& b) {
  for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) {
    bool na = is_all_digits(a[i]), nb = is_all_digits(b[i]);
    std::strong_ordering c = std::strong_ordering::equal;
    if (na && nb) {
      c = compare_digits(a[i], b[i]);
    } else if (na != nb) {
      c = na ? std::strong_ordering::greater : std::strong_ordering::less;
    } else {
      int r = a[i].compare(b[i]);
      c = r <=> 0;
    }
    if (c != 0) return c;
  }
  return a.size() <=> b.size();
}

std::string join(const std::vector<std::string>& parts, char sep) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i) out += sep;
    out += parts[i];
  }
  return out;
}

void hash_mix(std::size_t& h, std::string_view s) {
  h ^= std::hash<std::string_view>{}(s) + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
}

}  // namespace

std::strong_ordering operator<=>(const Version& a, const Version& b) {
  if (auto c = compare_digits(a.epoch_, b.epoch_); c != 0) return c;
  if (auto c = compare_releases(a.release_, b.release_); c != 0) return c;
  if (auto c = compare_pre(a, b); c != 0) return c;
  if (auto c = compare_optional_digits(a.post_, b.post_, /*absent_is_high=*/false); c != 0) {
    return c;
  }
  if (auto c = compare_optional_digits(a.dev_, b.dev_, /*absent_is_high=*/true); c != 0) {
    return c;
  }
  // No local part sorts before any local part (an empty list is a prefix of every list).
  return compare_local(a.local_, b.local_);
}

std::size_t Version::hash() const {
  std::size_t h = 0;
  hash_mix(h, epoch_);
  for (std::size_t i = 0; i < trimmed_release_size(release_); ++i) hash_mix(h, release_[i]);
  hash_mix(h, pre_ ? pre_->label + pre_->number : "~");
  hash_mix(h, post_ ? *post_ : "~");
  hash_mix(h, dev_ ? *dev_ : "~");
  for (const std::string& s : local_) hash_mix(h, s);
  return h;
}

std::string Version::public_version() const {
  std::string out = base_version();
  if (pre_) out += pre_->label + pre_->number;
  if (post_) out += ".post" + *post_;
  if (dev_) out += ".dev" + *dev_;
  return out;
}

std::string Version::base_version() const {
  std::string out;
  if (epoch_ != "0") out += epoch_ + "!";
  out += join(release_, '.');
  return out;
}

std::string Version::to_string() const {
  std::string out = public_version();
  if (!local_.empty()) out += "+" + join(local_, '.');
  return out;
}

std::optional<std::string> Version::local() const {
  if (local_.empty()) return std::nullopt;
  return join(local_, '.');
}

std::string Version::release_segment(std::size_t index) const {
  return index < release_.size() ? release_[index] : "0";
}

Version Version::without_local() const {
  Version v = *this;
  v.local_.clear();
  return v;
}

Version Version::base() const {
  Version v;
  v.epoch_ = epoch_;
  v.release_ = release_;
  return v;
}

VersionParts Version::parts() const {
  return VersionParts{epoch_, release_, pre_, post_, dev_, local_};
}

Result<Version> Version::from_parts(VersionParts parts) {
  auto fail = [](std::string why) { return invalid_argument("building a version: " + why); };
  auto number = [&](std::string& n, std::string_view what) -> Status {
    if (!is_all_digits(n))
      return fail(std::string(what) + " " + quote_text(n) + " is not a number");
    n = strip_leading_zeros(n);
    return ok_status();
  };
  Version v;
  IGNITE_RETURN_IF_ERROR(number(parts.epoch, "epoch"));
  v.epoch_ = parts.epoch;
  if (parts.release.empty()) return fail("the release has no segment");
  for (std::string& n : parts.release) IGNITE_RETURN_IF_ERROR(number(n, "release segment"));
  v.release_ = std::move(parts.release);
  if (parts.pre) {
    if (parts.pre->label != "a" && parts.pre->label != "b" && parts.pre->label != "rc") {
      return fail("pre-release label " + quote_text(parts.pre->label) +
                  " is not one of 'a', 'b', 'rc'");
    }
    IGNITE_RETURN_IF_ERROR(number(parts.pre->number, "pre-release number"));
  }
  v.pre_ = std::move(parts.pre);
  if (parts.post) IGNITE_RETURN_IF_ERROR(number(*parts.post, "post-release number"));
  v.post_ = std::move(parts.post);
  if (parts.dev) IGNITE_RETURN_IF_ERROR(number(*parts.dev, "dev-release number"));
  v.dev_ = std::move(parts.dev);
  for (std::string& seg : parts.local) {
    bool ok = !seg.empty();
    for (char c : seg) ok = ok && (is_ascii_digit(c) || is_ascii_lower(c));
    if (!ok) return fail("local segment " + quote_text(seg) + " is not lowercase [a-z0-9]+");
    if (is_all_digits(seg)) seg = strip_leading_zeros(seg);
  }
  v.local_ = std::move(parts.local);
  return v;
}

}  // namespace ignite::python

namespace ignite::python {

std::string canonicalize_version(const Version& v, TrailingZeros zeros) {
  if (zeros == TrailingZeros::kKeep) return v.to_string();
  VersionParts p = v.parts();
  p.release.resize(trimmed_release_size(p.release));
  Result<Version> trimmed = Version::from_parts(std::move(p));
  return trimmed.ok() ? trimmed->to_string() : v.to_string();
}

std::string canonicalize_version(std::string_view text, TrailingZeros zeros) {
  Result<Version> v = Version::parse(text);
  if (!v.ok()) return std::string(text);
  return canonicalize_version(*v, zeros);
}

}  // namespace ignite::python
