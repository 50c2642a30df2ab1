// Distribution file names: wheels (PEP 427 / the binary distribution format) and sdists
// (the source distribution format), parsed as packaging.utils does.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "builder/python/tag.h"
#include "builder/python/version.h"
#include "builder/util/status.h"

namespace ignite::python {

// A wheel's optional build tag: leading digits, then any text ("1000abc" -> 1000, "abc").
// Wheels of one version sort by it, number first, then text.
struct BuildTag {
  std::string number;  // decimal digits without leading zeros
  std::string suffix;
  friend std::strong_ordering operator<=>(const BuildTag& a, const BuildTag& b);
  friend bool operator==(const BuildTag&, const BuildTag&) = default;
};

struct WheelFilename {
  std::string name;  // canonicalized (PEP 503), e.g. "some-package"
  Version version;
  std::optional<BuildTag> build;
  std::vector<Tag> tags;  // sorted, without duplicates

  // "{name}-{version}[-{build}]-{interpreters}-{abis}-{platforms}.whl". The name part may
  // hold Unicode letters and digits, '_' and '.', but no "__"; the tag set may be
  // compressed. INVALID_ARGUMENT "invalid wheel filename '<f>': <reason>".
  // TagOrder::kSorted also refuses compressed components out of order.
  static Result<WheelFilename> parse(std::string_view filename, TagOrder order = TagOrder::kAny);
};

struct SdistFilename {
  std::string name;  // canonicalized
  Version version;

  // "{name}-{version}.tar.gz" or ".zip", split at the last '-'.
  // INVALID_ARGUMENT "invalid sdist filename '<f>': <reason>".
  static Result<SdistFilename> parse(std::string_view filename);
};

}  // namespace ignite::python
