// markers.json (packaging's tests/test_markers.py) against ignite::python::Marker. Every
// case runs; the evaluations are merged over the default target environment, as packaging
// merges them over the running interpreter's.
#include <gtest/gtest.h>

#include "builder/python/environment.h"
#include "builder/python/marker.h"
#include "tests/python/vector_cases.h"

namespace ignite::python {
namespace {

using nlohmann::json;
using testing::CaseTally;
using testing::show;

// The default target with the case's values on top (arrays are set-valued keys).
Environment environment_for(const json& overrides) {
  Environment env = Environment::target_default();
  if (overrides.is_null()) return env;
  for (const auto& [key, value] : overrides.items()) {
    if (value.is_array()) {
      env.set_names(key, value.get<std::set<std::string>>());
    } else {
      env.set(key, value.get<std::string>());
    }
  }
  return env;
}

MarkerContext context_for(const json& context) {
  if (context.is_null() || context == "metadata") return MarkerContext::kMetadata;
  if (context == "lock_file") return MarkerContext::kLockFile;
  return MarkerContext::kRequirement;
}

void check_evaluation(CaseTally& tally, const std::string& name, const std::string& text,
                      const json& env, const json& context, bool expected) {
  Result<Marker> marker = Marker::parse(text);
  if (!marker.ok()) {
    tally.check(false, name, marker.status().to_string());
    return;
  }
  Result<bool> result = marker->evaluate(environment_for(env), context_for(context));
  bool ok = result.ok() && *result == expected;
  tally.check(ok, name,
              result.ok() ? std::string("evaluated to ") + (*result ? "true" : "false")
                          : result.status().to_string());
}

TEST(MarkerVectors, Evaluations) {
  IGNITE_LOAD_VECTORS_OR_SKIP(vectors, "markers.json");
  CaseTally tally("markers.json", "evaluations");
  for (const json& c : vectors.at("evaluations")) {
    check_evaluation(tally, show(c.at("marker")) + " with " + show(c.at("env")),
                     c.at("marker").get<std::string>(), c.at("env"), c.at("context"),
                     c.at("expected").get<bool>());
  }
}

TEST(MarkerVectors, EvaluationsCompact) {
  IGNITE_LOAD_VECTORS_OR_SKIP(vectors, "markers.json");
  CaseTally tally("markers.json", "evaluations_compact");
  for (const json& c : vectors.at("evaluations_compact")) {
    check_evaluation(tally, show(c), c[0].get<std::string>(), c[1], nullptr, c[2].get<bool>());
  }
}

TEST(MarkerVectors, ValidMarkersParseAndRoundTrip) {
  IGNITE_LOAD_VECTORS_OR_SKIP(vectors, "markers.json");
  CaseTally tally("markers.json", "valid");
  for (const json& c : vectors.at("valid")) {
    Result<Marker> marker = Marker::parse(c.get<std::string>());
    bool ok = marker.ok();
    std::string detail = ok ? "" : marker.status().to_string();
    if (ok) {
      // The normalized form reads back to the same marker.
      Result<Marker> again = Marker::parse(marker->to_string());
      ok = again.ok() && *again == *marker;
      if (!ok) detail = "printed as " + marker->to_string() + ", which does not read back";
    }
    tally.check(ok, show(c), detail);
  }
}

TEST(MarkerVectors, InvalidMarkersAreRefused) {
  IGNITE_LOAD_VECTORS_OR_SKIP(vectors, "markers.json");
  CaseTally tally("markers.json", "invalid");
  for (const json& c : vectors.at("invalid")) {
    Result<Marker> marker = Marker::parse(c.get<std::string>());
    bool ok = !marker.ok() && marker.status().code() == Code::kInvalidArgument &&
              marker.status().message().starts_with("invalid marker: ");
    tally.check(ok, show(c), marker.ok() ? "parsed as " + marker->to_string() : "");
  }
}

TEST(MarkerVectors, StrIsNormalized) {
  IGNITE_LOAD_VECTORS_OR_SKIP(vectors, "markers.json");
  CaseTally tally("markers.json", "str");
  for (const json& c : vectors.at("str")) {
    Result<Marker> marker = Marker::parse(c[0].get<std::string>());
    Result<Marker> expected = Marker::parse(c[1].get<std::string>());
    bool ok = marker.ok() && expected.ok() && marker->to_string() == c[1].get<std::string>() &&
              *marker == *expected;
    tally.check(ok, show(c), marker.ok() ? "printed as " + marker->to_string() : "");
  }
}

}  // namespace
}  // namespace ignite::python
