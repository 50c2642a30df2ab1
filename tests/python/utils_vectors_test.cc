// utils.json (packaging's tests/test_utils.py): names, canonical versions, wheel and sdist
// file names.
#include <gtest/gtest.h>

#include "builder/python/dist_filename.h"
#include "builder/python/names.h"
#include "builder/python/version.h"
#include "tests/python/vector_cases.h"

namespace ignite::python {
namespace {

using nlohmann::json;
using testing::CaseTally;
using testing::show;

TEST(UtilsVectors, Names) {
  IGNITE_LOAD_VECTORS_OR_SKIP(vectors, "utils.json");
  {
    CaseTally tally("utils.json", "canonicalize_name");
    for (const json& pair : vectors.at("canonicalize_name")) {
      std::string name = pair[0].get<std::string>();
      Result<std::string> valid = canonicalize_valid_name(name);
      bool ok = canonicalize_name(name) == pair[1] && valid.ok() && *valid == pair[1];
      tally.check(ok, show(pair), "got " + canonicalize_name(name));
    }
  }
  {
    CaseTally tally("utils.json", "canonicalize_name_invalid");
    for (const json& pair : vectors.at("canonicalize_name_invalid")) {
      std::string name = pair[0].get<std::string>();
      Result<std::string> valid = canonicalize_valid_name(name);
      bool ok = !valid.ok() && valid.status().code() == Code::kInvalidArgument &&
                valid.status().message().starts_with("invalid project name '") &&
                canonicalize_name(name) == pair[1];
      tally.check(ok, show(pair), valid.ok() ? "accepted" : valid.status().to_string());
    }
  }
  CaseTally tally("utils.json", "is_normalized_name");
  for (const json& pair : vectors.at("is_normalized_name")) {
    std::string name = pair[0].get<std::string>();
    std::string normalized = pair[1].get<std::string>();
    bool ok = is_normalized_name(normalized) && is_normalized_name(name) == (name == normalized);
    tally.check(ok, show(pair));
  }
}

TEST(UtilsVectors, CanonicalizeVersion) {
  IGNITE_LOAD_VECTORS_OR_SKIP(vectors, "utils.json");
  CaseTally tally("utils.json", "canonicalize_version");
  for (const json& pair : vectors.at("canonicalize_version")) {
    std::string got = canonicalize_version(pair[0].get<std::string>());
    tally.check(got == pair[1], show(pair), "got " + got);
  }
}

TEST(UtilsVectors, WheelFilenames) {
  IGNITE_LOAD_VECTORS_OR_SKIP(vectors, "utils.json");
  {
    CaseTally tally("utils.json", "parse_wheel_filename");
    for (const json& c : vectors.at("parse_wheel_filename")) {
      Result<WheelFilename> w = WheelFilename::parse(c.at("filename").get<std::string>());
      if (!w.ok()) {
        tally.check(false, show(c), w.status().to_string());
        continue;
      }
      json build = json::array();
      if (w->build) build = json::array({json::parse(w->build->number), w->build->suffix});
      json tags = json::array();
      for (const Tag& t : w->tags) tags.push_back(t.to_string());
      json got = {{"filename", c.at("filename")},
                  {"name", w->name},
                  {"version", w->version.to_string()},
                  {"build", build},
                  {"tags", tags}};
      tally.check(got == c, show(c), "got " + show(got));
    }
  }
  {
    CaseTally tally("utils.json", "wheel_invalid");
    for (const json& text : vectors.at("wheel_invalid")) {
      Result<WheelFilename> w = WheelFilename::parse(text.get<std::string>());
      bool ok = !w.ok() && w.status().code() == Code::kInvalidArgument &&
                w.status().message().starts_with("invalid wheel filename '");
      tally.check(ok, show(text), w.ok() ? "accepted" : w.status().to_string());
    }
  }
  CaseTally tally("utils.json", "wheel_unsorted_tags");
  for (const json& text : vectors.at("wheel_unsorted_tags")) {
    Result<WheelFilename> relaxed = WheelFilename::parse(text.get<std::string>());
    Result<WheelFilename> strict = WheelFilename::parse(text.get<std::string>(), TagOrder::kSorted);
    bool ok = relaxed.ok() && !strict.ok() && strict.status().code() == Code::kInvalidArgument &&
              strict.status().message().find("sorted order") != std::string::npos;
    tally.check(ok, show(text), strict.ok() ? "accepted when sorting is required" : "");
  }
}

TEST(UtilsVectors, SdistFilenames) {
  IGNITE_LOAD_VECTORS_OR_SKIP(vectors, "utils.json");
  {
    CaseTally tally("utils.json", "parse_sdist_filename");
    for (const json& c : vectors.at("parse_sdist_filename")) {
      Result<SdistFilename> s = SdistFilename::parse(c[0].get<std::string>());
      bool ok = s.ok() && s->name == c[1] && s->version.to_string() == c[2];
      tally.check(ok, show(c),
                  s.ok() ? s->name + " " + s->version.to_string() : s.status().to_string());
    }
  }
  CaseTally tally("utils.json", "sdist_invalid");
  for (const json& text : vectors.at("sdist_invalid")) {
    Result<SdistFilename> s = SdistFilename::parse(text.get<std::string>());
    bool ok = !s.ok() && s.status().code() == Code::kInvalidArgument &&
              s.status().message().starts_with("invalid sdist filename '");
    tally.check(ok, show(text), s.ok() ? "accepted" : s.status().to_string());
  }
}

}  // namespace
}  // namespace ignite::python
