// A PackageSource held in memory: the resolver vectors' JSON indexes
// (../shared/vectors/resolver/index/*.json) and small indexes written in tests.
//
// JSON format (resolvelib's frozen PyPI metadata, plus two optional fields):
//   { "<project>": { "<version>": { "dependencies": ["<PEP 508 requirement>", ...],
//                                   "requires_python": "<specifier set>",   (optional)
//                                   "yanked": true|false },                 (optional)
//                    ... },
//     ... }
// Top-level keys whose value is not an object are skipped (the vectors hold comments);
// "dependencies": {} counts as none (one vector release has it).
// Project names are canonicalized; versions that are not PEP 440 are skipped and counted
// (old PyPI releases such as "0.1dev-r1234", which pip ignores too). Dependencies are
// parsed when asked for, so one bad string fails only the candidate that holds it.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "builder/resolve/package_source.h"
#include "builder/util/status.h"

namespace ignite::resolve {

// One version of a project, as a test writes it.
struct Release {
  std::string version;
  std::vector<std::string> dependencies;  // PEP 508 strings, markers allowed
  std::string requires_python;            // "" when not declared
  bool yanked = false;
};

class InMemoryIndex : public PackageSource {
 public:
  // `name` appears in describe(): "in-memory index <name>".
  explicit InMemoryIndex(std::string name) : name_(std::move(name)) {}

  // INVALID_ARGUMENT naming the index, the project and the version for malformed JSON
  // or a field of the wrong type.
  static Result<InMemoryIndex> from_json(std::string_view json_text, std::string name);
  // Reads the file; the index is named after the file's stem ("pypi-2020-02-13-chalice").
  static Result<InMemoryIndex> load(const std::string& path);

  // Adds a version. INVALID_ARGUMENT for an invalid project name or version, or an
  // invalid requires_python; ALREADY_EXISTS when the project has that version.
  Status add(std::string_view project, Release release);

  Result<std::vector<Candidate>> candidates(std::string_view canonical_name) override;
  Result<std::vector<python::Requirement>> dependencies(const Candidate& candidate) override;
  std::string describe() const override { return "in-memory index " + name_; }

  std::size_t project_count() const { return projects_.size(); }
  std::size_t version_count() const;
  // Versions skipped by from_json because they are not PEP 440.
  std::size_t skipped_versions() const { return skipped_versions_; }

 private:
  struct Entry {
    Candidate candidate;
    std::vector<std::string> dependencies;
  };
  struct Project {
    std::vector<Entry> entries;                     // in the order added
    std::map<std::string, std::size_t> by_version;  // canonicalize_version -> entry
  };
  const Entry* find(std::string_view canonical_name, const python::Version& version) const;
  Status add_parsed(const std::string& canonical_name, python::Version version, Release release);

  std::string name_;
  std::map<std::string, Project, std::less<>> projects_;  // by canonical name
  std::size_t skipped_versions_ = 0;
};

}  // namespace ignite::resolve
