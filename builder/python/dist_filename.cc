#include "builder/python/dist_filename.h"

#include <algorithm>

#include "builder/python/ascii_text.h"
#include "builder/python/names.h"
#include "builder/python/unicode_text.h"

namespace ignite::python {

std::strong_ordering operator<=>(const BuildTag& a, const BuildTag& b) {
  if (auto c = compare_digits(a.number, b.number); c != 0) return c;
  return a.suffix <=> b.suffix;
}

namespace {

// The wheel name rule: non-empty, Python's \w or '.', and no "__" (the escaped name may
// not hold a run of separators).
std::optional<std::string> wheel_name_error(std::string_view name) {
  if (name.empty()) return "the project name is empty";
  if (name.find("__") != std::string_view::npos) return "the project name holds '__'";
  for (std::string_view rest = name; !rest.empty();) {
    DecodedChar d = decode_utf8(rest);
    if (d.length == 0 || (d.code_point != '.' && !is_word_char(d.code_point))) {
      return "the project name may only hold letters, digits, '_' and '.'";
    }
    rest.remove_prefix(d.length);
  }
  return std::nullopt;
}

}  // namespace

Result<WheelFilename> WheelFilename::parse(std::string_view filename, TagOrder order) {
  auto fail = [&](std::string why) {
    return invalid_argument("invalid wheel filename " + quote_text(filename) + ": " + why);
  };
  if (!filename.ends_with(".whl")) return fail("the extension must be '.whl'");
  std::string_view stem = filename.substr(0, filename.size() - 4);
  std::size_t dashes = std::count(stem.begin(), stem.end(), '-');
  if (dashes != 4 && dashes != 5) {
    return fail("expected 5 or 6 '-'-separated parts, name-version[-build]-python-abi-platform");
  }
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  for (std::size_t i = 0; i + 2 < dashes; ++i) {
    std::size_t dash = stem.find('-', start);
    parts.push_back(stem.substr(start, dash - start));
    start = dash + 1;
  }
  std::string_view tag_text = stem.substr(start);

  if (auto error = wheel_name_error(parts[0])) return fail(*error);
  Result<Version> version = Version::parse(parts[1]);
  if (!version.ok()) return fail(version.status().message());

  std::optional<BuildTag> build;
  if (dashes == 5) {
    std::string_view b = parts[2];
    std::size_t digits = 0;
    while (digits < b.size() && is_ascii_digit(b[digits])) ++digits;
    if (digits == 0) return fail("the build tag " + quote_text(b) + " must start with a digit");
    build = BuildTag{strip_leading_zeros(b.substr(0, digits)), std::string(b.substr(digits))};
  }
  Result<std::vector<Tag>> tags = parse_tag_set(tag_text, order);
  if (!tags.ok()) return fail(tags.status().message());
  return WheelFilename{canonicalize_name(parts[0]), std::move(version).value(), build,
                       std::move(tags).value()};
}

Result<SdistFilename> SdistFilename::parse(std::string_view filename) {
  auto fail = [&](std::string why) {
    return invalid_argument("invalid sdist filename " + quote_text(filename) + ": " + why);
  };
  std::string_view stem;
  if (filename.ends_with(".tar.gz")) {
    stem = filename.substr(0, filename.size() - 7);
  } else if (filename.ends_with(".zip")) {
    stem = filename.substr(0, filename.size() - 4);
  } else {
    return fail("the extension must be '.tar.gz' or '.zip'");
  }
  // A PEP 440 version holds no '-', so the name ends at the last one.
  std::size_t dash = stem.rfind('-');
  if (dash == std::string_view::npos) return fail("expected name-version, found no '-'");
  if (dash == 0) return fail("the project name is empty");
  Result<Version> version = Version::parse(stem.substr(dash + 1));
  if (!version.ok()) return fail(version.status().message());
  return SdistFilename{canonicalize_name(stem.substr(0, dash)), std::move(version).value()};
}

}  // namespace ignite::python
