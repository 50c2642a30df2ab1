// PEP 440 versions: parsing with normalization, accessors, total order.
//
// A Version holds its parts already normalized the way pypa/packaging does: numbers as
// decimal digit strings without leading zeros (so "2" and "00002" are one number, and a
// 40-digit release segment compares correctly: no int64 anywhere), the pre-release label
// spelled "a", "b" or "rc", the local part lowercased with '.' separators.
//
// Order (PEP 440): epoch, then release (trailing zeros ignored, "1.0" == "1.0.0"), then
// dev-only < pre-release < final < post-release, with .devN sorting before the version it
// is attached to; a local version sorts after its public version, local segments compare
// numeric-before-alpha, numerically or lexically.
#pragma once

#include <compare>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "builder/util/status.h"

namespace ignite::python {

// The pre-release part: label "a", "b" or "rc", and its number (digits, no leading zeros).
struct PreRelease {
  std::string label;
  std::string number;
  friend bool operator==(const PreRelease&, const PreRelease&) = default;
};

// The parts of a version, for building one from pieces (packaging's Version.from_parts).
// Numbers are decimal digit strings; leading zeros are dropped when the Version is built.
struct VersionParts {
  std::string epoch = "0";
  std::vector<std::string> release;  // at least one segment
  std::optional<PreRelease> pre;     // label "a", "b" or "rc"
  std::optional<std::string> post;
  std::optional<std::string> dev;
  std::vector<std::string> local;  // segments of [a-z0-9]
};

class Version {
 public:
  // Accepts what packaging.version.Version accepts: surrounding whitespace, a leading "v",
  // any case, '.', '-' and '_' separators, alternate spellings ("alpha", "c", "pre",
  // "preview", "rev", "r", "1.0-1"), implicit numbers ("1.0a" == "1.0a0").
  // INVALID_ARGUMENT "invalid version 'text': <reason>" otherwise.
  static Result<Version> parse(std::string_view text);

  // Checks the parts (digits where numbers belong, a known label, lowercase alphanumeric
  // local segments) and builds the version; INVALID_ARGUMENT naming the bad part.
  static Result<Version> from_parts(VersionParts parts);
  VersionParts parts() const;

  // The normalized form, e.g. "1!2.0rc1.post2.dev3+ubuntu.1". parse(to_string()) == *this.
  std::string to_string() const;

  // Parts, normalized. Numbers are decimal digit strings without leading zeros ("0" for 0).
  const std::string& epoch() const { return epoch_; }
  const std::vector<std::string>& release() const { return release_; }
  const std::optional<PreRelease>& pre() const { return pre_; }
  const std::optional<std::string>& post() const { return post_; }
  const std::optional<std::string>& dev() const { return dev_; }
  // Local segments, each all digits (no leading zeros) or lowercase alphanumerics; empty
  // when there is no local part.
  const std::vector<std::string>& local_segments() const { return local_; }
  // The local part as written after '+' in to_string(), or nullopt.
  std::optional<std::string> local() const;

  // Release segments 0, 1, 2, or "0" past the end (packaging's major/minor/micro).
  std::string major() const { return release_segment(0); }
  std::string minor() const { return release_segment(1); }
  std::string micro() const { return release_segment(2); }
  std::string release_segment(std::size_t index) const;

  // to_string() without the local part, e.g. "1.0.post1".
  std::string public_version() const;
  // Epoch and release only, e.g. "1!2.0".
  std::string base_version() const;

  // A dev release counts as a pre-release (packaging's is_prerelease).
  bool is_prerelease() const { return pre_.has_value() || dev_.has_value(); }
  bool is_postrelease() const { return post_.has_value(); }
  bool is_devrelease() const { return dev_.has_value(); }
  bool has_local() const { return !local_.empty(); }

  // The same version without its local part.
  Version without_local() const;
  // Epoch and release only (drops pre, post, dev and local).
  Version base() const;

  friend std::strong_ordering operator<=>(const Version& a, const Version& b);
  friend bool operator==(const Version& a, const Version& b) {
    return (a <=> b) == std::strong_ordering::equal;
  }

  // Consistent with ==: trailing zero release segments do not change the hash.
  std::size_t hash() const;

 private:
  Version() = default;
  friend class VersionParser;

  std::string epoch_ = "0";
  std::vector<std::string> release_;
  std::optional<PreRelease> pre_;
  std::optional<std::string> post_;
  std::optional<std::string> dev_;
  std::vector<std::string> local_;
};

// packaging.utils.canonicalize_version: the normalized form, with trailing zero release
// segments dropped unless kKeep ("1.0.0" -> "1", "1.0+abc" -> "1+abc").
enum class TrailingZeros { kStrip, kKeep };
std::string canonicalize_version(const Version& v, TrailingZeros zeros = TrailingZeros::kStrip);
// The same for text; text that is no valid version comes back unchanged.
std::string canonicalize_version(std::string_view text,
                                 TrailingZeros zeros = TrailingZeros::kStrip);

// Compares two decimal digit strings without leading zeros as numbers.
std::strong_ordering compare_digits(std::string_view a, std::string_view b);
// n + 1 for a decimal digit string without leading zeros ("9" -> "10").
std::string increment_digits(std::string_view n);

}  // namespace ignite::python

template <>
struct std::hash<ignite::python::Version> {
  std::size_t operator()(const ignite::python::Version& v) const noexcept { return v.hash(); }
};
