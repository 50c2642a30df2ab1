// tags.json (packaging's tests/test_tags.py and the computed cp311 manylinux_2_36 x86_64
// list): tag generators, tag parsing and the reference target's full ordered tag list.
#include <gtest/gtest.h>

#include "builder/python/platform_tags.h"
#include "builder/python/tag.h"
#include "tests/python/vector_cases.h"

namespace ignite::python {
namespace {

using nlohmann::json;
using testing::CaseTally;
using testing::show;

json tag_strings(const std::vector<Tag>& tags) {
  json out = json::array();
  for (const Tag& t : tags) out.push_back(t.to_string());
  return out;
}

// The argument at `position`, else the keyword `name`, else null (Python's None).
json argument(const json& c, std::size_t position, const char* name) {
  const json& args = c.at("args");
  if (position < args.size()) return args[position];
  if (c.at("kwargs").contains(name)) return c.at("kwargs").at(name);
  return nullptr;
}

std::vector<std::string> strings(const json& list) { return list.get<std::vector<std::string>>(); }

TEST(TagsVectors, GeneratorCases) {
  IGNITE_LOAD_VECTORS_OR_SKIP(vectors, "tags.json");
  CaseTally tally("tags.json", "generator_cases");
  for (const json& c : vectors.at("generator_cases")) {
    std::string function = c.at("function").get<std::string>();
    std::optional<std::vector<Tag>> got;
    if (function == "pure_python_tags") {
      got = pure_python_tags(argument(c, 0, "python_version").get<std::vector<int>>());
    } else {
      // Every other generator needs its platforms; without them packaging would ask the
      // running machine, which a generator for another target cannot do.
      json platforms = argument(c, 2, "platforms");
      if (platforms.is_null()) {
        tally.leave_out(show(c), "no platforms given: packaging would use the running machine's");
        continue;
      }
      if (function == "cpython_tags") {
        json abis = argument(c, 1, "abis");
        got = cpython_tags(
            argument(c, 0, "python_version").get<std::vector<int>>(),
            abis.is_null() ? std::nullopt : std::optional<std::vector<std::string>>(strings(abis)),
            strings(platforms));
      } else if (function == "generic_tags") {
        json abis = argument(c, 1, "abis");
        if (abis.is_null()) {
          tally.leave_out(show(c), "no ABIs given: packaging would use the running interpreter's");
          continue;
        }
        got = generic_tags(argument(c, 0, "interpreter").get<std::string>(), strings(abis),
                           strings(platforms));
      } else if (function == "compatible_tags") {
        json interpreter = argument(c, 1, "interpreter");
        got = compatible_tags(argument(c, 0, "python_version").get<std::vector<int>>(),
                              interpreter.is_null()
                                  ? std::nullopt
                                  : std::optional<std::string>(interpreter.get<std::string>()),
                              strings(platforms));
      }
    }
    if (!got) {
      tally.check(false, show(c), "no generator named " + function);
      continue;
    }
    tally.check(tag_strings(*got) == c.at("expected"), show(c), "got " + show(tag_strings(*got)));
  }
}

TEST(TagsVectors, ParseTagInvalid) {
  IGNITE_LOAD_VECTORS_OR_SKIP(vectors, "tags.json");
  CaseTally tally("tags.json", "parse_tag_invalid");
  for (const json& text : vectors.at("parse_tag_invalid")) {
    Result<std::vector<Tag>> tags = parse_tag_set(text.get<std::string>());
    bool ok = !tags.ok() && tags.status().code() == Code::kInvalidArgument &&
              tags.status().message().starts_with("invalid tag '");
    tally.check(ok, show(text), tags.ok() ? "accepted" : tags.status().to_string());
  }
}

TEST(TagsVectors, ReferenceTargetCp311Manylinux236) {
  IGNITE_LOAD_VECTORS_OR_SKIP(vectors, "tags.json");
  const json& reference = vectors.at("reference_target_cp311_manylinux_2_36_x86_64");
  CaseTally tally("tags.json", "reference_target_cp311_manylinux_2_36_x86_64");
  json platforms = manylinux_platforms(2, 36, "x86_64");
  tally.check(platforms == reference.at("manylinux_platforms"), "manylinux_platforms",
              "got " + show(platforms));
  for (const auto& [name, expected] : reference.at("orders").items()) {
    PythonTarget target;  // the default: CPython 3.11 on glibc 2.36 x86_64
    bool linux_first = name.find("linux_x86_64 first") != std::string::npos;
    bool linux_last = name.find("linux_x86_64 last") != std::string::npos;
    if (!linux_first && !linux_last) {
      tally.check(false, "orders." + name, "cannot tell where linux_x86_64 goes from the name");
      continue;
    }
    target.linux_order = linux_first ? LinuxTagOrder::kLinuxFirst : LinuxTagOrder::kManylinuxFirst;
    json got = tag_strings(target_tags(target));
    std::string where;
    for (std::size_t i = 0; i < got.size() && i < expected.size(); ++i) {
      if (got[i] != expected[i]) {
        where = "first difference at " + std::to_string(i) + ": got " + show(got[i]) +
                ", expected " + show(expected[i]);
        break;
      }
    }
    tally.check(got == expected, "orders." + name,
                "got " + std::to_string(got.size()) + " tags, expected " +
                    std::to_string(expected.size()) + "; " + where);
  }
}

}  // namespace
}  // namespace ignite::python
