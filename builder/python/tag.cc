#include "builder/python/tag.h"

#include <algorithm>
#include <set>

#include "builder/python/ascii_text.h"
#include "builder/python/unicode_text.h"

namespace ignite::python {
namespace {

std::vector<std::string_view> split(std::string_view text, char sep) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    std::size_t pos = text.find(sep, start);
    parts.push_back(text.substr(start, pos == std::string_view::npos ? pos : pos - start));
    if (pos == std::string_view::npos) return parts;
    start = pos + 1;
  }
}

}  // namespace

Tag Tag::make(std::string_view interpreter, std::string_view abi, std::string_view platform) {
  return Tag{ascii_lower(interpreter), ascii_lower(abi), ascii_lower(platform)};
}

Result<Tag> Tag::parse(std::string_view text) {
  IGNITE_ASSIGN_OR_RETURN(std::vector<Tag> tags, parse_tag_set(text));
  if (tags.size() != 1) {
    return invalid_argument("invalid tag " + quote_text(text) + ": it is a compressed set of " +
                            std::to_string(tags.size()) + " tags, not one tag");
  }
  return tags.front();
}

Result<std::vector<Tag>> parse_tag_set(std::string_view text, TagOrder order, std::size_t limit) {
  auto fail = [&](std::string why) {
    return invalid_argument("invalid tag " + quote_text(text) + ": " + why);
  };
  std::vector<std::vector<std::string_view>> components;
  for (std::string_view component : split(text, '-')) {
    std::vector<std::string_view> parts = split(component, '.');
    if (std::find(parts.begin(), parts.end(), std::string_view()) != parts.end()) {
      return fail("empty component " + quote_text(component));
    }
    if (order == TagOrder::kSorted && !std::is_sorted(parts.begin(), parts.end())) {
      return fail("component " + quote_text(component) +
                  " is not in sorted order as PEP 425 requires");
    }
    components.push_back(std::move(parts));
  }
  // Checked before the count so that "a-b-c-d.e..." cannot build a huge product either.
  std::size_t count = 1;
  for (const auto& parts : components) {
    if (parts.size() > limit || count * parts.size() > limit) {
      return resource_exhausted("invalid tag " + quote_text(text) +
                                ": the compressed set expands to more than " +
                                std::to_string(limit) + " tags");
    }
    count *= parts.size();
  }
  if (components.size() != 3) {
    return fail("expected three parts, interpreter-abi-platform, found " +
                std::to_string(components.size()));
  }
  for (std::string_view interpreter : components[0]) {
    if (!is_identifier(interpreter)) {
      return fail("interpreter " + quote_text(interpreter) + " is not an identifier");
    }
  }
  std::set<Tag> tags;
  for (std::string_view interpreter : components[0]) {
    for (std::string_view abi : components[1]) {
      for (std::string_view platform : components[2]) {
        tags.insert(Tag::make(interpreter, abi, platform));
      }
    }
  }
  return std::vector<Tag>(tags.begin(), tags.end());
}

std::string compress_tag_set(const std::vector<Tag>& tags) {
  std::set<std::string> interpreters, abis, platforms;
  for (const Tag& t : tags) {
    interpreters.insert(t.interpreter);
    abis.insert(t.abi);
    platforms.insert(t.platform);
  }
  auto join = [](const std::set<std::string>& values) {
    std::string out;
    for (const std::string& v : values) out += (out.empty() ? "" : ".") + v;
    return out;
  };
  return join(interpreters) + "-" + join(abis) + "-" + join(platforms);
}

}  // namespace ignite::python
