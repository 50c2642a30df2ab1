// Wheel platform tags (PEP 425): "interpreter-abi-platform" triples, and the compressed
// tag sets of wheel file names ("py2.py3-none-any" is two tags).
#pragma once

#include <compare>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "builder/util/status.h"

namespace ignite::python {

struct Tag {
  std::string interpreter;  // "cp311", "py3"
  std::string abi;          // "cp311", "abi3", "none"
  std::string platform;     // "manylinux_2_17_x86_64", "any"

  // Lowercases the three parts, as packaging's Tag does.
  static Tag make(std::string_view interpreter, std::string_view abi, std::string_view platform);
  // One tag, e.g. "py3-none-any"; a compressed set is refused (see parse_tag_set).
  static Result<Tag> parse(std::string_view text);

  std::string to_string() const { return interpreter + "-" + abi + "-" + platform; }
  friend auto operator<=>(const Tag&, const Tag&) = default;
};

// Whether parse_tag_set checks that each '.'-separated component list is sorted, as PEP
// 425 asks of compressed tag sets (packaging's validate_order).
enum class TagOrder { kAny, kSorted };

// Expands a compressed tag set, e.g. "cp311-abi3-manylinux_2_17_x86_64.manylinux2014_x86_64",
// into its tags, sorted and without duplicates. Refused with INVALID_ARGUMENT "invalid tag
// '<text>': <reason>" when a component is empty, there are not exactly three parts, an
// interpreter is not an identifier, or (TagOrder::kSorted) a component list is unsorted;
// RESOURCE_EXHAUSTED when the set would expand to more than `limit` tags.
inline constexpr std::size_t kDefaultTagSetLimit = 4096;
Result<std::vector<Tag>> parse_tag_set(std::string_view text, TagOrder order = TagOrder::kAny,
                                       std::size_t limit = kDefaultTagSetLimit);

// The compressed form of a set of tags: each part's distinct values sorted and joined with
// '.' (packaging's compose_wheel_filename); the inverse of parse_tag_set for sets that are
// a full product.
std::string compress_tag_set(const std::vector<Tag>& tags);

}  // namespace ignite::python
