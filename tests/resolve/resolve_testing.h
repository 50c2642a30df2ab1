// Helpers for the resolver's unit tests: small in-memory indexes written inline, requests
// built from requirement strings, and pins read back as "name version" text.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "builder/resolve/in_memory_index.h"
#include "builder/resolve/resolution.h"
#include "builder/resolve/resolve_request.h"

namespace ignite::resolve::testing {

// Adds a release to the index, failing the test if the index refuses it.
inline void add(InMemoryIndex& index, const std::string& project, const std::string& version,
                std::vector<std::string> dependencies = {}, std::string requires_python = "",
                bool yanked = false) {
  Status added = index.add(
      project, Release{version, std::move(dependencies), std::move(requires_python), yanked});
  ASSERT_TRUE(added.ok()) << added.to_string();
}

inline std::vector<python::Requirement> parse_all(const std::vector<std::string>& texts) {
  std::vector<python::Requirement> out;
  for (const std::string& text : texts) {
    Result<python::Requirement> r = python::Requirement::parse(text);
    EXPECT_TRUE(r.ok()) << r.status().to_string();
    if (r.ok()) out.push_back(*r);
  }
  return out;
}

inline ResolveRequest request_of(const std::vector<std::string>& requirements,
                                 const std::vector<std::string>& constraints = {}) {
  ResolveRequest request;
  request.requirements = parse_all(requirements);
  request.constraints = parse_all(constraints);
  return request;
}

// The pins as "name version", in the resolution's order (by name).
inline std::vector<std::string> pins_of(const Resolution& resolution) {
  std::vector<std::string> out;
  for (const Pin& pin : resolution.pins) out.push_back(pin.candidate.display());
  return out;
}

inline std::vector<std::string> why_of(const Pin& pin) {
  std::vector<std::string> out;
  for (const Reason& reason : pin.why) out.push_back(reason.to_string());
  return out;
}

}  // namespace ignite::resolve::testing
